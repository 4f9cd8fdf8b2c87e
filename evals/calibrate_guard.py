"""Calibrate the guard's support threshold on labelled sentences (evals/guard_calibration.yaml).

Run: .venv/bin/python evals/calibrate_guard.py [--yaml PATH]
     (Russian: --yaml evals/guard_calibration-ru.yaml)

For every labelled sentence it rebuilds the evidence of its scenario as the LLM writer does
(`Evidence.from_context`: decision trace + the passages as the LLM saw them, in the file's language, its
top-level `lang`, "en" by default), computes the guard's support score (share of the sentence's content
words, read as that language, found in the evidence) and sweeps the threshold. The threshold it chooses is
the guard's SUPPORT_THRESHOLD for that language.

Rule: the threshold that catches the most unsupported sentences while still passing at least MIN_PASSED
(95%) of the supported ones (a flagged good sentence costs an LLM answer: a regeneration or the
deterministic fallback); ties go to the lower threshold. Sentences with fewer than MIN_CONTENT_WORDS content
words are never flagged, exactly as in the guard. Leave-one-scenario-out cross-validation estimates how the
rule does on scenarios it was not tuned on.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.engine import decide
from assistant.guard import MIN_CONTENT_WORDS, SUPPORT_THRESHOLD, Evidence, reading_for, support_score
from assistant.knowledge import sections_in
from assistant.settings import Settings
from assistant.types import AnswerContext, WhatIf

DEFAULT = Path(__file__).resolve().parent / "guard_calibration.yaml"
MIN_PASSED = 0.95
GRID = [round(0.30 + 0.025 * i, 3) for i in range(27)]


@dataclass(frozen=True)
class Shown:
    section: str
    title: str
    text: str


@dataclass(frozen=True)
class Example:
    scenario: str
    text: str
    supported: bool
    origin: str
    score: float
    words: int
    lang: str = "en"

    def flagged(self, threshold: float) -> bool:
        return self.words >= MIN_CONTENT_WORDS and self.score < threshold


def _trim(text: str, limit: int) -> str:
    from assistant.llm import trim  # the same trimming the LLM prompt uses

    return trim(text, limit)


def evidence(scenario: dict[str, Any], chars: int, lang: str = "en") -> Evidence:
    """The scenario's evidence as the LLM writer builds it for an answer in `lang`: the passages (and every
    section's title) in that language, trimmed as the prompt shows them, through `Evidence.from_context`."""
    sections = sections_in(Settings().knowledge_dirs, lang)
    decision = decide(scenario["profile"])
    what_if = None
    if scenario.get("what_if"):
        what_if = WhatIf(
            dict(scenario["what_if"]), decision, decide(decision.profile.with_changes(scenario["what_if"]))
        )
    shown = [Shown(s, sections[s].title, _trim(sections[s].text, chars)) for s in scenario["passages"]]
    titles = {sid: section.title for sid, section in sections.items()}
    ctx = AnswerContext(decision=decision, titles=titles, what_if=what_if, lang=lang)
    return Evidence.from_context(ctx, shown, scenario.get("intent", "recommend"))


def load(path: Path = DEFAULT) -> list[Example]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    chars = int(data.get("passage_chars", 350))
    lang = str(data.get("lang", "en"))
    read = reading_for(lang).content_words
    out = []
    for scenario in data["scenarios"]:
        ev = evidence(scenario, chars, lang)
        for item in scenario["sentences"]:
            score, words = support_score(item["text"], ev.vocabulary, read)
            out.append(
                Example(
                    scenario["id"],
                    item["text"],
                    bool(item["supported"]),
                    item.get("origin", ""),
                    score,
                    words,
                    lang,
                )
            )
    return out


def evaluate(examples: list[Example], threshold: float) -> dict[str, float]:
    good = [e for e in examples if e.supported]
    bad = [e for e in examples if not e.supported]
    passed = sum(not e.flagged(threshold) for e in good) / len(good)
    caught = sum(e.flagged(threshold) for e in bad) / len(bad)
    correct = sum(e.flagged(threshold) != e.supported for e in examples)
    return {
        "threshold": threshold,
        "accuracy": correct / len(examples),
        "balanced_accuracy": (passed + caught) / 2,
        "unsupported_caught": caught,
        "supported_passed": passed,
        "n": len(examples),
        "n_supported": len(good),
        "n_unsupported": len(bad),
    }


