"""The decision record reads as a document: sentences, the user's own words as evidence for each fact,
sources as titles linked to their sections, and the profile as data only in an appendix."""

from __future__ import annotations

import datetime as dt

from assistant.knowledge import section_index
from assistant.record import decision_record
from assistant.session import Session

BANK = (
    "We're a bank. We want to score loan applicants from their transaction history, which is stored in "
    "tables. Customer data can't leave our data centre, and we have an in-house data science team."
)


def test_a_record_quotes_the_users_words_and_links_its_sources(memory_conversation, app_settings) -> None:
    session = Session()
    memory_conversation.respond(session, BANK)
    memory_conversation.respond(session, "what if we had to handle 2 million requests a day?")
    memory_conversation.respond(session, "let's go with that")
    memory_conversation.set_fields(session, {"control": True})
    sections = section_index(app_settings.knowledge_dirs)
    text = decision_record(session, sections, today=dt.date(2026, 1, 2))
    assert "- Decision: **a custom model** (confidence: high)" in text
    assert "Given tabular data" in text and "the recommendation is **a custom model**" in text
    assert (
        "- **Tabular data.** In turn 1 you said: “We want to score loan applicants from their transaction "
        "history, which is stored in tables.”" in text
    )
    assert (
        "- **High request volume.** Adopted from your what-if in turn 2: "
        "“what if we had to handle 2 million requests a day?”" in text
    )
    assert "- **A need for full control.** Set in the form (turn 4)." in text
    assert "[Strengths of custom models](knowledge/custom-models.md#custom-pros)" in text
    assert "custom-is-default" not in text and "%" not in text
    profile_part = text.split("## Reasons")[0]
    assert "| ML team | true |" not in profile_part  # raw values only in the appendix
    assert "## Appendix: the profile as data" in text and "| Privacy | strict | stated in chat" in text


def test_a_short_reply_is_quoted_with_the_question_it_answers(memory_conversation, app_settings) -> None:
    session = Session()
    memory_conversation.respond(session, "We need to classify support tickets into 12 categories.")
    asked = session.asked_field
    memory_conversation.respond(session, {"stage": "a prototype", "ml_team": "yes"}.get(asked or "", "none"))
    text = decision_record(session, section_index(app_settings.knowledge_dirs))
    assert "you answered “" in text


def test_an_undecided_session_records_a_lean_not_a_decision(memory_conversation, app_settings) -> None:
    session = Session()
    memory_conversation.respond(session, "We need to classify support tickets into 12 categories.")
    text = decision_record(session, section_index(app_settings.knowledge_dirs))
    assert "- Decision: **not yet**: too little is known to recommend anything; the lean so far is" in text
