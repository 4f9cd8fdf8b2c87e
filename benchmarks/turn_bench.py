"""Per-turn latency of the offline conversation in-process (extract + decide + retrieval + explain), warm.

Run: .venv/bin/python benchmarks/turn_bench.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.conversation import Conversation
from assistant.session import Session
from assistant.settings import Settings

TURNS = [
    "We're a bank scoring loan applications from tabular data; the data can't leave our servers.",
    "We have a data science team and plenty of labelled history.",
    "why?",
    "why not a foundation model?",
    "what if we had no ML team?",
    "keep the original",
    "what would change your mind?",
    "what is knowledge distillation?",
    "quick internal HR chatbot prototype, no ML engineers, OpenAI API is fine",
    "what if our data were strictly confidential and could not leave our servers?",
]


def main(rounds: int = 20) -> None:
    with tempfile.TemporaryDirectory() as data:
        conversation = Conversation(Settings(data_dir=Path(data))).warm_up()
        embeddings = conversation._retriever._backend().embeddings
        for label, fresh in (("new questions", True), ("repeated questions", False)):
            times: list[float] = []
            for _ in range(rounds):
                session = Session()
                for text in TURNS:
                    if fresh:
                        embeddings.query_vector.cache_clear()
                    start = time.perf_counter()
                    conversation.respond(session, text)
                    times.append((time.perf_counter() - start) * 1000)
            ordered = sorted(times)
            p95 = ordered[int(0.95 * len(ordered))]
            print(
                f"{label}: {len(times)} warm turns, median {statistics.median(times):.1f} ms, "
                f"p95 {p95:.1f} ms (target: median < 30 ms)"
            )


if __name__ == "__main__":
    main()
