"""A whole deterministic turn in-process (understand + decide + retrieval + explain, no LLM), warm.

    .venv/bin/python benchmarks/turn_bench.py [--rounds 20] [--data-dir DIR] [--profile] [--json]

One process, one Conversation warmed up (embedding model loaded, store opened), then `--rounds` fresh
sessions of the same 10-turn conversation, in English and in Russian (`TURNS_RU`: the gloss, the Russian
learned layer and the Russian index, USE-m3's query cache cleared with MiniLM's). Two cases each:
- new questions: the query-embedding cache is cleared before every turn, so each turn embeds its text
  (what a question never seen by this process costs);
- repeated questions: the cache is kept (the same texts again: the embedding is a cache hit).
Median and p95 per turn; the query embedding alone (ONNX Runtime, 1 thread) is timed too, to show its
share. Target: a whole deterministic turn under 10 ms median. `--profile` runs the new-question case once
more under cProfile and prints what dominates. Uses the configured data dir (MODELCHOICE_DATA_DIR or the
default), so the store and the ONNX export are built there first if missing; `--data-dir` picks another.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.conversation import Conversation
from assistant.embeddings import get_embeddings
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
# The same conversation in Russian: the gloss, the Russian learned layer over USE-m3 and the Russian index.
TURNS_RU = [
    "Мы банк, оцениваем заявки на кредит по табличным данным; данные не могут покидать наши серверы.",
    "У нас есть команда data science и много размеченной истории.",
    "почему?",
    "почему не фундаментальная модель?",
    "а если бы у нас не было ML-команды?",
    "оставим как было",
    "что могло бы изменить твоё мнение?",
    "что такое дистилляция знаний?",
    "быстрый прототип HR-чатбота для сотрудников, ML-инженеров нет, OpenAI API можно",
    "а если бы данные были строго конфиденциальными и не могли покидать наши серверы?",
]
TARGET_MS = 10.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def stats(times: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "turns": len(times),
    }


def run_turns(
    conversation: Conversation, clear: Callable[[], None] | None, rounds: int, turns: list[str] = TURNS
) -> list[float]:
    times: list[float] = []
    for _ in range(rounds):
        session = Session()
        for text in turns:
            if clear is not None:
                clear()
            start = time.perf_counter()
            conversation.respond(session, text)
            times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="conversations of 10 turns per case")
    parser.add_argument(
        "--data-dir", type=Path, help="data dir (default: MODELCHOICE_DATA_DIR or the default)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the new-question turns")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    if args.data_dir is not None:
        settings = settings.with_overrides(data_dir=args.data_dir)
    settings = settings.with_overrides(llm="none")
    load_before = os.getloadavg()
    conversation = Conversation(settings).warm_up()
    backend = get_embeddings(
        settings.embedding,
        openai_api_key=settings.openai_api_key,
        openai_base_url=settings.openai_base_url,
        data_dir=settings.data_dir,
    )
    cached = getattr(backend.embeddings, "query_vector", None)
    clear: Callable[[], None] | None = getattr(cached, "cache_clear", None)
    if clear is None:
        raise SystemExit(f"{backend.name}: no query cache to clear; the new-question case needs one")

    from assistant.multilingual import UseEmbeddings

    def clear_both() -> None:
        clear()
        UseEmbeddings.query_vector.cache_clear()

    run_turns(conversation, clear, 2)  # warm-up: first-use costs of every code path
    run_turns(conversation, clear_both, 2, TURNS_RU)
    results: dict[str, object] = {
        "embedding": backend.name,
        "data_dir": str(settings.data_dir),
        "new_questions": stats(run_turns(conversation, clear, args.rounds)),
        "repeated_questions": stats(run_turns(conversation, None, args.rounds)),
        "russian_new_questions": stats(run_turns(conversation, clear_both, args.rounds, TURNS_RU)),
        "russian_repeated_questions": stats(run_turns(conversation, None, args.rounds, TURNS_RU)),
    }
    embed: list[float] = []
    for _ in range(args.rounds):
        for text in TURNS:
            clear()
            start = time.perf_counter()
            backend.query_vector(text)
            embed.append((time.perf_counter() - start) * 1000)
    results["query_embedding_only"] = stats(embed)
    results["target_ms"] = TARGET_MS
    results["load_average"] = {"before": load_before, "after": os.getloadavg(), "cores": os.cpu_count()}

    profile_text = ""
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run_turns(conversation, clear, max(2, args.rounds // 4))
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
        profile_text = out.getvalue()
        results["profile_top_tottime"] = profile_text

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    cases = ("new_questions", "repeated_questions", "russian_new_questions", "russian_repeated_questions")
    for case in (*cases, "query_embedding_only"):
        s = results[case]
        assert isinstance(s, dict)
        label = case.replace("_", " ")
        verdict = ""
        if case in cases[:2]:
            verdict = "met" if s["median_ms"] < TARGET_MS else "MISSED"
            verdict = f"   target median < {TARGET_MS:.0f} ms: {verdict}"
        print(
            f"{label:<28} {s['turns']:>4} turns  median {s['median_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f} ms"
            f"{verdict}"
        )
    print(f"embedding: {backend.name}; data dir {settings.data_dir}")
    before, after = load_before, os.getloadavg()
    print(f"load average before {before[0]:.2f}, after {after[0]:.2f} on {os.cpu_count()} cores")
    if profile_text:
        print(profile_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
