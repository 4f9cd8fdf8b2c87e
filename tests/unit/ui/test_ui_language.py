"""The page in Russian: the language control sets the session's language, every word around the panel is
re-sent when the page's language changes (and only then), and the panel, the what-if buttons and the chat
lines the buttons send follow it. Called directly, as in test_ui_turns (no Gradio)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from assistant.ui import page, render, state
from assistant.ui.turns import SKIP, Turns

from assistant import ModelchoiceError, Session

IMAGES = "We classify product images."
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture(scope="module")
def turns(memory_conversation):
    return Turns(memory_conversation, memory_conversation.sections)


def last(outputs: Iterator[list[object]]) -> list[object]:
    *_, final = outputs
    return final


def parts(outputs: list[object]) -> tuple[dict[str, object], dict[str, object]]:
    """(panel, words around it) by key."""
    panel = outputs[2 : 2 + len(page.PANEL_KEYS)]
    chrome = outputs[2 + len(page.PANEL_KEYS) : -1]
    return dict(zip(page.PANEL_KEYS, panel, strict=True)), dict(zip(page.CHROME_KEYS, chrome, strict=True))


def test_choosing_russian_sends_every_word_in_russian(turns) -> None:
    copy = last(turns.chat(IMAGES, None))[-1]
    outputs = turns.set_language("ru", copy)
    panel, chrome = parts(outputs)
    assert state.load(outputs[-1]).session.lang == "ru"
    box, chat = outputs[0], outputs[1]
    assert box["placeholder"] == "Опишите свой проект или задайте вопрос"  # type: ignore[index]
    assert chat["examples"][0]["display_text"] == "Кредитный скоринг в банке"  # type: ignore[index]
    assert chrome["send"] == page.update(value="Отправить")
    assert chrome["panel_why"] == page.update(label="Почему")
    assert chrome["language"]["value"] == "ru"  # type: ignore[index]
    for key in page.CHROME_KEYS:
        update = chrome[key]
        assert isinstance(update, dict) and update["__type__"] == "update", key
        text = " ".join(str(v) for k, v in update.items() if k in ("value", "label"))
        assert key == "language" or CYRILLIC.search(text), (key, text)
    assert "Рекомендация" in str(panel["card"]) and "Уверенность" in str(panel["card"])
    field = panel["data_type"]
    assert field["label"] == "Тип данных" and ["табличные", "tabular"] in field["choices"]  # type: ignore[index]
    buttons = [panel[f"cf{i}"] for i in range(page.CHOICES)]
    shown = [str(b["value"] if isinstance(b, dict) else b) for b in buttons if b]
    assert shown and all(text.startswith("А если ") for text in shown if text)


def test_the_words_are_sent_once_then_the_page_keeps_them(turns) -> None:
    copy = turns.set_language("ru", last(turns.chat(IMAGES, None))[-1])[-1]
    follow = last(turns.chat("почему?", copy))
    _, chrome = parts(follow)
    assert all(value == SKIP for value in chrome.values())
    assert follow[0] == ""  # the box is emptied, its words stay


def test_buttons_speak_the_pages_language(turns) -> None:
    copy = turns.set_language("ru", last(turns.chat(IMAGES, None))[-1])[-1]
    asked = last(turns.what_if(0, copy))
    assert asked[1][-2]["content"][0]["text"].startswith("А если ")  # type: ignore[index]
    kept = last(turns.settle("discard", asked[-1]))
    assert kept[1][-2]["content"][0]["text"] == "Оставим как было."  # type: ignore[index]


def test_auto_follows_the_answers_and_a_reload_shows_the_chosen_language(turns) -> None:
    copy = turns.set_language("ru", last(turns.chat(IMAGES, None))[-1])[-1]
    back = turns.set_language("auto", copy)
    _, chrome = parts(back)
    assert state.load(back[-1]).session.lang is None
    assert chrome["send"] == page.update(value="Send")  # the answers so far are English
    reloaded = turns.load(turns.set_language("ru", back[-1])[-1])
    _, chrome = parts(reloaded)
    assert chrome["new"] == page.update(value="Новый разговор")
    assert turns.new(reloaded[-1])[-1]["session"]["lang"] == "ru"  # type: ignore[index]


def test_an_unknown_language_is_refused(turns) -> None:
    with pytest.raises(ModelchoiceError):
        turns.set_language("fr", None)


def test_notices_are_in_the_pages_language(turns) -> None:
    session = Session(lang="ru")
    copy = state.dump(state.Visit(session))
    with pytest.raises(ModelchoiceError, match="Сообщение должно быть текстом"):
        last(turns.chat(["not", "text"], copy))
    assert render.form_info("privacy", "chat", "ru") == "из чата"
    assert "Что означают поля" in render.field_help("ru")


def test_the_reasons_their_sources_and_the_what_if_box_are_in_the_pages_language(turns) -> None:
    copy = last(turns.chat("We keep tabular customer data that must stay on our own servers.", None))[-1]
    english, _ = parts(turns.outputs(state.load(copy)))
    assert "tabular" in str(english["why"])
    copy = turns.set_language("ru", copy)[-1]
    copy = last(turns.what_if(0, copy))[-1]
    panel, _ = parts(turns.outputs(state.load(copy)))
    why = re.sub(r"<[^>]+>", " ", str(panel["why"]))
    assert "табличных" in why and "tabular" not in why  # the rules' reasons in Russian
    assert "Сильные стороны кастомных моделей" in why  # the cited sections' Russian titles
    comparison = re.sub(r"<[^>]+>", " ", str(panel["comparison"]))
    assert CYRILLIC.search(comparison) and not re.search(r"\b(the|data|model)\b", comparison), comparison
