"""Answers in Russian: every sentence has its Russian wording (data, checked on load), Russian answers are
Russian throughout with no English template left over, cases and counts agree, and English is untouched."""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter
from typing import Any

import pytest
from support.guard_cases import BANK, CHATBOT, SEGMENTATION, TITLES, ref

from assistant import explain
from assistant.engine import decide
from assistant.knowledge import section_index
from assistant.lexicon.model import LexiconError
from assistant.lexicon.russian import RU_ANSWERS, load_russian, read_russian
from assistant.rules import PATTERNS
from assistant.settings import DEFAULT_KNOWLEDGE
from assistant.types import AnswerContext as Context
from assistant.types import Option, PassageRef, WhatIf

RU_SECTIONS = section_index([DEFAULT_KNOWLEDGE / "ru"])
RU_TITLES = {sid: s.title for sid, s in RU_SECTIONS.items()}
_OPTION_FIELDS = {"option", "before", "after", "target", "current"}
# Words of the English templates that must never show in a Russian answer (outside titles and passages).
_ENGLISH = re.compile(
    r"\b(?:the|and|my|recommend\w*|because|would|what|with|lean|noted|sources|profile|model|custom)\b", re.I
)


def ru_ref(section: str) -> PassageRef:
    s = RU_SECTIONS[section]
    return PassageRef(f"{section}#0", section, s.title, s.source, s.text)


def _sample(name: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for _, field, _, _ in Formatter().parse(explain.template(name, "ru")):
        if field:
            values[field] = explain.option("hybrid", "ru") if field in _OPTION_FIELDS else f"<{field}>"
    return values


@pytest.mark.parametrize("name", sorted(explain.TEMPLATES))
def test_every_russian_template_renders_with_the_english_fields(name: str) -> None:
    values = _sample(name)
    assert set(values) == set(explain.fields_of(name))
    text = explain.render(name, "ru", **values)
    assert text.strip() and "{" not in text and "}" not in text
    assert not _ENGLISH.search(_unquoted(re.sub(r"<\w+>", "", text))), text


@pytest.mark.parametrize("name", sorted(explain.MESSAGES))
def test_every_conversation_message_has_its_russian_wording(name: str) -> None:
    fields = {f for _, f, _, _ in Formatter().parse(explain.MESSAGES[name]) if f}
    values: dict[str, Any] = {f: explain.option("custom", "ru") for f in fields}
    values.update({"count": 20_000} if "count" in fields else {})
    text = explain.message(name, "ru", **values)
    assert "{" not in text and _cyrillic_share(text) > 0.8


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (0, "правил"),
        (1, "правило"),
        (2, "правила"),
        (4, "правила"),
        (5, "правил"),
        (11, "правил"),
        (12, "правил"),
        (14, "правил"),
        (21, "правило"),
        (22, "правила"),
        (25, "правил"),
        (101, "правило"),
        (111, "правил"),
        (1000, "правил"),
        (-3, "правила"),
    ],
)
def test_plural_agrees_with_the_number(n: int, word: str) -> None:
    assert explain.plural(n, "правило", "правила", "правил") == word


def test_counts_and_cases_are_asked_for_in_the_template() -> None:
    assert f"{explain.Count(1):символ|символа|символов}" == "1 символ"
    assert f"{explain.Count(3):символ|символа|символов}" == "3 символа"
    assert f"{explain.Count(20_000):символ|символа|символов}" == "20\u00a0000 символов"
    assert f"{explain.Count(20_000):,}" == "20,000"
    custom = explain.option("custom", "ru")
    assert (str(custom), f"{custom:acc}", f"{custom:gen}") == (
        "собственная (кастомная) модель",
        "собственную (кастомную) модель",
        "собственной (кастомной) модели",
    )
    assert f"{explain.option('foundation', 'ru'):dat}" == "фундаментальной модели"
    with pytest.raises(ValueError):
        format(custom, "vocative")
    assert explain.message("long_input", "ru", count=20_000).endswith("первые 20\u00a0000 символов.")
    assert explain.message("long_input", count=20_000) == (
        "Your message was long; I read the first 20,000 characters."
    )


def _unquoted(text: str) -> str:
    """Without «quoted» names (the article's English title is a name, not a leftover)."""
    return re.sub(r"«[^»]*»", "", text)


def _cyrillic_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in letters) / max(1, len(letters))


def _body(text: str) -> str:
    """The answer without its sources line (titles are the passages' own)."""
    return _unquoted("\n\n".join(p for p in text.split("\n\n") if not explain.is_sources_line(p)))


def _russian_answers(profile: dict[str, Any]) -> list[tuple[str, str]]:
    d = decide(profile)
    ctx = Context(
        decision=d,
        titles=RU_TITLES,
        passages=[ru_ref(s) for s in d.sources[:3]],
        question_field=d.missing[0] if d.missing else None,
        lang="ru",
        changes={"ml_team": True, "budget": None},
    )
    out = [(i, explain.answer(i, ctx).text) for i in ("recommend", "why", "change_mind", "concept", "help")]
    out += [(i, explain.answer(i, ctx).text) for i in ("discard", "reset", "out_of_scope", "injection")]
    out += [("adopt", explain.answer("adopt", ctx).text), ("undo", explain.undo(ctx, True).text)]
    out += [("undo", explain.undo(ctx, False).text), ("nothing", explain.nothing_pending(ctx).text)]
    for target in Option:
        out.append(("why_not", explain.why_not(Context(**{**ctx.__dict__, "target": target})).text))
    for change in (
        {"ml_team": False},
        {"labeled_data": "none"},
        {"volume": "high", "task": "open_ended"},
        {},
    ):
        w = WhatIf(change, d, decide(d.profile.with_changes(change)))
        out.append(("what_if", explain.what_if(Context(**{**ctx.__dict__, "what_if": w})).text))
    return out


