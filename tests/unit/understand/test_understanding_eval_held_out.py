"""The understanding eval's held-out splits (the frozen test split and `holdout`) are measured, never read
case by case: a report that listed their failures would invite tuning on them."""

from assistant.evals.understanding_eval import HELD_OUT, evaluate, format_report, load_cases

from assistant.understand import RuleBasedUnderstander


def test_held_out_splits_are_reported_in_aggregate_only():
    report = evaluate(RuleBasedUnderstander(), splits=("dev", "holdout"))
    text = format_report(report, max_failures=10_000)
    held_out = load_cases("understanding", "holdout")
    assert report["frozen_ok"]  # SPLIT.sha256 pins the holdout files beside the test files
    assert report["splits"]["holdout"]["cases"] == len(held_out) > 0
    assert "[holdout] per field:" in text
    assert not any(repr(case.text) in text for case in held_out)
    assert text.count("case(s) with a problem") == 1  # dev's list, not holdout's
    assert "holdout" in HELD_OUT and "test" in HELD_OUT