def auc(examples: list[Example]) -> float:
    """Probability that a random supported sentence scores higher than a random unsupported one."""
    good = [e.score for e in examples if e.supported]
    bad = [e.score for e in examples if not e.supported]
    wins = sum((g > b) + 0.5 * (g == b) for g in good for b in bad)
    return wins / (len(good) * len(bad))


def calibrate(examples: list[Example]) -> dict[str, float]:
    results = [evaluate(examples, t) for t in GRID]
    allowed = [r for r in results if r["supported_passed"] >= MIN_PASSED] or results
    return max(allowed, key=lambda r: (round(r["unsupported_caught"], 6), -r["threshold"]))


def cross_validate(examples: list[Example]) -> dict[str, float]:
    """Leave one scenario out: tune on the others, score the held-out one; pooled over all scenarios."""
    flagged_good = caught_bad = good = bad = 0
    for held in sorted({e.scenario for e in examples}):
        threshold = calibrate([e for e in examples if e.scenario != held])["threshold"]
        for e in (e for e in examples if e.scenario == held):
            if e.supported:
                good += 1
                flagged_good += e.flagged(threshold)
            else:
                bad += 1
                caught_bad += e.flagged(threshold)
    passed, caught = 1 - flagged_good / good, caught_bad / bad
    return {
        "accuracy": (good - flagged_good + caught_bad) / (good + bad),
        "unsupported_caught": caught,
        "supported_passed": passed,
        "balanced_accuracy": (passed + caught) / 2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yaml", type=Path, default=DEFAULT)
    parser.add_argument("--show", action="store_true", help="list the misclassified sentences")
    args = parser.parse_args()
    examples = load(args.yaml)
    lang = examples[0].lang
    guard_threshold = SUPPORT_THRESHOLD[lang]
    name = f'guard.SUPPORT_THRESHOLD["{lang}"]'
    best = calibrate(examples)
    current = evaluate(examples, guard_threshold)
    print(
        f"{len(examples)} labelled sentences in {lang!r} ({current['n_supported']} supported, "
        f"{current['n_unsupported']} unsupported); AUC of the support score: {auc(examples):.3f}"
    )
    by_origin = sorted({e.origin for e in examples})
    print("threshold  accuracy  balanced  unsupported caught  supported passed")
    shown = {
        0.5,
        0.55,
        0.6,
        0.65,
        0.7,
        0.75,
        0.775,
        0.8,
        0.825,
        0.85,
        0.9,
        best["threshold"],
        guard_threshold,
    }
    for t in sorted(shown):
        r = evaluate(examples, t)
        mark = "  <- best" if t == best["threshold"] else ""
        mark += f"  <- {name}" if t == guard_threshold else ""
        print(
            f"  {t:5.3f}    {r['accuracy']:.3f}     {r['balanced_accuracy']:.3f}      "
            f"{r['unsupported_caught']:.3f}               {r['supported_passed']:.3f}{mark}"
        )
    print(
        f"chosen threshold (most unsupported caught with >= {MIN_PASSED:.0%} of supported passed): "
        f"{best['threshold']:.3f}; {name} = {guard_threshold}: accuracy "
        f"{current['accuracy']:.3f}, balanced {current['balanced_accuracy']:.3f}"
    )
    cv = cross_validate(examples)
    print(
        f"leave-one-scenario-out: accuracy {cv['accuracy']:.3f}, unsupported caught "
        f"{cv['unsupported_caught']:.3f}, supported passed {cv['supported_passed']:.3f}"
    )
    for origin in by_origin:
        subset = [e for e in examples if e.origin == origin]
        r = evaluate(subset, guard_threshold) if {e.supported for e in subset} == {True, False} else None
        if r:
            print(
                f"  {origin:8}: n={len(subset)} accuracy {r['accuracy']:.3f}, unsupported caught "
                f"{r['unsupported_caught']:.3f}, supported passed {r['supported_passed']:.3f}"
            )
    if args.show:
        for e in examples:
            if e.flagged(guard_threshold) == e.supported:
                kind = "missed " if not e.supported else "flagged"
                print(f"{kind} {e.score:.2f} [{e.scenario}/{e.origin}] {e.text[:110]}")


if __name__ == "__main__":
    main()
