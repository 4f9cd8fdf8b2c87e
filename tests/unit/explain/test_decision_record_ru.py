"""The decision record in Russian: its own words (headings, fields, values, provenance, what-ifs, the date)
are Russian, nothing of the English frame is left, counts agree; the session's language is the default,
and `modelchoice record --lang` chooses."""

from __future__ import annotations

import datetime as dt
import re

from click.testing import CliRunner

from assistant import Session, wording
from assistant.cli import main
from assistant.knowledge import section_index, sections_in
from assistant.record import decision_record

FACTS = {
    "data_type": "tabular",
    "task": "narrow",
    "privacy": "strict",
    "ml_team": True,
    "labeled_data": "none",
}


def _session(memory_conversation, facts=FACTS) -> Session:
    session = Session()
    memory_conversation.set_fields(session, facts, source="form")
    return session


def _cyrillic_share(text: str) -> float:
    cyrillic = len(re.findall("[а-яё]", text, re.IGNORECASE))
    return cyrillic / max(1, cyrillic + len(re.findall("[a-z]", text, re.IGNORECASE)))


def test_a_russian_record_has_no_english_frame_left(memory_conversation, app_settings) -> None:
    sections = sections_in(app_settings.knowledge_dirs, "ru")
    text = decision_record(_session(memory_conversation), sections, today=dt.date(2026, 12, 1), lang="ru")
    english = wording.load("record")("en").table
    for key in ("h.profile", "h.reasons", "h.against", "h.change", "h.sources", "h.appendix", "table_head"):
        assert str(english[key]) not in text, key
    assert text.startswith("# Протокол решения: Выбор модели")
    assert "- Дата: 1 декабря 2026 г." in text
    assert "- Известно 5 фактов из 12" in text
    assert "| Тип данных | табличные | задано в форме (ход 1) |" in text
    assert "бы " in text.split("## Что могло бы изменить решение")[1].split("##")[0]  # the chat's clauses
    assert "](knowledge/ru/" in text  # the Russian sections, linked where they are
    body = re.sub(r"\]\([^)]*\)", "]", text.split("## Приложение")[0])  # the words, not the link paths
    body = body.replace("Do You Really Need a Foundation Model?", "")
    assert _cyrillic_share(body) > 0.9, body


def test_counts_agree(memory_conversation, app_settings) -> None:
    sections = section_index(app_settings.knowledge_dirs)
    one = decision_record(_session(memory_conversation, {"data_type": "text"}), sections, lang="ru")
    assert "- Известен 1 факт из 12" in one
    three = decision_record(
        _session(memory_conversation, {"data_type": "text", "task": "narrow", "edge": True}),
        sections,
        lang="ru",
    )
    assert "- Известно 3 факта из 12" in three


def test_an_empty_record_in_russian(app_settings) -> None:
    text = decision_record(Session(), section_index(app_settings.knowledge_dirs), lang="ru")
    assert "## Профиль проекта" in text and "Пока ничего не известно." in text
    assert _cyrillic_share(text) > 0.8


def test_the_sessions_language_is_the_default_and_the_cli_chooses(memory_conversation, tmp_path) -> None:
    session = _session(memory_conversation)
    session.lang = "ru"
    path = tmp_path / "session.json"
    session.save(path)
    runner = CliRunner()
    russian = runner.invoke(main, ["record", "--session", str(path)])
    assert russian.exit_code == 0, russian.output
    assert "## Профиль проекта" in russian.output
    english = runner.invoke(main, ["record", "--session", str(path), "--lang", "en"])
    assert english.exit_code == 0 and "## Project profile" in english.output
