"""A conversation answered in Russian: every note the conversation itself writes follows the answer's
language (form edits, guesses to confirm, reversed facts, a degraded search, a long paste), and a Russian
message gets an answer instead of a request to write in English."""

from __future__ import annotations

from typing import Any

from assistant import Conversation, MemoryRetriever
from assistant.session import Session
from assistant.types import Intent, Turn, TurnContext

HR = "quick internal HR chatbot prototype, no ML engineers, OpenAI API is fine"


class _Says:
    """An understander that reads every message as the given turn (the Russian reader is another part)."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn

    def understand(self, text: str, context: TurnContext | None = None) -> Turn:
        return Turn(**{**self.turn.__dict__, "text": text})


def _conversation(app_settings: Any, turn: Turn) -> Conversation:
    retriever = MemoryRetriever(app_settings.knowledge_dirs)
    return Conversation(app_settings, understander=_Says(turn), retriever=retriever)


def test_a_guess_to_confirm_is_asked_in_russian_before_the_sources(app_settings):
    turn = Turn(Intent.DESCRIBE, {"data_type": "tabular"}, suggested={"privacy": "strict"}, lang="ru")
    reply = _conversation(app_settings, turn).respond(Session(), "у нас таблицы, и данные секретные")
    parts = reply.answer.split("\n\n")
    assert reply.lang == "ru" and parts[0] == "Учту: табличные данные."
    assert parts[-2] == "Похоже, данные не могут покидать ваши серверы. Верно?"
    assert parts[-1].startswith("Источники: ")


def test_form_edits_and_reversals_are_said_in_russian(memory_conversation):
    session = Session(lang="ru")
    memory_conversation.respond(session, "We cannot use third-party model APIs; the data is tabular.")
    reply = memory_conversation.respond(session, "Actually, using the OpenAI API is fine for us.")
    assert (
        "Раньше вы сказали: никаких сторонних API моделей; теперь записано: сторонние API моделей допустимы."
        in reply.answer
    )
    session = Session(lang="ru")
    memory_conversation.respond(session, HR)
    note = memory_conversation.set_fields(session, {"privacy": "strict", "external_api_ok": False})
    assert note.lang == "ru"
    assert note.answer == (
        "Форма обновлена: рекомендация меняется — вместо фундаментальной модели теперь "
        "собственная (кастомная) модель."
    )
    again = memory_conversation.set_fields(session, {"budget": "high"})
    assert again.answer == "Форма обновлена: рекомендация прежняя — собственная (кастомная) модель."
    assert memory_conversation.set_fields(session, {"budget": "high"}).answer == "Ничего не изменилось."


def test_a_long_paste_is_noted_in_russian(memory_conversation):
    reply = memory_conversation.respond(Session(lang="ru"), "We have tabular data. " + "x" * 100_000)
    assert "учтены только первые 20\u00a0000 символов" in reply.answer


def test_an_unreachable_store_is_said_in_russian(app_settings):
    class Broken:
        def search(self, query: str, k: int = 4, boost_sections: Any = ()) -> Any:
            from assistant.errors import RetrievalError

            raise RetrievalError("the store is being rebuilt")

    reply = Conversation(app_settings, retriever=Broken()).respond(
        Session(lang="ru"), "what is distillation?"
    )
    assert "База знаний сейчас недоступна" in reply.answer


def test_a_russian_message_is_answered_not_sent_back(app_settings):
    turn = Turn(Intent.HELP, {}, lang="ru")  # how the understander marks a Russian message
    reply = _conversation(app_settings, turn).respond(Session(), "Помогите выбрать модель")
    assert "только английский" not in reply.answer
    assert reply.lang == "ru" and reply.answer.startswith("Я помогаю выбрать")
    other = Turn(Intent.HELP, {}, language="uk")  # a language not answered in still gets its one line
    reply = _conversation(app_settings, other).respond(Session(), "Допоможіть")
    assert "англійською" in reply.answer