@pytest.mark.parametrize("profile", [BANK, CHATBOT, SEGMENTATION, {"data_type": "text"}, {}])
def test_russian_answers_are_russian_for_every_intent(profile: dict[str, Any]) -> None:
    for intent, text in _russian_answers(profile):
        body = _body(text)
        assert body.strip(), intent
        assert "{" not in text and "}" not in text, (intent, text)
        assert _cyrillic_share(body) > 0.75, (intent, text)
        assert not _ENGLISH.search(body), (intent, _ENGLISH.search(body), text)


def test_russian_sources_line_and_notice() -> None:
    d = decide(BANK)
    ctx = Context(decision=d, titles=RU_TITLES, passages=[ru_ref(s) for s in d.sources[:3]], lang="ru")
    text = explain.recommendation(ctx).text
    assert text.split("\n\n")[-1].startswith("Источники: ")
    assert explain.is_sources_line(text.split("\n\n")[-1]) and explain.is_sources_line("Sources: x [y].")
    assert "**собственная (кастомная) модель**" in text


def test_the_language_is_threaded_through_the_pieces() -> None:
    d = decide(CHATBOT)
    assert explain.currently(d, "ru") == "Сейчас я рекомендую фундаментальную модель."
    assert explain.changed_from(decide(BANK), "ru").endswith("собственная (кастомная) модель.")
    assert explain.noted({"ml_team": False, "budget": None}, "ru") == (
        "Учту: нет своей ML-команды. Снова неизвестно: бюджет на инфраструктуру."
    )
    assert explain.join(["а", "б", "в"], "or", "ru") == "а, б или в"
    assert explain.phrase("ml_team", False, "ru") == "нет своей ML-команды"
    assert explain.confirmation("privacy", "strict", "ru") == "данные не могут покидать ваши серверы"
    assert explain.why_not_head(d, "custom", "ru").startswith("Почему не собственная (кастомная) модель?")


def test_english_answers_are_unchanged_by_the_language_seam() -> None:
    d = decide(BANK)
    ctx = Context(decision=d, titles=TITLES, passages=[ref(s) for s in d.sources[:4]])
    assert ctx.lang == "en"
    english = Context(**{**ctx.__dict__, "lang": "en"})
    for intent in ("recommend", "why", "change_mind", "concept", "help", "injection"):
        assert explain.answer(intent, ctx).text == explain.answer(intent, english).text
    assert explain.changed_from(decide(CHATBOT)) == "That changes my answer: it was a foundation model."
    assert explain.noted({"ml_team": False}) == "Noted: no in-house ML team."


def _broken(tmp_path: Path) -> Path:
    text = RU_ANSWERS.read_text(encoding="utf-8")
    text = text.replace(
        '  noted: "Учту: {facts}."', '  noted: "Учту: {fact}."'
    )  # a field the English does not have
    text = text.replace('  undo.nothing: "Отменять пока нечего."\n', "")  # a sentence left out
    text = text.replace('      false: "нет своей ML-команды"\n', "")  # a phrase left out
    text = text.replace("  tabular-data:\n", "  tabular-dada:\n")  # a rule that does not exist
    text = text.replace(
        '  currently: "Сейчас я рекомендую {option:acc}."', '  currently: "Сейчас {option:akk}."'
    )
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_russian_data_is_checked_against_the_english(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    _, problems = read_russian(explain.TEMPLATES, explain.MESSAGES, PATTERNS, path=path)
    said = [str(p) for p in problems]
    lines = path.read_text(encoding="utf-8").splitlines()

    def line_of(snippet: str) -> int:
        return next(i for i, text in enumerate(lines, 1) if snippet in text)

    expect = [
        (line_of('noted: "Учту: {fact}."'), "entry 'noted'", "differ from the English ['facts']"),
        (0, "undo.nothing", "needs the Russian wording"),
        (0, "entry 'ml_team'", "phrases: False"),
        (line_of("tabular-dada:"), "entry 'tabular-dada'", "no such rule"),
        (0, "entry 'tabular-data'", "every rule needs its Russian reason"),
        (line_of("Сейчас {option:akk}"), "entry 'currently'", "a spec is a case"),
    ]
    for line, entry, message in expect:
        match = [s for s in said if entry in s and message in s and str(path) in s]
        assert match, (entry, message, said)
        if line:  # the entry's line, or its first line of content (a nested mapping's, as in the lexicon)
            assert any(f"{path}:{line}:" in s or f"{path}:{line + 1}:" in s for s in match), (line, match)
    with pytest.raises(LexiconError):
        load_russian(explain.TEMPLATES, explain.MESSAGES, PATTERNS, path=path)


def test_the_shipped_russian_data_has_no_problems() -> None:
    _, problems = read_russian(explain.TEMPLATES, explain.MESSAGES, PATTERNS)
    assert problems == []
