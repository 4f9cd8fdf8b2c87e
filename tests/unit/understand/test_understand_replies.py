"""Short replies to the assistant's question and to a pending what-if (assistant/understand/replies.py).

The utterances are the developers' own (see support.understand_cases).
"""

import pytest
from support.understand_cases import U, fields, intent

from assistant.profile import parse_value
from assistant.types import Turn
from assistant.types import TurnContext as Context
from assistant.understand import YES_NO


def test_yes_no_table_is_schema_valid():
    for name, values in YES_NO.items():
        for value in values:
            assert parse_value(name, value) == value


@pytest.mark.parametrize(
    ("reply", "asked", "expected"),
    [
        ("yes", "ml_team", {"ml_team": True}),
        ("yep, two of them", "ml_team", {"ml_team": True}),
        ("nope", "ml_team", {"ml_team": False}),
        ("no we don't", "external_api_ok", {"external_api_ok": False}),
        ("yes", "edge", {"edge": True}),
        ("nah", "control", {"control": False}),
        ("no", "labeled_data", {"labeled_data": "none"}),
        ("plenty", "labeled_data", {"labeled_data": "plenty"}),
        ("a few", "labeled_data", {"labeled_data": "some"}),
        ("about 40k", "labeled_data", {"labeled_data": "some"}),  # issue 12: tens of thousands are "some"
        ("about 2 million", "labeled_data", {"labeled_data": "plenty"}),
        # years of records hold the labels, whatever number names the span
        ("since 2009, all of it", "labeled_data", {"labeled_data": "plenty"}),
        ("5 years, half-hourly", "labeled_data", {"labeled_data": "plenty"}),
        ("strict", "privacy", {"privacy": "strict", "external_api_ok": False}),
        ("no", "privacy", {"privacy": "none"}),
        ("images", "data_type", {"data_type": "image"}),
        ("tables", "data_type", {"data_type": "tabular"}),
        ("tight", "budget", {"budget": "low"}),
        ("high", "volume", {"volume": "high"}),
        ("maybe 20000", "volume", {"volume": "medium"}),
        ("low", "budget", {"budget": "low"}),
        ("batch is fine", "latency", {"latency": "relaxed"}),
        ("in the cloud", "edge", {"edge": False}),
        ("prototype", "stage", {"stage": "prototype"}),
        ("open-ended", "task", {"task": "open_ended"}),
    ],
)
def test_short_replies_answer_the_asked_field(reply, asked, expected):
    turn = U.understand(reply, Context(asked_field=asked))
    assert (turn.intent, turn.changes) == ("describe", expected)


def test_replies_without_context_or_unclear():
    assert fields("yes") == {} and intent("yes") == "help"
    assert fields("plenty") == {}
    assert U.understand("not sure", Context("budget")) == Turn("describe", {}, text="not sure")
    assert fields("yes", Context("latency")) == {}  # a yes/no does not answer an open question
    # a full sentence is read as usual, and the asked field does not swallow other facts
    assert fields("we have a small budget", Context("ml_team")) == {"budget": "low"}
    assert fields("no ML team", Context("labeled_data")) == {"ml_team": False}


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("yes, let's do that", "adopt"),
        ("go with that", "adopt"),
        ("adopt", "adopt"),
        ("sure", "adopt"),
        ("ok", "adopt"),
        ("no", "discard"),
        ("keep the original", "discard"),
        ("nope, never mind", "discard"),
    ],
)
def test_pending_what_if(reply, expected):
    turn = U.understand(reply, Context(asked_field="ml_team", pending_what_if=True))
    assert (turn.intent, turn.changes) == (expected, {})


def test_pending_what_if_does_not_swallow_facts():
    turn = U.understand("no ML team though", Context(pending_what_if=True))
    assert (turn.intent, turn.changes) == ("describe", {"ml_team": False})


def test_a_short_answer_about_another_field_refers_to_the_data_and_the_task():
    """Asked about labels, "about 2,000 tagged support tickets" answers the labels question; the data and the
    task were described before, so they are not stated again. A whole description given in reply to a
    question states everything it says."""
    assert U.understand("we have about 2,000 tagged support tickets").changes["data_type"] == "text"
    answer = U.understand("we have about 2,000 tagged support tickets", Context("labeled_data"))
    assert answer.changes == {"labeled_data": "some"}
    description = (
        "We make a smart speaker that recognises 30 fixed voice commands. "
        "It has to run offline on the device. We have thousands of hours of labelled recordings."
    )
    changes = U.understand(description, Context("data_type")).changes
    assert changes["data_type"] == "audio" and changes["task"] == "narrow"


@pytest.mark.parametrize(
    ("reply", "asked", "expected"),
    [
        # a longer reply that opens with the amount answers the amount question
        ("a few thousand old reports we could match up to the images, maybe", "labeled_data", "some"),
        ("roughly 3 million, most of them checked by the nurses over the years", "labeled_data", "plenty"),
    ],
)
def test_a_longer_reply_opening_with_an_amount_answers_it(reply, asked, expected):
    assert U.understand(reply, Context(asked_field=asked)).changes == {asked: expected}


def test_an_amount_later_in_a_longer_reply_is_not_the_answer():
    reply = "the nurses wrote the reports over about 3000 shifts"
    turn = U.understand(reply, Context(asked_field="labeled_data"))
    assert "labeled_data" not in turn.changes


def test_a_string_of_numbers_is_not_an_amount():
    reply = "1 0 1 0 and 4 in 1 4 and 0 3 to 0 3 1 0 4 3"
    assert "labeled_data" not in U.understand(reply, Context(asked_field="labeled_data")).changes


@pytest.mark.parametrize(
    "text",
    ["why not just use GPT-4 for it?", "isn't a hybrid safer, no?", "why not a custom model then?"],
)
def test_a_question_after_a_suggestion_is_no_answer_to_it(text):
    """The assistant asked "nobody on the team builds ML models: is that right?"; a new question with a
    "not" or "no" in it is not a "no, that's wrong" (it once stored ml_team=true from "why not ...?")."""
    context = Context("ml_team", suggested={"ml_team": False})
    turn = U.understand(text, context)
    assert (turn.intent, turn.changes) == ("why_not", {})
