"""The eval runner: gates, reports, generated rule conversations, baseline regressions, rule diffs."""

import json
import subprocess

import pytest
from assistant.evals.generate import CLAUSES, generate_cases
from assistant.evals.report import gates
from assistant.evals.runner import Runner
from support.paths import EXE, ROOT

from assistant.engine import decide, default_rules


def test_generated_pairs_cover_every_conditional_rule_and_really_flip():
    rules = default_rules()
    cases = generate_cases(rules)
    assert {c.rule for c in cases} == {r.id for r in rules if r.when}
    for case in cases:
        assert decide(case.base, rules).recommendation == case.before != case.after
        assert decide(case.changed, rules).recommendation == case.after
        differing = {k for k in set(case.base) | set(case.changed) if case.base.get(k) != case.changed.get(k)}
        assert differing == {case.field}
    assert all(isinstance(text, str) and text for text in CLAUSES.values())


def test_offline_runner_passes_its_gates(app_settings, conversation, tmp_path):
    runner = Runner(app_settings)
    runner._conversation = conversation
    summary = runner.run(["decisions", "generated", "conversations"])
    metrics = summary["metrics"]
    assert metrics["rule_coverage"] == 1.0
    assert metrics["recommendation_agreement"] == 1.0
    assert metrics["pattern_agreement"] == 1.0
    assert gates(summary, None) == []
    from assistant.evals.report import write_all

    write_all(tmp_path, summary, runner.results, None, [])
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == summary["cases"]
    assert {"suite", "case", "inputs", "answer", "checks", "latency_ms"} <= set(json.loads(lines[0]))
    assert "| decisions |" in (tmp_path / "report.md").read_text()
    assert "<svg" in (tmp_path / "report.html").read_text()

    # A baseline that was better than this run is a regression.
    better = {"metrics": {**metrics, "citation_recall": 1.0, "latency_p50_ms": 0.01}}
    if metrics["citation_recall"] is not None and metrics["citation_recall"] < 0.98:
        assert any("citation_recall regressed" in f for f in gates(summary, better))
    assert gates(summary, {"metrics": metrics}) == []


def test_a_broken_rule_makes_the_eval_fail(tmp_path):
    broken = tmp_path / "rules.yaml"
    text = (ROOT / "knowledge" / "rules.yaml").read_text()
    # Tabular data now favours a foundation model: the article's credit-scoring case must fail.
    broken.write_text(
        text.replace(
            "when: {data_type: tabular}\n  effect: {favor: custom, weight: 3}",
            "when: {data_type: tabular}\n  effect: {favor: foundation, weight: 9}",
        )
    )
    assert broken.read_text() != text
    result = subprocess.run(
        [EXE, "--rules", str(broken), "eval", "--suite", "decisions", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["failed"] > 0
    report = (tmp_path / "out" / "report.md").read_text()
    assert "article-bank-credit-scoring" in report

    diff = subprocess.run(
        [EXE, "eval", "--diff-rules", str(ROOT / "knowledge" / "rules.yaml"), str(broken)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert diff.returncode == 0, diff.stderr
    assert "decisions:article-bank-credit-scoring: custom -> foundation" in diff.stdout


@pytest.mark.parametrize("args", [["--suite", "nope"], ["--repeat", "0"]])
def test_bad_eval_arguments_are_clear(args, tmp_path):
    result = subprocess.run(
        [EXE, "eval", *args, "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
