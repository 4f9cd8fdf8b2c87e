"""Front-end wording in several languages, as data: the web app's and the decision record's words.

Each table is a YAML file in knowledge/wording/ with one mapping per language (`en:`, `ru:`) under the
same keys. Loading checks that every language has every key with the same `{placeholders}` (and the right
number of plural forms), so a missing translation fails at load and in a test, never in front of a user.
Words the core already has in English (field labels, option names, the lexicon's what-if clauses) are not
copied: their Russian versions are in knowledge/wording/ru/fields.yaml, checked against the same keys.

Also here: which language a session's front end speaks (`session_language`), Russian plural forms and a
language-aware "a, b and c".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from .errors import KnowledgeError
from .profile import FIELDS
from .session import Session
from .types import LANGUAGES, Option, Value

WORDING_DIR = Path(str(files("assistant.data"))) / "wording"
# How many plural forms an entry has: English one/other; Russian one (1, 21), few (2-4, 22) and many.
PLURAL_FORMS = {"en": 2, "ru": 3}
_AND = {"en": "and", "ru": "и"}
Entry = str | list[str]  # a list is an entry's plural forms, each with the placeholder {n}


def session_language(session: Session) -> str:
    """The session's chosen language, else the language of its latest answer (English before any)."""
    return session.lang or session.recent_lang


def plural_index(lang: str, n: int) -> int:
    """Which plural form `n` takes: 1 → one; ru 2-4 (not 12-14) → few; the rest → other / many."""
    if lang != "ru":
        return 0 if n == 1 else 1
    n = abs(n) % 100
    if n % 10 == 1 and n != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n <= 14:
        return 1
    return 2


def join(items: Sequence[str], lang: str = "en") -> str:
    """ "a, b and c" / «а, б и в»."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_AND.get(lang, 'and')} {items[-1]}"


@dataclass(frozen=True)
class Words:
    """One language's table: `words("key", name=...)` fills a template in; `words.count("key", n)` picks the
    plural form for `n`."""

    lang: str
    table: Mapping[str, Entry]

    def __call__(self, key: str, **fields: object) -> str:
        entry = self.table[key]
        text = entry if isinstance(entry, str) else entry[-1]
        return text.format(**fields) if fields else text

    def count(self, key: str, n: int, **fields: object) -> str:
        entry = self.table[key]
        forms = [entry] if isinstance(entry, str) else entry
        return forms[min(plural_index(self.lang, n), len(forms) - 1)].format(n=n, **fields)

    def join(self, items: Sequence[str]) -> str:
        return join(items, self.lang)


@dataclass(frozen=True)
class Wording:
    """A checked set of tables, one per language in `types.LANGUAGES`."""

    name: str
    tables: Mapping[str, Mapping[str, Entry]]

    def __call__(self, lang: str | None) -> Words:
        code = lang if lang is not None and lang in self.tables else "en"
        return Words(code, self.tables[code])

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.tables["en"])


def placeholders(entry: Entry) -> list[frozenset[str]]:
    texts = [entry] if isinstance(entry, str) else entry
    return [frozenset(f for _, f, _, _ in Formatter().parse(t) if f is not None) for t in texts]


def problems(tables: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What is wrong with a set of tables: a language or key missing or extra, a placeholder differing."""
    out = [f"language {lang!r}: missing" for lang in LANGUAGES if lang not in tables]
    out += [f"language {lang!r}: not supported" for lang in tables if lang not in LANGUAGES]
    english = tables.get("en") or {}
    for lang, table in tables.items():
        if lang == "en" or lang not in LANGUAGES:
            continue
        out += [f"{lang}: missing key {k!r}" for k in english if k not in table]
        out += [f"{lang}: key {k!r} is not in the English table" for k in table if k not in english]
    for lang, table in tables.items():
        for key, entry in table.items():
            if isinstance(entry, list):
                if len(entry) != PLURAL_FORMS.get(lang, 2) or not all(isinstance(e, str) for e in entry):
                    out.append(f"{lang}.{key}: needs {PLURAL_FORMS.get(lang, 2)} plural forms (strings)")
                    continue
                if any("n" not in p for p in placeholders(entry)):
                    out.append(f"{lang}.{key}: every plural form needs {{n}}")
            elif not isinstance(entry, str):
                out.append(f"{lang}.{key}: not text")
                continue
            if key in english and lang != "en" and _fields(entry) != _fields(english[key]):
                out.append(f"{lang}.{key}: placeholders {sorted(_fields(entry))} differ from English")
    return out


