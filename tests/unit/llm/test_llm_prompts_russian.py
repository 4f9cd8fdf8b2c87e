"""The LLM path in Russian: the prompt asks for Russian and carries the decision in the Russian wording, the
frame around the model's text is the Russian explainer's, and the guard checks the Russian draft."""

from __future__ import annotations

import re
from typing import Any

from support.guard_cases import BANK, CHATBOT, TITLES, ref
from support.llm_servers import FakeLLM, SectionRetriever, Text, collect

from assistant.conversation import Conversation
from assistant.engine import decide
from assistant.guard import SUPPORT_THRESHOLD
from assistant.llm.prompts import Shown, build_messages, frame_for
from assistant.session import Session
from assistant.settings import Settings
from assistant.types import AnswerContext, Intent, Reply, Turn, WhatIf
from assistant.understand import RuleBasedUnderstander

CYRILLIC = re.compile(r"[а-яё]", re.I)


def _messages(profile: dict[str, Any], lang: str, intent: Intent = Intent.RECOMMEND, **kw: Any) -> list[Any]:
    d = decide(profile)
    ctx = AnswerContext(decision=d, titles=TITLES, passages=[ref(s) for s in d.sources[:2]], lang=lang, **kw)
    reply = Reply("", Turn(intent), d)
    shown = [Shown(p.section, p.title, p.text[:200]) for p in ctx.passages]
    return build_messages(reply, ctx, "почему так?", shown)


def test_a_russian_answer_is_prompted_in_russian() -> None:
    system, user = (m.content for m in _messages(BANK, "ru"))
    assert "Отвечай только по-русски" in system and "2–4 коротких предложения" in system
    assert "[custom-pros]" in system  # the citation format names a passage shown
    assert user.startswith("Вопрос: почему так?")
    assert "Решение: собственная (кастомная) модель (уверенность" in user
    assert "Факты о проекте: табличные данные; " in user
    assert "- На табличных, структурированных данных небольшие модели" in user  # the rules' Russian reasons
    assert user.rstrip().endswith("почему для этого проекта рекомендация — собственная (кастомная) модель.")
    assert "Question:" not in user and "Decision:" not in user


def test_the_russian_prompt_names_what_if_changes_and_the_option_asked_about() -> None:
    d = decide(CHATBOT)
    w = WhatIf({"ml_team": True}, d, decide(d.profile.with_changes({"ml_team": True})))
    _, user = (m.content for m in _messages(CHATBOT, "ru", Intent.WHAT_IF, what_if=w))
    assert (
        "Решение: сейчас рекомендация — фундаментальная модель; при таких изменениях (своя ML-команда)"
        in user
    )
    _, user = (m.content for m in _messages(BANK, "ru", Intent.WHY_NOT, target="foundation"))
    assert "почему рекомендация — не фундаментальная модель, а собственная (кастомная) модель." in user


def test_the_english_prompt_is_unchanged() -> None:
    system, user = (m.content for m in _messages(BANK, "en"))
    assert system.startswith("You explain a decision that a rules engine made")
    assert user.startswith("Question: почему так?\n\nDecision: a custom model (confidence ")
    assert not CYRILLIC.search(user.replace("почему так?", ""))
    assert user.rstrip().endswith("Explain why a custom model is the recommendation for this project.")


def test_the_frame_is_the_russian_explainers() -> None:
    d = decide(BANK)
    ctx = AnswerContext(decision=d, titles=TITLES, lang="ru", question_field="labeled_data")
    frame = frame_for(Intent.RECOMMEND, ctx)
    assert "моя рекомендация — **собственная (кастомная) модель**" in frame.head
    assert frame.tail.startswith("Один вопрос, ответ на который может изменить рекомендацию:")
    w = WhatIf({"labeled_data": "none"}, d, decide(d.profile.with_changes({"labeled_data": "none"})))
    frame = frame_for(Intent.WHAT_IF, AnswerContext(decision=d, titles=TITLES, lang="ru", what_if=w))
    assert frame.head.startswith("При таких условиях (нет размеченных данных)")
    assert frame.tail.startswith("Сохранённый профиль")
    assert frame_for(Intent.CHANGE_MIND, ctx).head == "Сейчас я рекомендую собственную (кастомную) модель."


DESCRIBE = "quick internal HR chatbot prototype, no ML engineers, OpenAI API is fine"
GOOD_RU = (
    "Даже без ML-инженеров обычные разработчики могут строить продукт поверх фундаментальной модели через её "
    "API [when-foundation]. Для быстрой проверки идеи или MVP фундаментальная модель даёт рабочий результат "
    "без датасета и конвейера обучения."
)
BAD_RU = "Для вашего проекта лучше подойдёт собственная (кастомная) модель. " + GOOD_RU


def _run(fake: FakeLLM) -> Reply:
    config = Settings(
        llm="openai",
        openai_base_url=fake.base_url,
        openai_api_key="sk-test",
        openai_model="fake",
        llm_timeout=5.0,
        llm_max_retries=0,
    )
    conv = Conversation(
        config, understander=RuleBasedUnderstander(), retriever=SectionRetriever(config.knowledge_dirs)
    )
    _, final = collect(conv.stream(Session(lang="ru"), DESCRIBE))
    assert isinstance(final, Reply)
    return final


def test_a_russian_draft_is_checked_by_the_guard_and_kept() -> None:
    with FakeLLM() as fake:
        fake.script.write.append(Text(GOOD_RU))
        reply = _run(fake)
    assert reply.lang == "ru"
    assert reply.guard is not None and reply.guard.to_dict()["action"] == "accepted"
    assert reply.guard.threshold == SUPPORT_THRESHOLD["ru"] != SUPPORT_THRESHOLD["en"]  # held to Russian's
    assert "обычные разработчики могут строить продукт" in reply.answer
    assert "**фундаментальная модель**" in reply.answer and "Источники: " in reply.answer


def test_a_russian_draft_that_recommends_another_option_is_regenerated() -> None:
    with FakeLLM() as fake:
        fake.script.write.extend([Text(BAD_RU), Text(GOOD_RU)])
        reply = _run(fake)
        second = [r for r in fake.script.requests if not r.get("tools")][-1]
    record = reply.guard.to_dict() if reply.guard else {}
    assert record["action"] == "regenerated" and record["reason"] == "guard: recommendation"
    prompt = "\n".join(m["content"] for m in second["messages"])
    assert "Предыдущий вариант этого объяснения отклонён" in prompt
    assert "собственная (кастомная) модель. Даже" not in reply.answer
