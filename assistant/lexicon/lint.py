"""The lexicon's checks: patterns compile and never match nothing, no pattern is written twice, every
example is matched and read as its entry means, and no counterexample is.

Why its own module: loading must stay cheap (no regex compiled, nothing run), so the expensive checks live
here and run in `modelchoice lexicon check`, CI and the unit tests. The meaning of an example (which fact,
intent or language the understander reads) comes from a `Reader` passed in, so this package never imports
the understander that imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from ..types import Value
from .model import FIXED, IGNORE, AnswerEntry, CueEntry, Entry, Language, Lexicon, PatternSet, Problem

__all__ = ["Reader", "check"]

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})


class Reader(Protocol):
    """How the understander reads a text, for checking what examples mean."""

    def normalize(self, text: str) -> str: ...

    def fields(self, text: str) -> Mapping[str, Value]: ...

    def answer(self, field: str, text: str) -> Mapping[str, Value] | None: ...

    def intent(self, text: str, pending: bool) -> tuple[str, str | None]: ...

    def language(self, text: str) -> str | None: ...


def _normalize(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def _compiled(entry: Entry, problems: list[Problem]) -> re.Pattern[str] | None:
    flags = re.M if entry.multiline else 0
    ok = True
    for p in entry.patterns:
        try:
            one = re.compile(p.source, flags)
        except re.error as exc:
            problems.append(Problem(entry.file, p.line, entry.id, "patterns", f"does not compile: {exc}"))
            ok = False
            continue
        if one.fullmatch(""):
            problems.append(Problem(entry.file, p.line, entry.id, "patterns", "matches the empty string"))
            ok = False
    if not ok or not entry.patterns:
        return None
    return re.compile(entry.source, flags)


def _means(entry: Entry, text: str, reader: Reader, negation: bool = True) -> tuple[bool, str]:
    """Is `text` read as what `entry` means? (and what it was read as, for the message). `negation`: an
    example may show the cue negated (read as its `negated` value)."""
    if isinstance(entry, CueEntry):
        got = reader.fields(text).get(entry.field)
        if entry.finder is not None:
            return got is not None, f"{entry.field}={got}"
        allowed = {entry.value}
        if negation and entry.negated not in (FIXED, IGNORE):
            allowed.add(entry.negated)
        return got in allowed, f"{entry.field}={got}"
    if isinstance(entry, AnswerEntry):
        answer = reader.answer(entry.field, text) or {}
        got = answer.get(entry.field)
        return got == entry.value, f"{entry.field}={got}"
    if isinstance(entry, PatternSet) and entry.intent:
        intent, target = reader.intent(text, entry.pending)
        ok = intent == entry.intent and (entry.target is None or target == entry.target)
        return ok, f"intent {intent}" + (f", target {target}" if target else "")
    if isinstance(entry, Language):
        code = reader.language(text)
        return code == (None if entry.code == "en" else entry.code), f"language {code}"
    return True, ""


def _has_meaning(entry: Entry) -> bool:
    return not (isinstance(entry, PatternSet) and not entry.intent)


def _check_entry(entry: Entry, reader: Reader | None, problems: list[Problem]) -> None:
    pattern = _compiled(entry, problems)
    if pattern is None:
        return
    norm = reader.normalize if reader else _normalize
    for text in entry.examples:
        if not pattern.search(norm(text)):
            problems.append(Problem(entry.file, entry.line, entry.id, "examples", f"not matched: {text!r}"))
        elif reader is not None:
            ok, got = _means(entry, text, reader)
            if not ok:
                problems.append(
                    Problem(entry.file, entry.line, entry.id, "examples", f"read as {got}: {text!r}")
                )
    for text in entry.counterexamples:
        if reader is not None and _has_meaning(entry):
            ok, got = _means(entry, text, reader, negation=False)
            unmatched_finder = isinstance(entry, CueEntry) and entry.finder and not pattern.search(norm(text))
            if ok and not unmatched_finder:
                problems.append(
                    Problem(entry.file, entry.line, entry.id, "counterexamples", f"read as {got}: {text!r}")
                )
        elif not _has_meaning(entry) and pattern.search(norm(text)):
            problems.append(
                Problem(entry.file, entry.line, entry.id, "counterexamples", f"matched: {text!r}")
            )


def check(
    lexicon: Lexicon, reader: Reader | None = None, code_fragments: Iterable[str] = ()
) -> list[Problem]:
    """Every problem an editor should fix (errors) or look at (warnings), entry by entry. `code_fragments`:
    fragments the code builds patterns from (not unused even if no pattern names them)."""
    problems: list[Problem] = []
    for entry in lexicon.entries():  # first every pattern alone: a broken one would break every reading
        _compiled(entry, problems)
    if not problems:
        for entry in lexicon.entries():
            _check_entry(entry, reader, problems)
    seen: dict[str, str] = {}
    for entry in lexicon.entries():
        for p in entry.patterns:
            where = f"{entry.file}:{p.line} ({entry.id})"
            if p.source in seen and seen[p.source] != where:
                problems.append(
                    Problem(
                        entry.file, p.line, entry.id, "patterns", f"duplicate of {seen[p.source]}", "warning"
                    )
                )
            seen.setdefault(p.source, where)
    used = "\n".join(p.raw for e in lexicon.entries() for p in e.patterns)
    used += "\n".join(lexicon.fragments.values())
    for name in lexicon.fragments:
        if f"{{{name}}}" not in used and name not in set(code_fragments):
            problems.append(Problem("lexicon", 0, name, "fragments", "never used by a pattern", "warning"))
    return problems
