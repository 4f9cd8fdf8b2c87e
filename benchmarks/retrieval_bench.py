"""Retrieval benchmark: full ingest time, cold `modelchoice search` process time, warm query latency.

    .venv/bin/python benchmarks/retrieval_bench.py [--queries 200] [--cold-runs 3] [--json]

- ingest: `modelchoice ingest` in a fresh data dir, as a new process (imports + model load + embedding +
  Chroma writes), plus the in-process time the ingest report gives.
- cold search: wall time of a new `modelchoice search "..."` process against an existing store (median).
- warm latency: one process, model loaded, store open; each query is embed + Chroma query (+ BM25 and
  fusion). Median and p95 over N queries cycling through the eval questions, per method.
Targets: warm median < 20 ms, ingest < 30 s. The machine's load average is printed: other work on the
same cores skews every number.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).parent / "modelchoice")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run_timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed: {result.stderr.strip()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    results: dict[str, object] = {"load_average_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="mc-bench-") as tmp:
        data = Path(tmp) / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCHOICE_")}
        env.update(MODELCHOICE_DATA_DIR=str(data), HF_HUB_OFFLINE="1")

        started = time.perf_counter()
        ingest = subprocess.run(
            [EXE, "ingest", "--json"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600
        )
        ingest_wall = time.perf_counter() - started
        if ingest.returncode != 0:
            raise SystemExit(f"ingest failed: {ingest.stderr.strip()}")
        report = json.loads(ingest.stdout)
        results["ingest_process_s"] = round(ingest_wall, 2)
        results["ingest_in_process_s"] = round(report["seconds"], 2)
        results["ingest_records"] = report["added"]

        query = [EXE, "search", "what is knowledge distillation"]
        cold = [run_timed(query, env) for _ in range(args.cold_runs)]
        results["cold_search_process_s"] = {
            "median": round(statistics.median(cold), 2),
            "runs": [round(c, 2) for c in cold],
        }

        from assistant.evals.retrieval_eval import load_cases

        from assistant.retrieval import Retriever
        from assistant.settings import Settings

        retriever = Retriever(Settings(data_dir=data), notify=None)
        questions = [case.question for case in load_cases()]
        for question in questions[:10]:  # warm-up: model, Chroma, caches
            retriever.search(question)
        backend = retriever._backend()
        embed_ms = []
        for i in range(args.queries):
            t0 = time.perf_counter()
            backend.embeddings.embed_query(questions[i % len(questions)])
            embed_ms.append((time.perf_counter() - t0) * 1000)
        warm: dict[str, dict[str, float]] = {
            "embed_only": {
                "median_ms": round(statistics.median(embed_ms), 2),
                "p95_ms": round(percentile(embed_ms, 95), 2),
            }
        }
        for method in ("fusion", "dense", "bm25"):
            times = []
            for i in range(args.queries):
                t0 = time.perf_counter()
                retriever.search(questions[i % len(questions)], k=4, method=method)
                times.append((time.perf_counter() - t0) * 1000)
            warm[method] = {
                "median_ms": round(statistics.median(times), 2),
                "p95_ms": round(percentile(times, 95), 2),
            }
        results["warm_search"] = warm
        results["queries"] = args.queries
    results["load_average_after"] = os.getloadavg()

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"full ingest (fresh dir, new process):   {results['ingest_process_s']:.1f} s wall "
        f"({results['ingest_in_process_s']:.1f} s inside the process; {results['ingest_records']} records)"
        "   target < 30 s"
    )
    print(
        f"cold `modelchoice search` process:      {statistics.median(cold):.2f} s median of {len(cold)} "
        f"({', '.join(f'{c:.2f}' for c in cold)})"
    )
    print(f"warm query latency over {args.queries} queries (k=4):          median      p95")
    for name, stats in warm.items():
        label = "embed only (no search)" if name == "embed_only" else f"search, method={name}"
        print(f"  {label:<32} {stats['median_ms']:>8.2f} ms {stats['p95_ms']:>8.2f} ms")
    print("  target: warm median < 20 ms for the default method (fusion)")
    before, after = results["load_average_before"], results["load_average_after"]
    print(f"load average before {before[0]:.2f}, after {after[0]:.2f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
