"""Extraction eval: utterance -> intent, profile fields, hypothetical, target on evals/extraction.yaml.

    python -m assistant.evals.extraction_eval [--cases PATH] [--json] [--failures N] [--learned]

Field scores are micro-averaged (field, value) pairs: a predicted pair is a true positive when the gold
labels hold the same pair, a false positive otherwise; a gold pair that was not predicted is a false negative
(so a wrong value counts once as FP and once as FN). Precision / recall with nothing to count are 1.0.
A case may carry `context: {asked_field: ..., pending_what_if: ...}` for short replies.

The report ends with the same scores by split (train / dev / test by a stable hash of the text, see
`understanding_eval.extraction_split`), as the understanding eval reports them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.profile import FIELDS, Value, format_value, parse_value

from .understanding_eval import tally_fields

EVAL_FILE = Path(__file__).resolve().parent / "extraction.yaml"


def load_cases(path: Path | str = EVAL_FILE) -> list[dict[str, Any]]:
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    cases = []
    for i, item in enumerate(raw):
        gold = {name: parse_value(name, value) for name, value in (item.get("fields") or {}).items()}
        context = item.get("context") or {}
        cases.append(
            {
                "index": i,
                "text": str(item["text"]),
                "intent": str(item["intent"]),
                "fields": {k: v for k, v in gold.items() if v is not None},
                "hypothetical": bool(item.get("hypothetical", False)),
                "target": item.get("target"),
                "context": {
                    "asked_field": context.get("asked_field"),
                    "pending_what_if": bool(context.get("pending_what_if", False)),
                },
            }
        )
    if not cases:
        raise ValueError(f"{path}: no cases")
    return cases


def _scores(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def evaluate(understander: Any = None, cases_path: Path | str = EVAL_FILE) -> dict[str, Any]:
    """Scores of `understander` (default: the offline RuleBasedUnderstander) on the labelled cases."""
    from assistant.types import TurnContext as Context
    from assistant.understand import RuleBasedUnderstander, warm_up

    if understander is None:
        warm_up()
        understander = RuleBasedUnderstander()
    cases = load_cases(cases_path)
    counts = {name: Counter() for name in FIELDS}
    intents_ok = hypothetical_ok = targets_ok = targets_total = 0
    per_intent: dict[str, Counter] = {}
    results: list[dict[str, Any]] = []  # one per case; "failures" are those with problems
    elapsed = 0.0
    for case in cases:
        context = Context(**case["context"])
        start = time.perf_counter()
        turn = understander.understand(case["text"], context)
        elapsed += time.perf_counter() - start
        gold: dict[str, Value] = case["fields"]
        predicted: dict[str, Value] = dict(turn.changes)
        problems = tally_fields(gold, predicted, FIELDS, counts)
        intent_ok = turn.intent == case["intent"]
        intents_ok += intent_ok
        per_intent.setdefault(case["intent"], Counter())["total"] += 1
        per_intent[case["intent"]]["ok"] += intent_ok
        if not intent_ok:
            problems.insert(0, f"intent: got {turn.intent}, want {case['intent']}")
        hyp_ok = bool(turn.hypothetical) == case["hypothetical"]
        hypothetical_ok += hyp_ok
        if not hyp_ok:
            problems.append(f"hypothetical: got {turn.hypothetical}, want {case['hypothetical']}")
        if case["target"] is not None or case["intent"] == "why_not":
            targets_total += 1
            targets_ok += turn.target == case["target"]
            if turn.target != case["target"]:
                problems.append(f"target: got {turn.target}, want {case['target']}")
        results.append(
            {
                "index": case["index"],
                "text": case["text"],
                "problems": problems,
                "reason": "; ".join(problems),
                "gold": {k: format_value(v) for k, v in gold.items()},
                "predicted": {k: format_value(v) for k, v in predicted.items()},
                "intent": turn.intent,
                "gold_intent": case["intent"],
            }
        )
    n = len(cases)
    total = Counter()
    for c in counts.values():
        total.update(c)
    return {
        "cases": n,
        "fields": {name: _scores(c["tp"], c["fp"], c["fn"]) for name, c in counts.items()},
        "micro": _scores(total["tp"], total["fp"], total["fn"]),
        "intent_accuracy": intents_ok / n,
        "intents": {k: {"total": v["total"], "correct": v["ok"]} for k, v in sorted(per_intent.items())},
        "hypothetical_accuracy": hypothetical_ok / n,
        "target_accuracy": targets_ok / targets_total if targets_total else 1.0,
        "ms_per_utterance": 1000 * elapsed / n,
        "results": results,
        "failures": [r for r in results if r["problems"]],
    }


def format_report(report: dict[str, Any], max_failures: int = 50) -> str:
    lines = [
        f"Extraction eval: {report['cases']} cases, {report['ms_per_utterance']:.3f} ms per utterance",
        "",
        f"{'field':<16}{'gold':>6}{'tp':>5}{'fp':>5}{'fn':>5}{'prec':>8}{'recall':>8}{'f1':>8}",
    ]
    rows = [*report["fields"].items(), ("micro (all)", report["micro"])]
    for name, s in rows:
        if name == "micro (all)":
            lines.append("-" * 61)
        lines.append(
            f"{name:<16}{s['tp'] + s['fn']:>6}{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}"
            f"{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}"
        )
    lines += [
        "",
        f"intent accuracy        {report['intent_accuracy']:.3f}",
        f"hypothetical accuracy  {report['hypothetical_accuracy']:.3f}",
        f"why_not target accuracy {report['target_accuracy']:.3f}",
        "",
        "per intent: " + ", ".join(f"{k} {v['correct']}/{v['total']}" for k, v in report["intents"].items()),
    ]
    failures = report["failures"]
    lines += ["", f"{len(failures)} case(s) with a problem" + (":" if failures else "")]
    for f in failures[:max_failures]:
        lines.append(f"  #{f['index']} {f['text']!r}")
        lines += [f"      {p}" for p in f["problems"]]
    if len(failures) > max_failures:
        lines.append(f"  ... and {len(failures) - max_failures} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=str(EVAL_FILE), help="labelled cases (YAML)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--failures", type=int, default=50, help="how many failing cases to list")
    parser.add_argument("--learned", action="store_true", help="with the learned layer (local embeddings)")
    args = parser.parse_args(argv)
    from .understanding_eval import default_understander, summary_line
    from .understanding_eval import evaluate as by_split

    understander = default_understander(patterns_only=not args.learned)
    report = evaluate(understander, cases_path=args.cases)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print(format_report(report, args.failures))
        if Path(args.cases).resolve() == EVAL_FILE:
            splits = by_split(understander, "extraction")["splits"]
            print("\nby split (prec, rec, f1, min field recall, exact, intent, refused, questions as facts):")
            print("\n".join(summary_line(name, scores) for name, scores in splits.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
