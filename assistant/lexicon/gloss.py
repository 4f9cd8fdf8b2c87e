"""How Russian is read: knowledge/lexicon/ru/gloss.yaml, Russian words and phrases glossed into the
lexicon's English, loaded and validated (file, line, entry) like the rest of the lexicon.

Why a gloss and not a second set of cues: the understander's mechanism (clause and negation scope,
questions, numbers, intents, injection) and its thousands of tuned English cues then serve Russian too; the
Russian side only has to say what each word or idiom means. Words are matched by their dictionary form
(pymorphy3's analyser and its Russian dictionary, shipped on PyPI), so one entry covers every case, number
and tense of a word: "команда", "команды", "командой"; "звонок", "звонков".

    words:    a Russian word (any form) -> its English gloss ("" : a filler word, read as nothing)
    exact:    a word form matched as it is, before its dictionary form ("больше" is not "большой")
    phrases:  several words in a row (each by its dictionary form; "*": any one word; "=form": that form
              only) -> English; a phrase
              wins over the words it is made of, a longer phrase over a shorter one
    asides:   parenthetical words set off by commas ("понятное дело", "к сожалению"): read as nothing,
              commas and all, so a fact is not split around them
    comparatives: a comparative (as written) -> English; "не" + it in a question suggests an option ("а
              гибрид не надёжнее будет?": "wouldn't it be safer")
Every phrase carries `examples` (Russian text whose gloss must contain its English); `modelchoice lexicon
check` reads them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loader import LEXICON_DIR
from .model import LexiconError, Problem
from .source import Report, read_document

__all__ = [
    "GLOSS_FILE",
    "Gloss",
    "Phrase",
    "default_gloss",
    "lemmas",
    "lint_gloss",
    "load_gloss",
    "noun_case",
    "part_of_speech",
    "read_gloss",
]

GLOSS_FILE = LEXICON_DIR / "ru" / "gloss.yaml"
ANY = "*"
EXACT = "="  # "=годы": this word form only, not every form of its word ("на годы", not "на год")
_CYRILLIC = re.compile(r"[а-яё]")
_WORD = re.compile(r"^(?:[а-яё]+|[a-z0-9]+)$")  # one token: Russian (by its forms) or Latin / digits (as is)
_PARTS = ("words", "exact", "phrases", "asides", "comparatives")


@dataclass(frozen=True)
class Phrase:
    stems: tuple[str, ...]  # each a dictionary form, or ANY
    en: str
    line: int
    examples: tuple[str, ...] = ()
    # every dictionary form each word may be: pymorphy guesses "саентист" as "саентистый" but
    # "саентистов" as "саентист", so a word matches when any of its forms is one of the token's
    forms: tuple[frozenset[str], ...] = ()

    def matches(self, at: int, token_forms: tuple[str, ...]) -> bool:
        if self.forms:
            return not self.forms[at].isdisjoint(token_forms)
        return self.stems[at] in token_forms


@dataclass(frozen=True)
class Gloss:
    words: dict[str, str]  # dictionary form -> English ("" : read as nothing)
    exact: dict[str, str]  # word form -> English, before stemming (where two words share a stem)
    phrases: dict[str, tuple[Phrase, ...]]  # first word's form -> phrases starting with it, longest first
    file: str = ""
    asides: tuple[str, ...] = ()  # lower-case word sequences, as written
    comparatives: dict[str, str] = field(default_factory=dict)  # word form -> English comparative


@functools.cache
def _analyser() -> Any:
    import pymorphy3  # its dictionary loads in ~0.1 s: only when a Russian message arrives

    return pymorphy3.MorphAnalyzer(lang="ru")


@functools.lru_cache(maxsize=50_000)
def lemmas(word: str) -> tuple[str, ...]:
    """The dictionary forms a lower-cased word may be, likeliest first ("данных" -> данные, дать);
    a Latin or digit token is its own."""
    if not _CYRILLIC.match(word):
        return (word,)
    word = word.replace("ё", "е")
    return tuple(dict.fromkeys(p.normal_form.replace("ё", "е") for p in _analyser().parse(word))) or (word,)


@functools.lru_cache(maxsize=50_000)
def _parses(word: str) -> list[Any]:
    """The analyser's readings of a Russian word, likeliest first (none for anything else)."""
    return list(_analyser().parse(word.replace("ё", "е"))) if _CYRILLIC.match(word) else []


def part_of_speech(word: str) -> str:
    """The part of speech the analyser likeliest reads a Russian word as ("NOUN", "ADJF", "ADVB"...)."""
    parses = _parses(word)
    return str(parses[0].tag.POS or "") if parses else ""


def noun_case(word: str) -> str:
    """The case of a Russian noun as the analyser likeliest reads it ("клиентов": "gent"), "?" when it is
    unsure of the case, "" for anything but a noun."""
    parses = _parses(word)
    if not parses or parses[0].tag.POS != "NOUN":
        return ""
    return str(parses[0].tag.case) if parses[0].score >= 0.6 else "?"


def _lemma(word: str) -> str:
    return lemmas(word)[0]


