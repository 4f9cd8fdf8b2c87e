"""Reads knowledge/lexicon/ru/answers.yaml: the Russian wording of every answer, checked against the English.

Why its own module: the Russian answers are an editing format of their own (options in six cases, rule
reasons by rule id, templates by the English names), and what makes them usable is that nothing is missing:
every English template and message has a Russian counterpart with the same {fields}, every field, value,
rule and hybrid pattern is worded. Every problem is named by file, line, entry and part, as in `loader`.
The English side is passed in (the explainer owns it), so this module imports nothing from `explain`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Any

from ..profile import FIELDS
from ..types import Option, Value
from .loader import LEXICON_DIR
from .model import LexiconError, Problem
from .source import read_document

__all__ = [
    "CASES",
    "RU_ANSWERS",
    "RuleWords",
    "RussianAnswers",
    "load_russian",
    "read_russian",
    "shipped_rules",
]

RU_ANSWERS = LEXICON_DIR / "ru" / "answers.yaml"
CASES = ("nom", "gen", "dat", "acc", "ins", "prep")
_SECTIONS = ("words", "options", "templates", "messages", "fields", "rules", "patterns")
_PLURAL_SPEC = re.compile(r"^[^|{}]+\|[^|{}]+\|[^|{}]+$")


@dataclass(frozen=True)
class RuleWords:
    """One rule's reason (and note) in Russian: `(english_has_note)` decides whether a note is needed."""

    reason: str
    note: str = ""


@dataclass(frozen=True)
class RussianAnswers:
    """The Russian wording, complete (every key the English side has)."""

    file: str
    words: Mapping[str, str]  # "and", "or"
    cases: Mapping[Option, Mapping[str, str]]  # option -> case -> label
    short: Mapping[Option, str]
    titles: Mapping[Option, str]
    templates: Mapping[str, str]
    messages: Mapping[str, str]
    labels: Mapping[str, str]  # field -> label
    questions: Mapping[str, str]
    phrases: Mapping[tuple[str, Value], str]
    confirm: Mapping[tuple[str, Value], str]
    rules: Mapping[str, RuleWords]
    patterns: Mapping[str, str]


def fields_in(template: str) -> dict[str, str]:
    """{field: format spec} of a `str.format` template (the first spec of a field written twice)."""
    out: dict[str, str] = {}
    for _, name, spec, _ in Formatter().parse(template):
        if name is not None and name not in out:
            out[name] = spec or ""
    return out


class _Read:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def bad(self, line: int, entry: str | None, part: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, entry, part, message))

    def mapping(self, raw: object, line: int, entry: str | None, part: str | None) -> dict[Any, Any]:
        if isinstance(raw, dict):
            return raw if "__line__" in raw else {"__line__": line, "__lines__": {}, **raw}
        self.bad(line, entry, part, "expected a mapping")
        return {"__line__": line, "__lines__": {}}

    def strings(
        self, raw: dict[Any, Any], keys: Iterable[Any], entry: str | None, part: str, what: str
    ) -> dict[Any, str]:
        """raw[key] for every key (each a non-empty string); missing and unknown keys are problems."""
        keys = list(keys)
        lines = raw.get("__lines__", {})
        out: dict[Any, str] = {}
        for key in keys:
            value = raw.get(key)
            if not isinstance(value, str) or not value.strip():
                self.bad(lines.get(key, raw["__line__"]), entry, f"{part}: {key}", f"needs {what}")
            else:
                out[key] = " ".join(value.split())
        for key in _own(raw):
            if key not in keys:
                self.bad(
                    lines.get(key, raw["__line__"]), entry, f"{part}: {key}", f"unknown key (known: {keys})"
                )
        return out

    def templates(self, raw: dict[Any, Any], english: Mapping[str, str], part: str) -> dict[str, str]:
        """Every English template, same fields; a case or a plural spec only where the Russian needs one."""
        out = self.strings(raw, english, None, part, "the Russian wording of this sentence")
        lines = raw.get("__lines__", {})
        for name, text in out.items():
            line = lines.get(name, raw["__line__"])
            try:
                mine, theirs = fields_in(text), fields_in(english[name])
            except ValueError as exc:
                self.bad(line, name, part, f"not a valid template: {exc}")
                continue
            if set(mine) != set(theirs):
                self.bad(line, name, part, f"fields {sorted(mine)} differ from the English {sorted(theirs)}")
            for field, spec in mine.items():
                if spec and spec not in CASES and not _PLURAL_SPEC.match(spec):
                    self.bad(
                        line, name, part, f"{{{field}:{spec}}}: a spec is a case {CASES} or 'one|few|many'"
                    )
        return out


def _own(raw: Mapping[Any, Any]) -> list[Any]:
    return [k for k in raw if not str(k).startswith("__")]


def shipped_rules() -> dict[str, bool]:
    """{rule id: has a note} of the shipped knowledge/rules.yaml."""
    from ..rules import load_rules

    return {rule.id: bool(rule.note) for rule in load_rules(LEXICON_DIR.parent / "rules.yaml")}


