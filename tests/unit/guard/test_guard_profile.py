"""The profile check: an LLM answer states no fact about the user's project that contradicts or is absent
from the profile; conditionals, questions and other people's facts are no claims."""

from __future__ import annotations

import pytest
from support.guard_cases import BANK, CHATBOT, TEXT_TEAM, failed, guard


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Since you have an in-house ML team, a foundation model is quick to adopt.", "the profile has"),
        ("You have plenty of labelled data, so training is cheap.", "not told me"),
        ("Your data must not leave your infrastructure.", "not told me"),
        ("Because your data is tabular, small models work well.", "the profile has"),
        ("You need real-time latency for this.", "the profile has"),
        ("Your budget is tight.", "not told me"),
    ],
)
def test_contradicting_or_invented_profile_facts_fail(text: str, message: str) -> None:
    g = guard(CHATBOT)
    verdict = g.check(text)
    assert "profile" in verdict.failed() and message in str(verdict.findings)


@pytest.mark.parametrize(
    "text",
    [
        "Without an in-house ML team, your software engineers can still build on a foundation model.",
        "You don't have an ML team, so a foundation model through its API is the practical route.",
        "Your text data is where foundation models are at their strongest.",
        "If you had plenty of labelled data, a custom model could be trained.",  # conditional: no claim
        "Do you have plenty of labelled data?",  # a question: no claim
        "A bank with plenty of labelled data would train its own model.",  # not about the user
    ],
)
def test_profile_consistent_statements_pass(text: str) -> None:
    assert "profile" not in failed(guard(CHATBOT), text)


def test_negated_facts_that_the_profile_has_fail() -> None:
    assert "profile" in failed(guard(BANK), "Your data is not tabular.")


def test_what_if_facts_may_state_the_hypothetical_value() -> None:
    g = guard(TEXT_TEAM, what_if={"ml_team": False}, intent="what_if")
    for text in (
        "You would have no ML team, and your text data suits a foundation model.",
        "With no ML team on your side, a foundation model is the practical route.",
    ):
        assert "profile" not in failed(g, text)
