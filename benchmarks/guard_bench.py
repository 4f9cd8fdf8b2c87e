"""Guard overhead per answer: building the turn's evidence, then checking the answer while it streams
(sentence by sentence, as assistant/llm.py does) and as a whole.

Run: .venv/bin/python benchmarks/guard_bench.py        (target: < 5 ms per answer, evidence included)

Answers: the labelled sentences of evals/guard_calibration.yaml joined per scenario and origin (local-model
output and hand-written answers), plus the deterministic explainer's answers for 200 random profiles (longer
texts than an LLM explanation: a pessimistic case).
"""

from __future__ import annotations

import gc
import random
import re
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evals.calibrate_guard import evidence as calibration_evidence  # noqa: E402

from assistant import explain  # noqa: E402
from assistant.engine import decide  # noqa: E402
from assistant.guard import Evidence, Guard, StreamCheck, normalize  # noqa: E402
from assistant.knowledge import section_index  # noqa: E402
from assistant.profile import FIELDS  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import AnswerContext as Context  # noqa: E402
from assistant.types import PassageRef  # noqa: E402

BOUNDARY = re.compile(r"[.!?\n]")


def streamed(guard: Guard, text: str) -> None:
    """Feed the text in token-sized pieces with the writer's policy (check when a sentence may have ended)."""
    check = StreamCheck(guard)
    body, fed, waiting = "", 0, False
    for piece in re.findall(r"\S+\s*|\s+", text):
        body += piece
        boundary = bool(BOUNDARY.search(piece))
        if boundary or waiting or len(body) - fed >= 200:
            check.feed(body)
            fed, waiting = len(body), boundary
    check.feed(body, final=True)


def cases() -> list[tuple[str, object, str]]:
    """(label, evidence builder, answer)."""
    out = []
    data = yaml.safe_load((ROOT / "evals" / "guard_calibration.yaml").read_text(encoding="utf-8"))
    for scenario in data["scenarios"]:
        for origin in ("smollm2", "crafted"):
            text = " ".join(s["text"] for s in scenario["sentences"] if s["origin"] == origin)

            def build(sc: dict = scenario) -> Evidence:
                return calibration_evidence(sc, data["passage_chars"])

            out.append((f"calibration/{origin}", build, text))
    sections = section_index(Settings().knowledge_dirs)
    rng = random.Random(7)
    for _ in range(200):
        profile = {n: rng.choice(FIELDS[n].values) for n in FIELDS if rng.random() < 0.5}
        d = decide(profile)
        passages = [
            PassageRef(f"{s}#0", s, sections[s].title, sections[s].source, sections[s].text)
            for s in d.sources[:4]
        ]
        ctx = Context(decision=d, titles={k: v.title for k, v in sections.items()}, passages=passages)
        answer = explain.recommendation(ctx).text
        out.append(("deterministic", lambda c=ctx: Evidence.from_context(c, c.passages, "recommend"), answer))
    return out


def main() -> None:
    all_cases = cases()
    for _, build, text in all_cases[:5]:  # warm caches (stemmer, the explainer's vocabulary)
        streamed(Guard(build()), text)
    rows: dict[str, list[tuple[float, float, float, int]]] = {}
    cpu: list[float] = []  # evidence + streamed check, CPU time of this thread (as in the guard record)
    gc.disable()
    try:
        for label, build, text in all_cases:
            best = []
            for _ in range(5):
                normalize.cache_clear()  # each answer is new text in real use (word stems stay cached)
                c0 = time.thread_time()
                t0 = time.perf_counter()
                ev = build()
                t1 = time.perf_counter()
                streamed(Guard(ev), text)
                t2 = time.perf_counter()
                cpu.append((time.thread_time() - c0) * 1e3)
                normalize.cache_clear()
                t2 = time.perf_counter()
                Guard(ev).check(text)
                t3 = time.perf_counter()
                best.append(((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3))
            evid, stream, whole = (statistics.median(x) for x in zip(*best, strict=True))
            rows.setdefault(label, []).append((evid, stream, whole, len(text)))
    finally:
        gc.enable()

    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))]

    print(
        f"{'answers':<22}{'n':>4}{'chars':>7}   {'evidence':>14}   {'streamed check':>16}   "
        f"{'whole check':>13}   {'evidence+stream':>17}"
    )
    print(
        f"{'':<22}{'':>4}{'(med)':>7}   {'med / p95 ms':>14}   {'med / p95 ms':>16}   "
        f"{'med / p95 ms':>13}   {'med / p95 / max':>17}"
    )
    total: list[float] = []
    for label, values in rows.items():
        ev = [v[0] for v in values]
        st = [v[1] for v in values]
        wh = [v[2] for v in values]
        tot = [v[0] + v[1] for v in values]
        total += tot
        print(
            f"{label:<22}{len(values):>4}{int(statistics.median(v[3] for v in values)):>7}   "
            f"{statistics.median(ev):6.2f} / {pct(ev, 0.95):5.2f}   "
            f"{statistics.median(st):7.2f} / {pct(st, 0.95):6.2f}"
            f"   {statistics.median(wh):5.2f} / {pct(wh, 0.95):5.2f}   "
            f"{statistics.median(tot):5.2f} / {pct(tot, 0.95):5.2f} / {max(tot):5.2f}"
        )
    print(
        f"all {len(total)} answers: evidence + streamed check median {statistics.median(total):.2f} ms, "
        f"p95 {pct(total, 0.95):.2f} ms, max {max(total):.2f} ms wall (target < 5 ms per answer)"
    )
    print(
        f"CPU time, every run: median {statistics.median(cpu):.2f} ms, p95 {pct(cpu, 0.95):.2f} ms, "
        f"max {max(cpu):.2f} ms"
    )


if __name__ == "__main__":
    main()
