"""Retrieval eval: recall@1/3/5 and MRR per method on evals/retrieval.yaml (question -> gold section ids).

    python -m evals.retrieval_eval [--data-dir DIR] [--method fusion --method dense ...] [--json]

Every method is run on the same questions with the same depth (the top DEPTH sections). A question
counts as a hit at k when any of its gold sections is among the top k passages (one passage per
section); MRR uses the rank of the first gold section within the top DEPTH (0 if none).
The store in settings.data_dir is used (built automatically if missing).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

EVAL_FILE = Path(__file__).resolve().parent / "retrieval.yaml"
METHODS = ("dense", "bm25", "fusion")
KS = (1, 3, 5)
DEPTH = 10


@dataclass(frozen=True)
class Case:
    question: str
    gold: tuple[str, ...]


@dataclass
class MethodResult:
    method: str
    questions: int
    recall: dict[int, float]  # k -> share of questions with a gold section in the top k
    mrr: float
    misses: list[dict[str, Any]] = field(default_factory=list)  # questions whose gold is not in the top 3

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["recall"] = {f"recall@{k}": v for k, v in self.recall.items()}
        return data


def load_cases(path: Path = EVAL_FILE) -> list[Case]:
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    cases = [Case(str(item["question"]), tuple(str(g) for g in item["gold"])) for item in raw]
    if not cases:
        raise ValueError(f"{path}: no questions")
    return cases


def evaluate(retriever: Any = None, methods: tuple[str, ...] = METHODS, *, cases: list[Case] | None = None,
             settings: Any = None) -> dict[str, MethodResult]:
    """Metrics per method. `retriever` defaults to get_retriever(settings)."""
    if retriever is None:
        from assistant.retrieval import get_retriever

        retriever = get_retriever(settings)
    cases = cases if cases is not None else load_cases()
    results: dict[str, MethodResult] = {}
    for method in methods:
        hits = dict.fromkeys(KS, 0)
        reciprocal = 0.0
        misses: list[dict[str, Any]] = []
        for case in cases:
            ranked = [p.section for p in retriever.search(case.question, DEPTH, method=method)]
            first = next((i for i, section in enumerate(ranked, 1) if section in case.gold), None)
            for k in KS:
                hits[k] += first is not None and first <= k
            reciprocal += 1 / first if first else 0.0
            if first is None or first > 3:
                misses.append({"question": case.question, "gold": list(case.gold), "top3": ranked[:3],
                               "rank": first})
        n = len(cases)
        results[method] = MethodResult(method, n, {k: hits[k] / n for k in KS}, reciprocal / n, misses)
    return results


def format_table(results: dict[str, MethodResult]) -> str:
    header = f"{'method':<8} " + " ".join(f"{'recall@' + str(k):>9}" for k in KS) + f" {'MRR':>7}"
    lines = [header, "-" * len(header)]
    for result in results.values():
        lines.append(f"{result.method:<8} " + " ".join(f"{result.recall[k]:>9.3f}" for k in KS)
                     + f" {result.mrr:>7.3f}")
    n = next(iter(results.values())).questions if results else 0
    lines.append(f"({n} questions, top {DEPTH} sections per question)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="store location (default: MODELCHOICE_DATA_DIR or per-user)")
    parser.add_argument("--chroma-url", help="use a Chroma server (MODELCHOICE_CHROMA_URL)")
    parser.add_argument("--method", action="append", choices=METHODS, help="repeatable; default: all three")
    parser.add_argument("--misses", action="store_true", help="list questions whose gold is not in the top 3")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = parser.parse_args(argv)

    from assistant.retrieval import RetrievalError
    from assistant.settings import SettingsError, get_settings

    try:
        settings = get_settings().with_overrides(data_dir=args.data_dir, chroma_url=args.chroma_url)
        results = evaluate(methods=tuple(args.method or METHODS), settings=settings)
    except (RetrievalError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({m: r.to_dict() for m, r in results.items()}, indent=2))
        return 0
    print(format_table(results))
    print(f"default method (settings.retrieval): {settings.retrieval}")
    if args.misses:
        for result in results.values():
            for miss in result.misses:
                print(f"  {result.method:<7} rank={miss['rank']} gold={miss['gold']} top3={miss['top3']} "
                      f"q={miss['question']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
