"""The lexicon's checks: patterns compile and never match nothing, no pattern is written twice, every
example is matched and read as its entry means, and no counterexample is.

Why its own module: loading must stay cheap (no regex compiled, nothing run), so the expensive checks live
here and run in `modelchoice lexicon check`, CI and the unit tests. The meaning of an example (which fact,
intent or language the understander reads) comes from a `Reader` passed in, so this package never imports
the understander that imports it. The same holds for the guard's claim reader and the LLM evidence check
(`ClaimReading`, `EvidenceReading`), which read the `claims` and `evidence` entries: without them, those
entries' examples are only matched against their patterns. The `what_ifs` clauses are read as whole turns,
by an `Understander` passed in; without one they are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from ..types import Intent, Understander, Value
from .model import (
    FIXED,
    IGNORE,
    AnswerEntry,
    ClaimEntry,
    CueEntry,
    Entry,
    EvidenceCue,
    Language,
    Lexicon,
    PatternSet,
    Problem,
    what_if_question,
)

__all__ = ["ClaimReading", "EvidenceReading", "Reader", "check"]

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})


class Reader(Protocol):
    """How the understander reads a text, for checking what examples mean."""

    def normalize(self, text: str) -> str: ...

    def fields(self, text: str) -> Mapping[str, Value]: ...

    def answer(self, field: str, text: str) -> Mapping[str, Value] | None: ...

    def intent(self, text: str, pending: bool) -> tuple[str, str | None]: ...

    def language(self, text: str) -> str | None: ...


class ClaimReading(Protocol):
    """How the guard reads the fact claims of an answer's sentence: (field, value, asserted, clause)."""

    def normalize(self, text: str) -> str: ...

    def claims(self, sentence: str) -> Sequence[tuple[str, Value, bool, str]]: ...


class EvidenceReading(Protocol):
    """How the LLM evidence check reads the user's text: does it mention a field, state a value?"""

    def mentions(self, name: str, text: str) -> bool: ...

    def states(self, name: str, value: Value, text: str) -> bool: ...


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


Meaning = Callable[[str], bool]


def _meaning(
    entry: ClaimEntry | EvidenceCue, claims: ClaimReading | None, evidence: EvidenceReading | None
) -> tuple[str, Meaning | None]:
    """What a claim or evidence entry means (for messages) and the test that a text is read so (None: no
    reader given, so only the patterns are checked)."""
    name, value = entry.field, entry.value
    if isinstance(entry, ClaimEntry):
        if claims is None:
            return f"claiming {name}={value}", None
        read = claims.claims
        return f"claiming {name}={value}", lambda t: any(c[:3] == (name, value, True) for c in read(t))
    if evidence is None:
        return f"evidence for {name}", None
    mentions, states = evidence.mentions, evidence.states
    if entry.kind == "mentions":
        return f"mentioning {name}", lambda t: mentions(name, t)
    if entry.kind == "polar":
        return f"stating {name}", lambda t: states(name, True, t) or states(name, False, t)
    assert value is not None
    return f"stating {name}={value}", lambda t: states(name, value, t)


def _check_claim(
    entry: ClaimEntry | EvidenceCue,
    claims: ClaimReading | None,
    evidence: EvidenceReading | None,
    problems: list[Problem],
) -> None:
    """Examples match the patterns and are read as the entry means; counterexamples are not."""
    pattern = _compiled(entry, problems)
    if pattern is None:
        return
    norm = claims.normalize if claims is not None and isinstance(entry, ClaimEntry) else _normalize
    what, means = _meaning(entry, claims, evidence)
    for text in entry.examples:
        if not pattern.search(norm(text)):
            problems.append(Problem(entry.file, entry.line, entry.id, "examples", f"not matched: {text!r}"))
        elif means is not None and not means(text):
            problems.append(Problem(entry.file, entry.line, entry.id, "examples", f"not {what}: {text!r}"))
    for text in entry.counterexamples:
        if means is not None and means(text):
            problems.append(Problem(entry.file, entry.line, entry.id, "counterexamples", f"{what}: {text!r}"))