def read_gloss(path: Path = GLOSS_FILE) -> tuple[Gloss, list[Problem]]:
    """The gloss in `path`, and every problem with it (file, line, entry)."""
    problems: list[Problem] = []
    file = str(path)

    def bad(file: str, line: int, entry: str | None, part: str | None, message: str) -> None:
        problems.append(Problem(file, line, entry, part, message))

    read, raw = read_document(path, bad)
    if not read:
        return Gloss({}, {}, {}, file), problems
    if not isinstance(raw, dict) or set(raw) - {*_PARTS, "__line__", "__lines__"}:
        bad(file, 1, None, None, f"expected a mapping with {', '.join(f'`{p}`' for p in _PARTS)}")
        return Gloss({}, {}, {}, file), problems
    words = _words(raw.get("words"), "words", _lemma, file, bad)
    exact = _words(raw.get("exact"), "exact", str, file, bad)
    phrases: dict[str, list[Phrase]] = {}
    raw_phrases = raw.get("phrases") or []
    for item, line in zip(raw_phrases, getattr(raw_phrases, "lines", [0] * len(raw_phrases)), strict=False):
        phrase = _phrase(item, line, file, bad)
        for p in phrase:
            for first in p.forms[0]:
                phrases.setdefault(first, []).append(p)
    ordered = {k: tuple(sorted(v, key=lambda p: -len(p.stems))) for k, v in phrases.items()}
    asides = _asides(raw.get("asides") or [], raw.get("__lines__", {}).get("asides", 0), file, bad)
    comparatives = _words(raw.get("comparatives") or {}, "comparatives", str, file, bad)
    return Gloss(words, exact, ordered, file, asides, comparatives), problems


def _asides(raw: object, line: int, file: str, bad: Report) -> tuple[str, ...]:
    if not isinstance(raw, list):
        bad(file, line, None, "asides", "expected a list of phrases")
        return ()
    out = []
    for item, at in zip(raw, getattr(raw, "lines", [line] * len(raw)), strict=False):
        words = str(item).split()
        if not words or not all(_CYRILLIC.match(w) and _WORD.match(w) for w in words):
            bad(file, at, str(item), "asides", "expected lower-case Russian words")
            continue
        out.append(" ".join(words))
    return tuple(out)


def _words(raw: object, part: str, key_of: Callable[[str], str], file: str, bad: Report) -> dict[str, str]:
    out: dict[str, str] = {}
    written: dict[str, str] = {}
    if not isinstance(raw, dict):
        bad(file, 0, None, part, "expected a mapping of words to English")
        return out
    for word, en in raw.items():
        if str(word).startswith("__"):
            continue
        line = raw["__lines__"].get(word, 0)
        if not _WORD.match(str(word)) or not isinstance(en, str):
            bad(
                file,
                line,
                str(word),
                part,
                "expected one lower-case word (Russian, or Latin / digits) -> English",
            )
            continue
        key = key_of(str(word))
        if key in out and out[key] != en:
            bad(file, line, str(word), part, f"its dictionary form {key!r} is already read as {out[key]!r}")
        out[key] = en
        written[str(word)] = en
    # the word as written is a dictionary form too: pymorphy guesses "тикет" as "тикета", "тикетов" as "тикет"
    return written | out


def _phrase(item: object, line: int, file: str, bad: Report) -> list[Phrase]:
    if not isinstance(item, dict) or not isinstance(item.get("en"), str) or "ru" not in item:
        bad(file, line, None, "phrases", "expected `ru` (a phrase or a list of them), `en` and `examples`")
        return []
    forms = item["ru"] if isinstance(item["ru"], list) else [item["ru"]]
    examples = tuple(str(e) for e in item.get("examples") or ())
    out = []
    for form in forms:
        words = str(form).lower().split()
        if (
            not words
            or not all(w == ANY or _WORD.match(w.removeprefix(EXACT)) for w in words)
            or words[0] == ANY
        ):
            bad(
                file,
                line,
                str(form),
                "ru",
                "expected lower-case words (and `*` for any one word after the first)",
            )
            continue
        stems = tuple(w if w == ANY or w.startswith(EXACT) else _lemma(w) for w in words)
        alternatives = tuple(frozenset({w} if w == ANY or w.startswith(EXACT) else lemmas(w)) for w in words)
        out.append(Phrase(stems, item["en"], line, examples, alternatives))
    if not examples:
        bad(file, line, str(forms[0]), "examples", "a phrase needs an example it must be read in")
    return out


def lint_gloss(gloss: Gloss, read: Callable[[str], str]) -> list[Problem]:
    """Every phrase example must be read with the phrase's English in it (`read`: the understander's
    Russian reading, passed in so the lexicon does not import the understander)."""
    problems = []
    for phrases in gloss.phrases.values():
        for phrase in phrases:
            for example in phrase.examples:
                reading = read(example)
                if phrase.en not in reading:
                    message = f"example {example!r} is read as {reading!r}, without {phrase.en!r}"
                    problems.append(
                        Problem(gloss.file, phrase.line, " ".join(phrase.stems), "examples", message)
                    )
    return list({str(p): p for p in problems}.values())  # one per phrase line, not one per form


def load_gloss(path: Path = GLOSS_FILE) -> Gloss:
    gloss, problems = read_gloss(path)
    if problems:
        raise LexiconError(problems)
    return gloss


@functools.cache
def default_gloss() -> Gloss:
    """The shipped gloss (loaded and validated on first use)."""
    return load_gloss()
