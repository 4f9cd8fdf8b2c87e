"""The what-if buttons: in the user's voice, never contradicting what the user said, most relevant first."""

import re

import pytest
from assistant.ui import whatif

from assistant import FIELDS, Session, decide

HR_CHATBOT = "We want an HR chatbot for our staff; it answers questions about policies from text documents."


def test_every_field_and_value_has_a_question_in_the_users_voice():
    for name, spec in FIELDS.items():
        for value in spec.values:
            text = whatif.question({name: value})
            assert text.startswith("What if ") and text.endswith("?"), text
            assert not re.search(r"\byou(r|rs)?\b", text, re.IGNORECASE), text  # "our", never "your"


def test_the_strict_privacy_question_reads_as_the_user_would_ask_it():
    assert whatif.question({"privacy": "strict"}) == "What if our data had to stay on our own infrastructure?"
    assert whatif.question({"ml_team": False}) == "What if we had no in-house ML team?"
    both = whatif.question({"ml_team": False, "volume": "high"})
    assert both == "What if we had no in-house ML team and our request volume were high?"


def test_a_button_label_is_the_question_and_where_it_leads():
    decision = decide({"data_type": "tabular"})
    cf = whatif.offered(decision)[0]
    assert whatif.label(cf) == f"{whatif.question({cf.field: cf.value})} → {cf.recommendation.short}"


def test_nothing_the_user_said_is_offered_as_a_what_if(memory_conversation):
    session = Session()
    memory_conversation.respond(session, HR_CHATBOT)
    said = whatif.stated(session)
    assert "data_type" in said and session.facts["data_type"].value == "text"
    decision = decide(session.profile)
    offers = whatif.offered(decision, said)
    assert all(cf.field not in said for cf in offers)
    assert not any(cf.field == "data_type" for cf in offers)  # never "tabular data" for a text chatbot
    flips_said = [cf for cf in decision.counterfactuals if cf.field in said]
    assert flips_said, "the example should have flips the buttons must leave out"


def test_unknown_fields_come_first_and_constraints_before_descriptions():
    decision = decide({"data_type": "image", "labeled_data": "none", "ml_team": True})
    offers = whatif.offered(decision, said=())
    unknown = [cf.current is None for cf in offers]
    assert unknown == sorted(unknown, reverse=True)  # every unknown field before any known one
    order = [whatif.RELEVANCE.index(cf.field) for cf in offers if cf.current is None]
    assert order == sorted(order)
    assert len(offers) <= whatif.MAX_OFFERED
    per_field = {cf.field: sum(c.field == cf.field for c in offers) for cf in offers}
    assert max(per_field.values()) <= whatif.PER_FIELD


def test_assumed_facts_may_be_offered_but_stated_ones_not(memory_conversation):
    session = Session()
    session.apply({"data_type": "tabular"}, "chat")
    session.apply({"privacy": "none"}, "assumed")
    assert whatif.stated(session) == {"data_type"}


@pytest.mark.parametrize("limit", [0, 1, 3])
def test_the_limit_is_kept(limit):
    assert len(whatif.offered(decide({}), limit=limit)) <= limit
