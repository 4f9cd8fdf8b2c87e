"""The front ends' words as data: every language has every key with the same placeholders, the Russian
names of the core's fields, values, options and what-ifs are complete, and a session's language is the
one it chose, else its latest answer's, else English."""

from __future__ import annotations

import re

import pytest

from assistant import FIELDS, Session, wording
from assistant.errors import KnowledgeError
from assistant.lexicon import default_lexicon


@pytest.mark.parametrize("name", ["ui", "record"])
def test_every_table_has_every_key_with_the_same_placeholders(name: str) -> None:
    tables = wording.load(name).tables
    assert wording.problems(tables) == []
    assert set(tables) == {"en", "ru"} and set(tables["en"]) == set(tables["ru"])


def test_a_missing_key_a_changed_placeholder_or_a_wrong_plural_is_reported() -> None:
    english = {"hello": "Hello {name}", "count": ["{n} fact", "{n} facts"], "bye": "Bye"}
    russian = {"hello": "Привет {имя}", "count": ["{n} факт", "{n} факта"]}
    found = wording.problems({"en": english, "ru": russian})
    assert "ru: missing key 'bye'" in found
    assert any(p.startswith("ru.hello: placeholders") for p in found)
    assert "ru.count: needs 3 plural forms (strings)" in found
    assert "language 'ru': missing" in wording.problems({"en": english})


def test_a_broken_table_fails_at_load(tmp_path, monkeypatch) -> None:
    (tmp_path / "broken.yaml").write_text("en: {a: A, b: B}\nru: {a: А}\n", encoding="utf-8")
    monkeypatch.setattr(wording, "WORDING_DIR", tmp_path)
    with pytest.raises(KnowledgeError, match="missing key 'b'"):
        wording.load("broken")


def test_the_russian_names_cover_every_field_value_option_and_what_if() -> None:
    assert wording.field_problems(wording.russian_fields()) == []
    assert "labels: missing 'task'" in wording.field_problems({"labels": {}})
    for name, spec in FIELDS.items():
        assert re.search("[а-я]", wording.field_label(name, "ru"), re.I)
        for value in spec.values:
            assert wording.value_name(name, value, "ru")


def test_every_what_if_has_a_russian_question_in_the_users_voice() -> None:
    for name, value in default_lexicon().what_ifs:
        text = wording.what_if_question({name: value}, "ru")
        assert text.startswith("А если ") and text.endswith("?"), text
        assert not re.search(r"\bваш", text, re.IGNORECASE), text  # «наши», never «ваши»
    assert (
        wording.what_if_question({"privacy": "strict"}, "ru")
        == "А если данные не должны покидать наши серверы?"
    )
    both = wording.what_if_question({"ml_team": False, "volume": "high"}, "ru")
    assert both == "А если у нас нет своей ML-команды и у нас очень много запросов?"
    assert wording.what_if_question({"ml_team": False}) == "What if we had no in-house ML team?"


@pytest.mark.parametrize(
    ("n", "form"),
    [(1, 0), (21, 0), (101, 0), (2, 1), (4, 1), (23, 1), (5, 2), (11, 2), (12, 2), (14, 2), (0, 2)],
)
def test_russian_plural_forms(n: int, form: int) -> None:
    assert wording.plural_index("ru", n) == form


def test_counts_agree_in_both_languages() -> None:
    words = wording.load("record")
    assert words("ru").count("known", 1, total=12) == "- Известен 1 факт из 12"
    assert words("ru").count("known", 3, total=12) == "- Известно 3 факта из 12"
    assert words("ru").count("known", 11, total=12) == "- Известно 11 фактов из 12"
    assert words("en").count("known", 1, total=12) == "- Known: 1 of 12 facts"


def test_a_sessions_language_is_its_choice_else_its_latest_answers_else_english() -> None:
    session = Session()
    assert wording.session_language(session) == "en"
    session.history.append({"turn": 1, "user": "привет", "answer": "…", "lang": "ru"})
    assert wording.session_language(session) == "ru"
    session.lang = "en"
    assert wording.session_language(session) == "en"
    assert wording.join(["а", "б", "в"], "ru") == "а, б и в"