def _fields(entry: Entry) -> frozenset[str]:
    return frozenset().union(*placeholders(entry)) if isinstance(entry, (str, list)) else frozenset()


@cache
def load(name: str) -> Wording:
    """knowledge/wording/{name}.yaml, checked; a broken table is a KnowledgeError naming every problem."""
    path = WORDING_DIR / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping) or not all(isinstance(t, Mapping) for t in data.values()):
        raise KnowledgeError(f"{path}: expected one mapping per language")
    found = problems(data)
    if found:
        raise KnowledgeError(f"{path}: " + "; ".join(found))
    return Wording(name, {lang: dict(table) for lang, table in data.items()})


# --- the core's English words, in Russian ----------------------------------------------------------------
@cache
def russian_fields() -> Mapping[str, Any]:
    """knowledge/wording/ru/fields.yaml, checked against the profile's fields, their values, the options
    and the lexicon's what-if clauses."""
    path = WORDING_DIR / "ru" / "fields.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = field_problems(data)
    if found:
        raise KnowledgeError(f"{path}: " + "; ".join(found))
    return dict(data)


def field_problems(data: Any) -> list[str]:
    from .lexicon import default_lexicon

    if not isinstance(data, Mapping):
        return ["expected a mapping"]
    out: list[str] = []
    for part in ("labels", "help"):
        out += [f"{part}: missing {n!r}" for n in FIELDS if not (data.get(part) or {}).get(n)]
    values = data.get("values") or {}
    for name, spec in FIELDS.items():
        out += [f"values.{name}: missing {v!r}" for v in spec.values if not (values.get(name) or {}).get(v)]
    for option in Option:
        entry = (data.get("options") or {}).get(option.value) or {}
        out += [f"options.{option.value}: missing {k!r}" for k in ("title", "short") if not entry.get(k)]
    clauses = data.get("what_ifs") or {}
    for name, value in default_lexicon().what_ifs:
        if not (clauses.get(name) or {}).get(value):
            out.append(f"what_ifs.{name}: missing {value!r}")
    from .rules import PATTERN_LABELS

    out += [f"patterns: missing {p!r}" for p in PATTERN_LABELS if not (data.get("patterns") or {}).get(p)]
    if "{clauses}" not in str(data.get("what_if_question", "")):
        out.append("what_if_question: needs {clauses}")
    return out


def field_label(name: str, lang: str = "en") -> str:
    return str(russian_fields()["labels"][name]) if lang == "ru" else FIELDS[name].label


def field_help(name: str, lang: str = "en") -> str:
    return str(russian_fields()["help"][name]) if lang == "ru" else FIELDS[name].help


def value_name(name: str, value: Value, lang: str = "en") -> str:
    """A field's value as the form and the record's table show it ("tabular", «табличные»)."""
    if lang == "ru":
        return str(russian_fields()["values"][name][value])
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", "-")


def option_title(option: str, lang: str = "en") -> str:
    """For headings and buttons: "Custom model", «Собственная модель»."""
    return str(russian_fields()["options"][option]["title"]) if lang == "ru" else Option(option).title


def option_short(option: str, lang: str = "en") -> str:
    return str(russian_fields()["options"][option]["short"]) if lang == "ru" else Option(option).short


def pattern_label(pattern: str, lang: str = "en") -> str:
    """A hybrid pattern in a sentence: "knowledge distillation into a smaller model"."""
    from .rules import PATTERN_LABELS

    return str(russian_fields()["patterns"][pattern]) if lang == "ru" else PATTERN_LABELS[pattern]


def what_if_question(changes: Mapping[str, Value], lang: str = "en") -> str:
    """The question a what-if button asks, in the user's voice: "What if we had no in-house ML team?",
    «А если у нас нет своей ML-команды?»."""
    from .lexicon import default_lexicon
    from .lexicon import what_if_question as english_question

    if lang == "ru":
        ru = russian_fields()
        clauses = [str(ru["what_ifs"][name][value]) for name, value in changes.items()]
        return str(ru["what_if_question"]).format(clauses=join(clauses, "ru"))
    english = default_lexicon().what_ifs
    return english_question(join([english[(n, v)].text for n, v in changes.items()]))
