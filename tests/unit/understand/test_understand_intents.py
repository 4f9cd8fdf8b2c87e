"""Intents and their priority, why-not targets (assistant/understand/intents.py).

The utterances are the developers' own (see support.understand_cases).
"""

import pytest
from support.understand_cases import INTENT_CASES, U, intent


@pytest.mark.parametrize(("text", "expected", "changes"), INTENT_CASES, ids=[c[0] for c in INTENT_CASES])
def test_intents(text, expected, changes):
    turn = U.understand(text)
    assert (turn.intent, turn.changes) == (expected, changes)
    assert turn.hypothetical == (expected == "what_if")


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("why not a hybrid approach?", "hybrid"),
        ("why shouldn't we train our own model?", "custom"),
        ("why not just call an LLM?", "foundation"),
        ("how come you didn't pick custom?", "custom"),
    ],
)
def test_why_not_targets(text, target):
    assert U.understand(text).target == target


def test_why_not_without_a_target_is_why():
    assert intent("why not?") == "why"


def test_facts_stated_before_a_question_describe():
    """The labelling README: a message that states facts is describe, whatever it then asks."""
    turn = U.understand("We classify X-ray images, no ML team, data stays on-prem. What should we use?")
    assert turn.intent == "describe"
    assert turn.changes == {
        "task": "narrow",
        "data_type": "image",
        "ml_team": False,
        "privacy": "strict",
        "external_api_ok": False,
    }


def test_facts_inside_a_recommend_question_are_not_stored():
    turn = U.understand("with a tiny team and all those graded photos, which route makes more sense?")
    assert (turn.intent, turn.changes) == ("recommend", {})
    # with no question mark, a wh-word before an inverted verb still asks
    turn = U.understand("what would you recommend for a zoo that has no ML people and no labelled data")
    assert (turn.intent, turn.changes) == ("recommend", {})
    # the facts are kept when they are stated: only the asking changes
    turn = U.understand("we have a tiny team and graded photos, which route makes more sense?")
    assert turn.intent == "describe" and turn.changes.get("data_type") == "image"


def test_a_suggestion_typed_without_its_question_mark_states_nothing():
    turn = U.understand("why not just call the OpenAI API and be done")
    assert (turn.intent, turn.changes) == ("why_not", {})


def test_priority_what_if_beats_why_and_recommend():
    assert intent("what if we had no labels - why would that change your recommendation?") == "what_if"
    assert intent("start over, what if we had a huge budget?") == "reset"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("foundation model, custom model or hybrid?", "recommend"),
        ("should we use a foundation model or go custom?", "recommend"),
        # both options on one side of "or": a comparison of them, not a choice between them
        ("is a custom model the same as fine-tuning a foundation model, or different?", "concept"),
    ],
)
def test_a_choice_names_options_on_both_sides_of_or(text, expected):
    assert intent(text) == expected


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        # the labels are the hypothetical; the clips and photos are the data already described
        ("what if the safety team labelled a few hundred clips for us?", {"labeled_data": "some"}),
        ("suppose we paid an agency to label about 20k images", {"labeled_data": "some"}),
        # without labels in it, the data itself is what the what-if changes
        ("what if it were live video instead?", {"data_type": "video"}),
    ],
)
def test_a_what_if_about_labels_does_not_restate_the_data(text, changes):
    turn = U.understand(text)
    assert (turn.intent, turn.changes) == ("what_if", changes)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("could we not just call Claude's API and be done with it", True),  # a question without its "?"
        ("should we not keep it all on our own servers", True),
        ("can a foundation model cope with audio from a noisy stadium concourse", True),
        ("can't send anything outside, the client contract says so", False),  # a statement, no subject
        ("we can't send anything outside", False),
    ],
)
def test_a_question_typed_without_a_question_mark_states_nothing(text, asks):
    turn = U.understand(text)
    assert (turn.changes == {}) == asks
    assert (turn.intent != "describe") == asks


def test_a_russian_statement_is_not_read_as_an_inverted_question():
    """Russian word order is free: "можем тратить..." (we can spend) glosses as "can ... spend" and states."""
    turn = U.understand("можем тратить пару сотен тысяч рублей в месяц на инфраструктуру, но не миллионы")
    assert turn.intent == "describe"
    assert turn.changes
