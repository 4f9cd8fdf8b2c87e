"""Reads knowledge/lexicon/ru/claims.yaml: the guard's vocabulary for answers written in Russian.

Why its own module: the English guard keeps its stance words in code and its claims in the lexicon; for
Russian both are data in one file (stop words, marker word sets, option names, stance cues with examples,
fact claims), so adding a wording is one edit that `modelchoice lexicon check` verifies. The claims share
the English claims' entry format and reader (`claims.read_claims`), so problems are named the same way
(file, line, entry, part). The guard (`guard.russian`) compiles what is read here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..types import Option
from .claims import read_claims
from .loader import LEXICON_DIR, Reader
from .model import ClaimEntry, LexiconError, Problem
from .source import read_document

__all__ = [
    "MARKERS",
    "RU_CLAIMS",
    "STANCE_CUES",
    "RussianClaims",
    "load_russian_claims",
    "read_russian_claims",
]

RU_CLAIMS = LEXICON_DIR / "ru" / "claims.yaml"
MARKERS = (
    "negation",
    "conditional",
    "modal",
    "fact_conditional",
    "you",
    "addressed",
    "hypothetical",
    "present",
    "past",
    "current",
    "hybrid_parts",
    "clause",
)
STANCE_CUES = ("endorse_before", "reject_before", "contrast_before", "endorse_after", "reject_after")
_SECTIONS = ("stopwords", "markers", "options", "cues", "stances", "claims")
_STANCE = re.compile(r"^(?P<text>.+?)\s*=>\s*(?P<expected>.+)$")
_EXPECTED = re.compile(
    r"^(?:none|(?:[+-](?:custom|foundation|hybrid))(?:\s+[+-](?:custom|foundation|hybrid))*)$"
)


@dataclass(frozen=True)
class StanceExample:
    """A sentence and the stances it must be read with: {(option, positive)} (empty: none)."""

    text: str
    expected: frozenset[tuple[str, bool]]
    file: str
    line: int


@dataclass(frozen=True)
class RussianClaims:
    """What the Russian guard reads with: every pattern an alternation, not yet compiled."""

    file: str
    stopwords: frozenset[str]
    markers: Mapping[str, str]
    options: Mapping[str, str]
    cues: Mapping[str, str]
    stances: tuple[StanceExample, ...]
    claims: tuple[ClaimEntry, ...]


def read_russian_claims(path: Path = RU_CLAIMS) -> tuple[RussianClaims, list[Problem]]:
    """The Russian guard vocabulary at `path` and every problem found (each pattern is compiled here)."""
    reader = Reader()
    file = str(path)
    ok, data = read_document(path, reader.bad)
    if not isinstance(data, dict):
        if ok:
            reader.bad(file, 1, None, None, "expected a mapping")
        data = {"__line__": 1, "__lines__": {}}
    lines: Mapping[str, int] = data["__lines__"]
    for key in data:
        if not str(key).startswith("__") and key not in _SECTIONS:
            reader.bad(file, lines.get(key, 1), None, str(key), f"unknown section (known: {list(_SECTIONS)})")
    stop = data.get("stopwords")
    if not isinstance(stop, str) or not stop.split():
        reader.bad(file, lines.get("stopwords", 1), None, "stopwords", "expected the stop words as one text")
        stop = ""

    def group(section: str, names: tuple[str, ...]) -> dict[str, str]:
        raw = data.get(section)
        if not isinstance(raw, dict):
            reader.bad(file, lines.get(section, 1), None, section, "expected a mapping")
            return {}
        out: dict[str, str] = {}
        for name in names:
            line = raw["__lines__"].get(name, raw["__line__"])
            alts = reader.lines_of(raw.get(name), file, line, name, section) if name in raw else []
            if not alts:
                reader.bad(file, line, name, section, "needs at least one pattern")
                continue
            for alt, at in alts:
                try:
                    re.compile(alt)
                except re.error as exc:
                    reader.bad(file, at, name, section, f"pattern does not compile: {exc}")
            out[name] = "|".join(f"(?:{a})" for a, _ in alts)
        for key in raw:
            if not str(key).startswith("__") and key not in names:
                reader.bad(file, raw["__lines__"].get(key, 1), str(key), section, f"unknown (known: {names})")
        return out

    markers = group("markers", MARKERS)
    options = group("options", tuple(o.value for o in Option))
    cues = group("cues", STANCE_CUES)
    stances = _stances(reader, data.get("stances"), file, lines.get("stances", 1))
    claims = read_claims(reader, data.get("claims"), file, lines.get("claims", 1))
    found = RussianClaims(file, frozenset(stop.split()), markers, options, cues, stances, tuple(claims))
    return found, reader.problems


def _stances(reader: Reader, raw: Any, file: str, line: int) -> tuple[StanceExample, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        reader.bad(file, line, None, "stances", 'expected a list of "sentence => +option|-option|none"')
        return ()
    out = []
    for text, at in zip(raw, getattr(raw, "lines", [line] * len(raw)), strict=True):
        match = _STANCE.match(text.strip())
        if not match or not _EXPECTED.match(match.group("expected").strip()):
            reader.bad(file, at, None, "stances", f'not "sentence => +option|-option|none": {text!r}')
            continue
        said = match.group("expected").split()
        expected = frozenset((s[1:], s[0] == "+") for s in said if s != "none")
        out.append(StanceExample(match.group("text"), expected, file, at))
    return tuple(out)


@functools.cache
def load_russian_claims(path: Path = RU_CLAIMS) -> RussianClaims:
    """The shipped Russian guard vocabulary, once per process; raises LexiconError listing every error."""
    found, problems = read_russian_claims(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise LexiconError(errors)
    return found
