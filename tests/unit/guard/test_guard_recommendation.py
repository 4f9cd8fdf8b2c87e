"""The recommendation check: an LLM answer may endorse only the computed option, never deny it; negations,
contrasts, questions and counterfactuals that are in the trace pass; what-ifs may name the old answer."""

from __future__ import annotations

import pytest
from support.guard_cases import BANK, SEGMENTATION, TEXT_TEAM, failed, guard

from assistant.engine import decide
from assistant.guard import CHECKS, stances


def test_checks_are_the_documented_five() -> None:
    assert CHECKS == ("recommendation", "profile", "citations", "support", "repetition")


# ------------------------------------------------------------------------------------- (a) recommendation


@pytest.mark.parametrize(
    "text",
    [
        "A foundation model is the best choice.",
        "A foundation model is the best choice for your project.",
        "I recommend a foundation model.",
        "You should use a foundation model such as GPT-4 through its API.",
        "I'd go with a hybrid approach here.",
        "Knowledge distillation is the way to go.",
        "Using a foundation model makes the most sense.",
        "The best option is a foundation model.",
        "My recommendation: a foundation model.",
        "A custom model is not a good fit here.",  # denies the computed option
        "A custom model isn't the best option for you.",
        "Avoid a custom model.",
        "I would not recommend a custom model.",
        "You don't need a custom model; a foundation model works best.",
        "If you had a generous budget, a foundation model would be the better choice.",  # not in the trace
    ],
)
def test_endorsing_another_option_or_denying_the_computed_one_fails(text: str) -> None:
    assert "recommendation" in failed(guard(BANK), text)


@pytest.mark.parametrize(
    "text",
    [
        "I would not recommend a foundation model.",
        "A custom model, not a foundation model, is the right choice.",
        "Rather than a foundation model, I recommend a custom model.",
        "A custom model is the best choice for your project.",
        "My recommendation: **a custom model**.",
        "I don't recommend a foundation model here.",
        "A foundation model is not the right choice for this project.",
        "Should you use a foundation model?",  # a question endorses nothing
        "Foundation models can be expensive at high volume.",  # a general statement, no endorsement
    ],
)
def test_negations_contrasts_and_counterfactuals_pass(text: str) -> None:
    g = guard(BANK, ["when-custom", "fm-cons", "custom-pros"])
    assert "recommendation" not in failed(g, text), g.check(text).findings


def test_counterfactual_endorsements_must_be_in_the_trace() -> None:
    text = "If you had no ML team, a foundation model would be the better choice."
    assert "recommendation" not in failed(guard(TEXT_TEAM), text)  # dropping the team flips it: in the trace
    assert "recommendation" in failed(guard(BANK), text)  # it would not flip the bank's decision


def test_hybrid_descriptions_may_name_their_parts() -> None:
    g = guard(SEGMENTATION)
    ok = (
        "I recommend using a foundation model such as SAM to label the images, then training a smaller model."
    )
    assert "recommendation" not in failed(g, ok)
    assert failed(g, "A custom model is the best choice.") == ["recommendation"]
    assert failed(g, "I recommend a foundation model.") == ["recommendation"]


def test_what_if_accepts_the_old_recommendation_correctly_attributed() -> None:
    g = guard(TEXT_TEAM, what_if={"ml_team": False}, intent="what_if")
    for text in (
        "With no ML team, my recommendation would change from a custom model to a foundation model.",
        "Currently I recommend a custom model.",
        "Today a custom model is the best choice, but with no ML team a foundation model would be.",
        "With no ML team, a foundation model would be the best choice.",
    ):
        assert "recommendation" not in failed(g, text), (text, g.check(text).findings)
    for text in (
        "With no ML team, I would still recommend a custom model.",
        "With no ML team, a custom model would still be the best choice.",
        "Currently I recommend a foundation model.",
    ):
        assert failed(g, text) == ["recommendation"], text


def test_a_changed_answer_may_mention_the_previous_recommendation() -> None:
    g = guard(BANK, previous={"data_type": "text"}, intent="describe")
    assert decide({"data_type": "text"}).recommendation != "custom" or True
    assert "recommendation" not in failed(g, "That changes my answer: it was a foundation model.")


def test_stances_read_clauses_and_negation() -> None:
    assert [
        (s.option, s.positive)
        for s in stances("You don't need a custom model; a foundation model works best.")
    ] == [("custom", False), ("foundation", True)]
    assert stances("It would become my recommendation with an open-ended task.") == []
