"""Rules-engine benchmark: decide() with and without counterfactuals, the full sweep, and CLI cold start.

    .venv/bin/python benchmarks/engine_bench.py

- decide(): median per call over repeated batches, without and with counterfactuals (one flip per field);
- the full sweep: decide() without counterfactuals for every combination of field values;
- `modelchoice recommend --json` as a new process, median of 5 (benchmarks/cold_bench.py also lists its
  imports). The load average is printed: other work on the same cores skews every figure.
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.engine import decide, default_rules  # noqa: E402
from assistant.profile import FIELDS, load_profile  # noqa: E402


def per_call(fn: Callable[[], object], repeat: int, inner: int) -> list[float]:
    samples: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return samples


def main() -> None:
    load = os.getloadavg()[0]
    rules = default_rules()
    profile = load_profile((ROOT / "examples" / "segmentation-no-labels.yaml").read_text())
    plain = per_call(lambda: decide(profile, rules, counterfactuals=False), 50, 200)
    full = per_call(lambda: decide(profile, rules), 30, 20)
    names = list(FIELDS)
    start = time.perf_counter()
    count = 0
    for values in itertools.product(*(FIELDS[n].values for n in names)):
        decide(dict(zip(names, values, strict=True)), rules, counterfactuals=False)
        count += 1
    sweep = time.perf_counter() - start
    exe = str(Path(sys.executable).parent / "modelchoice")
    cold: list[float] = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(
            [exe, "recommend", str(ROOT / "examples" / "bank-credit-scoring.yaml"), "--json"],
            check=True,
            capture_output=True,
        )
        cold.append(time.perf_counter() - start)
    print(f"decide() median:                     {statistics.median(plain) * 1e6:8.1f} us   (target < 50 us)")
    print(f"decide() with counterfactuals median: {statistics.median(full) * 1e3:8.2f} ms   (target < 2 ms)")
    print(f"full sweep ({count} profiles):        {sweep:8.2f} s")
    cold_s = statistics.median(cold)
    print(f"`modelchoice recommend --json` cold:  {cold_s:8.2f} s    (target < 1 s; median of 5)")
    print(f"load average before {load:.2f}, after {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
