"""Field cues: one fact per utterance, false positives, negation scope (assistant/understand/fields.py,
cues/).

The utterances are the developers' own (see support.understand_cases).
"""

import pytest
from support.understand_cases import CASES, U, fields


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fields(text, expected):
    assert fields(text) == expected


FALSE_POSITIVES = [
    "we're a 40-person insurance company",  # company size is not an ML team or a budget
    "we have 2 million product photos",  # a count is not a request volume (image is fine)
    "It's a website chatbot",  # a chatbot alone sets no task
    "the hospital wants this",  # an industry does not imply privacy
    "it's a mobile app",  # an app does not imply edge
    "we answer questions from customers",
    "the model should be good",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_false_positives(text):
    found = fields(text)
    assert "volume" not in found and "task" not in found and "privacy" not in found
    assert "ml_team" not in found and "budget" not in found and "edge" not in found


def test_no_ml_team_does_not_touch_labels():
    assert fields("we don't have an ML team") == {"ml_team": False}
    assert fields("no ML people, but plenty of labelled data") == {"ml_team": False, "labeled_data": "plenty"}


def test_negation_stays_in_its_clause():
    assert fields("we don't have labels, but we do have two data scientists") == {
        "labeled_data": "none",
        "ml_team": True,
    }
    assert fields("no external APIs and the budget is big") == {"external_api_ok": False, "budget": "high"}


def test_strict_privacy_keeps_an_explicit_api_choice():
    assert fields("data must stay on-prem") == {"privacy": "strict", "external_api_ok": False}
    assert fields("it's sensitive but the OpenAI API is fine") == {
        "privacy": "sensitive",
        "external_api_ok": True,
    }


def test_paraphrases_from_the_issue():
    assert fields("data can't leave our servers") == {"privacy": "strict", "external_api_ok": False}
    assert fields("needs to run at 30 fps on phones") == {"latency": "realtime", "edge": True}
    assert fields("we just want to show investors something next week") == {"stage": "prototype"}
    assert fields("we're past the MVP") == {"stage": "production"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we don't have any photos", None),
        # the negation is about the tagging, not the logs: they exist
        ("nobody has ever tagged these vibration logs, they're completely raw", "tabular"),
    ],
)
def test_a_data_noun_is_negated_only_right_after_the_negator(text, expected):
    assert fields(text).get("data_type") == expected


@pytest.mark.parametrize(
    ("text", "intent_", "expected"),
    [
        # what is replaced or dropped states nothing
        (
            "what if this became the permanent core system instead of a pilot?",
            "what_if",
            {"stage": "production"},
        ),
        ("Imagine we drop the realtime requirement and run it nightly.", "what_if", {"latency": "relaxed"}),
        # two kinds of data side by side
        (
            "suppose we added the call recordings next to the written notes",
            "what_if",
            {"data_type": "multimodal"},
        ),
        # a data noun listed after an output is output too
        (
            "small brewery, we want something to write the tasting notes & social posts",
            "describe",
            {"task": "open_ended"},
        ),
        # what people already do, or have built, is not the model's task
        (
            "our dentists grade each bitewing x-ray for decay on a 0 to 4 scale",
            "describe",
            {"data_type": "image", "labeled_data": "some"},
        ),
        ("our two quants retrain the credit scoring models every quarter", "describe", {"ml_team": True}),
        # a tool someone knows is a skill, not the data
        ("its me n an intern who knows excel", "describe", {}),
        # an API policy is not a lack of connectivity
        (
            "cant use any cloud AI, everything stays on prem",
            "describe",
            {"privacy": "strict", "external_api_ok": False},
        ),
        (
            "Third-party model APIs have not been approved by the risk committee",
            "describe",
            {"external_api_ok": False},
        ),
    ],
)
def test_replaced_listed_and_done_by_people(text, intent_, expected):
    turn = U.understand(text)
    assert (turn.intent, turn.changes) == (intent_, expected)


def test_a_tag_question_states_nothing_and_suggests():
    turn = U.understand(
        "our two quants could train a gradient boosting model on the loan book, couldn't they?"
    )
    assert (turn.intent, turn.changes, turn.target) == ("why_not", {}, "custom")
