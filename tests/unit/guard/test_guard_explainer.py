"""Nothing the deterministic explainer writes may ever be flagged (it is the fallback, and the rules' own
words), and the guard stays cheap enough to run on every streamed sentence."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from support.guard_cases import CHATBOT, explainer_answers, guard, profiles

from assistant.guard import Guard


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ru"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_the_deterministic_explainer_never_fails_the_guard(
    lang: str, case: tuple[dict[str, Any], str, Any]
) -> None:
    profile, field, value = case
    for text, g in explainer_answers(profile, field, value, lang):
        verdict = g.check(text)
        assert verdict.ok, (profile, text, verdict.findings)


@pytest.mark.slow
def test_guard_overhead_is_under_5_ms_per_answer() -> None:
    g = guard(CHATBOT, ["when-foundation", "example-mvp", "fm-pros"])
    answer = (
        "Without an in-house ML team, your software engineers can still build on a foundation "
        "model through its API [when-foundation]. For a prototype, a foundation model gets you "
        "working results without a dataset or a training pipeline [example-mvp]. Foundation models "
        "are at their strongest on unstructured data such as text [fm-pros]. Relying on an external "
        "model API is acceptable to you."
    )
    samples = []
    for _ in range(30):
        started = time.perf_counter()
        Guard(g.evidence).check(answer)
        samples.append((time.perf_counter() - started) * 1000)
    assert statistics.median(samples) < 5.0