def read_russian(
    templates: Mapping[str, str],
    messages: Mapping[str, str],
    patterns: Iterable[str],
    rules: Mapping[str, bool] | None = None,
    path: Path = RU_ANSWERS,
) -> tuple[RussianAnswers, list[Problem]]:
    """The Russian answers at `path`, checked against the English `templates`, `messages`, hybrid
    `patterns` and `rules` ({id: has a note}; default: the shipped rules), and every problem found."""
    r = _Read(str(path))
    ok, data = read_document(path, lambda f, line, e, p, m: r.bad(line, e, p, m))
    data = r.mapping(data if ok else {}, 1, None, None)
    lines = data.get("__lines__", {})
    for key in _own(data):
        if key not in _SECTIONS:
            r.bad(lines.get(key, 1), None, str(key), f"unknown section (known: {list(_SECTIONS)})")

    def section(name: str) -> dict[Any, Any]:
        if name not in data and ok:
            r.bad(1, None, name, "missing section")
        return r.mapping(data.get(name, {}), lines.get(name, 1), None, name)

    words = r.strings(section("words"), ("and", "or"), None, "words", "the connective")
    cases: dict[Option, Mapping[str, str]] = {}
    short: dict[Option, str] = {}
    titles: dict[Option, str] = {}
    options = section("options")
    for option in Option:
        if option.value not in options:
            r.bad(options["__line__"], option.value, "options", "every option needs its Russian names")
        entry = r.mapping(options.get(option.value, {}), options["__line__"], option.value, "options")
        label = r.mapping(entry.get("label", {}), entry["__line__"], option.value, "label")
        cases[option] = r.strings(label, CASES, option.value, "label", "the label in this case")
        plain = {k: v for k, v in entry.items() if k != "label"}
        names = r.strings(plain, ("short", "title"), option.value, "options", "a name")
        short[option], titles[option] = names.get("short", ""), names.get("title", "")
    for key in _own(options):
        if Option.parse(key) is None:
            r.bad(options["__lines__"].get(key, 1), str(key), "options", "unknown option")
    fields = section("fields")
    labels: dict[str, str] = {}
    questions: dict[str, str] = {}
    phrases: dict[tuple[str, Value], str] = {}
    confirm: dict[tuple[str, Value], str] = {}
    for key in _own(fields):
        if key not in FIELDS:
            r.bad(fields["__lines__"].get(key, 1), str(key), "fields", "unknown field")
    for name, spec in FIELDS.items():
        if name not in fields:
            r.bad(fields["__line__"], name, "fields", "every field needs its Russian wording")
        raw = r.mapping(fields.get(name, {}), fields["__lines__"].get(name, fields["__line__"]), name, None)
        for key in _own(raw):
            if key not in ("label", "question", "phrases", "confirm"):
                r.bad(raw["__lines__"].get(key, raw["__line__"]), name, str(key), "unknown key")
        head = {k: v for k, v in raw.items() if k in ("__line__", "__lines__", "label", "question")}
        texts = r.strings(head, ("label", "question"), name, "field", "text")
        labels[name], questions[name] = texts.get("label", ""), texts.get("question", "")
        for part, table in (("phrases", phrases), ("confirm", confirm)):
            values = r.mapping(raw.get(part, {}), raw["__line__"], name, part)
            for value, text in r.strings(values, spec.values, name, part, "one text per value").items():
                table[(name, value)] = text
    rules = shipped_rules() if rules is None else rules
    said: dict[str, RuleWords] = {}
    rules_raw = section("rules")
    for rule_id, needs_note in rules.items():
        where = rules_raw["__lines__"].get(rule_id, rules_raw["__line__"])
        if rule_id not in rules_raw:
            r.bad(where, rule_id, "rules", "every rule needs its Russian reason")
        raw = r.mapping(rules_raw.get(rule_id, {}), where, rule_id, "rules")
        keys = ("reason", "note") if needs_note else ("reason",)
        texts = r.strings(raw, keys, rule_id, "rules", "the Russian text (the English rule has one)")
        said[rule_id] = RuleWords(texts.get("reason", ""), texts.get("note", ""))
    for key in _own(rules_raw):
        if key not in rules:
            r.bad(rules_raw["__lines__"].get(key, 1), str(key), "rules", "no such rule in the rules file")
    return (
        RussianAnswers(
            str(path),
            words,
            cases,
            short,
            titles,
            r.templates(section("templates"), templates, "templates"),
            r.templates(section("messages"), messages, "messages"),
            labels,
            questions,
            phrases,
            confirm,
            said,
            r.strings(section("patterns"), patterns, None, "patterns", "the pattern's label"),
        ),
        r.problems,
    )


def load_russian(
    templates: Mapping[str, str],
    messages: Mapping[str, str],
    patterns: Iterable[str],
    path: Path = RU_ANSWERS,
) -> RussianAnswers:
    """The validated Russian answers; raises LexiconError listing every problem (file, line, entry, part)."""
    found, problems = read_russian(templates, messages, patterns, path=path)
    if problems:
        raise LexiconError(problems)
    return found
