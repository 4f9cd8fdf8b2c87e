"""Whole offline turns over the real Chroma store and the real embedding model."""

from assistant.session import Session


def test_concept_questions_answer_from_passages(conversation):
    session = Session()
    reply = conversation.respond(session, "what is distillation?")
    assert reply.turn.intent == "concept"
    assert reply.citations[0].id == "hybrid-distillation"
    assert "student" in reply.answer.lower() or "imitate" in reply.answer.lower()
    downsides = conversation.respond(session, "what are the downsides of foundation models?")
    assert downsides.citations[0].id == "fm-cons"
