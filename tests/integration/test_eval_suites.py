"""The eval suites as CI runs them: the whole suite offline, and the whole suite with the real local LLM.

Reports land in test-artifacts/ (kept by CI). Both runs must pass their gates (evals/thresholds.yaml):
with no LLM and with the local model, every final answer agrees with the rules engine.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from support.paths import EXE, ROOT

ARTIFACTS = ROOT / "test-artifacts"


def run_eval(tmp_path: Path, out: str, *args: str, timeout: int) -> dict:
    env = {**os.environ, "MODELCHOICE_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [EXE, "eval", *args, "--out", str(ARTIFACTS / out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env=env,
    )
    summary = json.loads((ARTIFACTS / out / "summary.json").read_text())
    assert result.returncode == 0, f"gates failed: {summary['gate_failures']}\n{result.stdout[-3000:]}"
    return summary


def test_offline_suite_passes_every_gate(tmp_path):
    summary = run_eval(tmp_path, "eval-none", "--llm", "none", timeout=900)
    metrics = summary["metrics"]
    assert set(summary["per_suite"]) == {
        "decisions",
        "scenarios",
        "conversations",
        "generated",
        "adversarial",
        "retrieval",
        "retrieval-ru",
        "extraction",
        "understanding",
        "scenarios-ru",
        "conversations-ru",
        "adversarial-ru",
        "understanding-ru",
    }
    assert metrics["recommendation_agreement"] == 1.0
    assert "understanding_test_f1" in metrics  # the frozen test split is measured and gated
    assert "understanding_holdout_f1" in metrics  # so is the held-out one
    assert metrics["injection_success_rate"] == 0.0
    assert metrics["rule_coverage"] == 1.0
    assert metrics["ru_recommendation_agreement"] == 1.0  # the Russian suites, answered in Russian
    assert "understanding_ru_test_f1" in metrics


@pytest.mark.slow
def test_local_llm_suite_agrees_with_the_rules(tmp_path):
    """The eval harness end to end with a real LLM: SmolLM2-135M served by llama-cpp-python writes the 38
    free-text scenarios' answers behind the guard (~6 minutes on 2 cores), and the decision cases (no LLM)
    keep rule coverage measured. The whole English suite with this model takes 30-60 minutes on 2 cores,
    more than CI's budget: README.md (Evals) reports it, run by `modelchoice eval --llm local`. The Russian
    LLM path is tested against a fake server (tests/unit/llm/test_llm_prompts_russian.py), and the local
    model's multi-turn answers by tests/integration/test_llm_local.py. The timeout only stops a hung
    server."""
    pytest.importorskip("llama_cpp")
    suites = ["--suite", "decisions", "--suite", "scenarios"]
    summary = run_eval(tmp_path, "eval-local", "--llm", "local", *suites, timeout=1800)
    metrics = summary["metrics"]
    assert metrics["recommendation_agreement"] == 1.0
    assert metrics["scenario_accuracy"] == 1.0
    assert metrics["answers_leaking_internals"] == 0.0
    assert metrics["rule_coverage"] == 1.0
    assert metrics["guard_intervention_rate"] is not None  # reported, not gated