def _check_sentences(
    lexicon: Lexicon, reader: Reader | None, understander: Understander | None, problems: list[Problem]
) -> None:
    """A statement is its own example: the understander reads it as the value it states. A what-if clause
    is asked as the button asks it ("What if ...?"): the understander reads that as a what-if that changes
    the clause's field to its value (the button sends its change itself, but a user typing the button's
    words must be understood the same way)."""
    if reader is not None:
        for s in lexicon.statements.values():
            got = reader.fields(s.text).get(s.field)
            if got != s.value:
                message = f"read as {s.field}={got}: {s.text!r}"
                problems.append(Problem(s.file, s.line, s.id, s.section, message))
    if understander is not None:
        for s in lexicon.what_ifs.values():
            question = what_if_question(s.text)
            turn = understander.understand(question)
            if turn.intent is not Intent.WHAT_IF or turn.changes.get(s.field) != s.value:
                message = f"read as {turn.intent} with {s.field}={turn.changes.get(s.field)}: {question!r}"
                problems.append(Problem(s.file, s.line, s.id, s.section, message))


def _section(entry: Entry) -> str:
    """Which reader an entry is for: the same words may serve two readers without being a duplicate."""
    return "claims" if isinstance(entry, ClaimEntry) else "evidence" if isinstance(entry, EvidenceCue) else ""


def check(
    lexicon: Lexicon,
    reader: Reader | None = None,
    code_fragments: Iterable[str] = (),
    *,
    claims: ClaimReading | None = None,
    evidence: EvidenceReading | None = None,
    understander: Understander | None = None,
) -> list[Problem]:
    """Every problem an editor should fix (errors) or look at (warnings), entry by entry. `code_fragments`:
    fragments the code builds patterns from (not unused even if no pattern names them). `reader` reads the
    understander's entries and the statements, `claims` and `evidence` the entries of those sections,
    `understander` the what-if questions."""
    problems: list[Problem] = []
    for entry in lexicon.entries():  # first every pattern alone: a broken one would break every reading
        _compiled(entry, problems)
    if not problems:
        for entry in lexicon.entries():
            if isinstance(entry, ClaimEntry | EvidenceCue):
                _check_claim(entry, claims, evidence, problems)
            else:
                _check_entry(entry, reader, problems)
        _check_sentences(lexicon, reader, understander, problems)
    seen: dict[tuple[str, str], str] = {}
    for entry in lexicon.entries():
        for p in entry.patterns:
            where = f"{entry.file}:{p.line} ({entry.id})"
            key = (_section(entry), p.source)
            if key in seen and seen[key] != where:
                problems.append(
                    Problem(entry.file, p.line, entry.id, "patterns", f"duplicate of {seen[key]}", "warning")
                )
            seen.setdefault(key, where)
    used = "\n".join(p.raw for e in lexicon.entries() for p in e.patterns)
    used += "\n".join(lexicon.fragments.values())
    for name in lexicon.fragments:
        if f"{{{name}}}" not in used and name not in set(code_fragments):
            problems.append(Problem("lexicon", 0, name, "fragments", "never used by a pattern", "warning"))
    return problems


class StanceReading(Protocol):
    """How the guard reads which options a Russian sentence endorses (+) or rejects (-)."""

    def stances(self, sentence: str) -> Sequence[Any]: ...


def check_russian(
    claims: Sequence[ClaimEntry],
    stances: Sequence[Any],
    reader: ClaimReading | None = None,
    stance_reader: StanceReading | None = None,
) -> list[Problem]:
    """The Russian guard vocabulary (knowledge/lexicon/ru/claims.yaml): every claim's examples are read as
    its fact and no counterexample is; every stance example is read with exactly the stances it lists."""
    problems: list[Problem] = []
    for entry in claims:
        _check_claim(entry, reader, None, problems)
    if stance_reader is not None:
        for example in stances:
            got = {(s.option, s.positive) for s in stance_reader.stances(example.text)}
            if got != set(example.expected):
                said = " ".join(f"{'+' if p else '-'}{o}" for o, p in sorted(got)) or "none"
                message = f"read as {said}: {example.text!r}"
                problems.append(Problem(example.file, example.line, None, "stances", message))
    return problems
