"""Nothing the deterministic explainer writes may ever be flagged (it is the fallback, and the rules' own
words). benchmarks/guard_bench.py measures the guard's cost per answer."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from support.guard_cases import explainer_answers, profiles


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
