"""Reads knowledge/lexicon/*.yaml into a `Lexicon`, validating as it goes (file, line, entry, part).

Why its own module: the YAML shape (what a file may say, how a pattern block is written, {FRAGMENT}
references) is an editing format; the rest of the program sees only `model`. Loading is cheap on purpose
(libyaml, no regular expression compiled: the understander compiles lazily, the linter compiles all), so
the first turn does not pay for the check that `modelchoice lexicon check` and the tests make.

Patterns are written one alternative per line in a block (`patterns: |`), or as a list of strings; lines
starting with "# " are comments. `{NAME}` inserts the fragment NAME (defined under `fragments:`).
The sections for other readers (`claims`, `evidence`, `statements`, `what_ifs`) are read by `claims`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..profile import FIELDS, parse_value
from ..types import Intent, Option, Value
from .claims import KEYS, SECTIONS, SENTENCES, Sentences, read_claims, read_evidence, read_statements, require
from .model import (
    FINDERS,
    FIXED,
    IGNORE,
    AnswerEntry,
    ClaimEntry,
    CueEntry,
    EntryParts,
    EvidenceCue,
    FieldLexicon,
    Language,
    Lexicon,
    LexiconError,
    Negated,
    Pattern,
    PatternSet,
    Problem,
)
from .source import read_documents

__all__ = ["LEXICON_DIR", "Reader", "default_lexicon", "load_lexicon", "read_lexicon"]

LEXICON_DIR = Path(str(files("assistant.data"))) / "lexicon"
_FRAGMENT_REF = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_ENTRY_KEYS = {"patterns", "examples", "counterexamples"}
_KEYS = {
    "file": {"fragments", "negators", "fields", "sets", "languages", *SECTIONS},
    "field": {"question", "phrases", "confirm", "yes_no", "cues", "answers"},
    "cue": {"id", "value", "finder", "negated", *_ENTRY_KEYS},
    "answer": {"id", "value", *_ENTRY_KEYS},
    "set": {"intent", "target", "pending", "multiline", "means", *_ENTRY_KEYS},
    "language": {"name", "reply", "script", *_ENTRY_KEYS},
    **KEYS,
}


class Reader:
    """One pass over the files, collecting every problem instead of stopping at the first (shared by the
    lexicon's loaders: the English sets here, the Russian guard vocabulary in `russian_claims`)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.raw_fragments: dict[str, tuple[list[tuple[str, int]], str, int]] = {}
        self.fragments: dict[str, str] = {}
        self.seen: dict[str, str] = {}

    def bad(self, file: str, line: int, entry: str | None, part: str | None, message: str) -> None:
        self.problems.append(Problem(file, line, entry, part, message))

    # --- patterns -------------------------------------------------------------------------------
    def lines_of(self, raw: object, file: str, line: int, entry: str, part: str) -> list[tuple[str, int]]:
        """The alternatives of a pattern block or list, with their lines."""
        if isinstance(raw, str):
            out = []
            for i, text in enumerate(raw.split("\n")):
                stripped = text.strip()
                if stripped and stripped != "#" and not stripped.startswith("# "):
                    out.append((stripped, line + i))
            return out
        if isinstance(raw, list) and all(isinstance(p, str) for p in raw):
            lines = getattr(raw, "lines", [line] * len(raw))
            return [(p.strip(), n) for p, n in zip(raw, lines, strict=True) if p.strip()]
        self.bad(file, line, entry, part, "expected a block of patterns (one per line) or a list of strings")
        return []

    def expand(
        self, source: str, file: str, line: int, entry: str, part: str, stack: tuple[str, ...] = ()
    ) -> str:
        def replace(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in stack:
                self.bad(file, line, entry, part, f"fragment {name} refers to itself ({' -> '.join(stack)})")
                return "(?!)"
            if name not in self.fragments:
                if name not in self.raw_fragments:
                    self.bad(file, line, entry, part, f"unknown fragment {{{name}}}")
                    return "(?!)"
                alts, ffile, _ = self.raw_fragments[name]
                expanded = [self.expand(a, ffile, n, name, "fragments", (*stack, name)) for a, n in alts]
                self.fragments[name] = "|".join(f"(?:{a})" for a in expanded)
            return f"(?:{self.fragments[name]})"

        return _FRAGMENT_REF.sub(replace, source)

    def patterns(self, raw: object, file: str, line: int, entry: str) -> tuple[Pattern, ...]:
        alts = self.lines_of(raw, file, line, entry, "patterns")
        if not alts:
            self.bad(file, line, entry, "patterns", "no patterns")
        return tuple(Pattern(a, self.expand(a, file, n, entry, "patterns"), n) for a, n in alts)

    def texts(self, raw: object, file: str, line: int, entry: str, part: str) -> tuple[str, ...]:
        if raw is None or not isinstance(raw, list) or not raw or not all(isinstance(t, str) for t in raw):
            self.bad(file, line, entry, part, "expected a non-empty list of strings")
            return ()
        return tuple(raw)

    def common(self, raw: dict[str, Any], file: str, entry: str) -> EntryParts:
        line = raw["__line__"]
        lines = raw["__lines__"]
        if entry in self.seen:
            self.bad(file, line, entry, "id", f"duplicate id (first used in {self.seen[entry]})")
        self.seen[entry] = f"{file}:{line}"
        return {
            "id": entry,
            "file": file,
            "line": line,
            "patterns": self.patterns(raw.get("patterns"), file, lines.get("patterns", line), entry),
            "examples": self.texts(raw.get("examples"), file, lines.get("examples", line), entry, "examples"),
            "counterexamples": self.texts(
                raw.get("counterexamples"), file, lines.get("counterexamples", line), entry, "counterexamples"
            ),
        }

    def keys(self, raw: object, kind: str, file: str, line: int, entry: str | None) -> bool:
        if not isinstance(raw, dict):
            self.bad(file, line, entry, None, f"expected a mapping ({kind})")
            return False
        unknown = sorted(str(k) for k in raw if not str(k).startswith("__") and k not in _KEYS[kind])
        if unknown:
            self.bad(
                file,
                raw["__line__"],
                entry,
                unknown[0],
                f"unknown key (a {kind} takes {sorted(_KEYS[kind])})",
            )
        return True

    def value(self, name: str, raw: object, file: str, line: int, entry: str, part: str) -> Value | None:
        try:
            value = parse_value(name, raw)
        except Exception as exc:  # ProfileError: not one of the field's values
            self.bad(file, line, entry, part, str(exc))
            return None
        if value is None or value != raw:
            self.bad(file, line, entry, part, f"{raw!r} is not a value of {name}")
            return None
        return value

    # --- entries --------------------------------------------------------------------------------
    def cue(self, name: str, raw: dict[str, Any], file: str, index: int) -> CueEntry | None:
        entry = str(raw.get("id") or f"{name}-cue-{index + 1}")
        if not self.keys(raw, "cue", file, raw["__line__"], entry):
            return None
        line = raw["__line__"]
        value: Value | None = None
        finder = raw.get("finder")
        if "value" not in raw and finder is None:
            self.bad(file, line, entry, "value", "needs a value, a finder, or both")
        if finder is not None and finder not in FINDERS:
            self.bad(file, line, entry, "finder", f"unknown finder {finder!r} (known: {', '.join(FINDERS)})")
        if "value" in raw and raw["value"] is not None:  # null: the phrase states nothing (it masks others)
            value = self.value(name, raw["value"], file, line, entry, "value")
        negated: Negated = FIXED
        raw_negated = raw.get("negated", "fixed")
        if raw_negated == "fixed":
            negated = FIXED
        elif raw_negated == "ignore":
            negated = IGNORE
        else:
            parsed = self.value(name, raw_negated, file, line, entry, "negated")
            negated = parsed if parsed is not None else FIXED
        return CueEntry(
            **self.common(raw, file, entry), field=name, value=value, finder=finder, negated=negated
        )

    def answer(self, name: str, raw: dict[str, Any], file: str, index: int) -> AnswerEntry | None:
        entry = str(raw.get("id") or f"{name}-answer-{index + 1}")
        if not self.keys(raw, "answer", file, raw["__line__"], entry):
            return None
        value = self.value(name, raw.get("value"), file, raw["__line__"], entry, "value")
        if value is None:
            return None
        return AnswerEntry(**self.common(raw, file, entry), field=name, value=value)

    def field(self, name: str, raw: object, file: str, line: int) -> FieldLexicon | None:
        if name not in FIELDS:
            self.bad(file, line, None, name, f"unknown field (known: {', '.join(FIELDS)})")
            return None
        if not self.keys(raw, "field", file, line, name):
            return None
        assert isinstance(raw, dict)
        line = raw["__line__"]
        values = FIELDS[name].values
        question = raw.get("question")
        if not isinstance(question, str) or not question.strip():
            self.bad(file, line, name, "question", "every field needs the question that asks for it")
            question = ""
        tables: dict[str, dict[Value, str]] = {}
        for part in ("phrases", "confirm"):
            table = {k: v for k, v in (raw.get(part) or {}).items() if not str(k).startswith("__")}
            missing = [v for v in values if not isinstance(table.get(v), str)]
            extra = [k for k in table if k not in values]
            if missing or extra:
                self.bad(file, line, name, part, f"needs one string for each of {list(values)}")
            tables[part] = {v: str(table.get(v, "")) for v in values}
        yes_no: tuple[Value, Value] | None = None
        raw_yes_no = raw.get("yes_no")
        if raw_yes_no is not None:
            if isinstance(raw_yes_no, list) and len(raw_yes_no) == 2:
                yes = self.value(name, raw_yes_no[0], file, line, name, "yes_no")
                no = self.value(name, raw_yes_no[1], file, line, name, "yes_no")
                yes_no = (yes, no) if yes is not None and no is not None else None
            else:
                self.bad(file, line, name, "yes_no", "expected [value for yes, value for no]")
        cues = [self.cue(name, c, file, i) for i, c in enumerate(self.items(raw, "cues", file, name))]
        answers = [
            self.answer(name, a, file, i) for i, a in enumerate(self.items(raw, "answers", file, name))
        ]
        return FieldLexicon(
            name,
            file,
            line,
            str(question),
            tables["phrases"],
            tables["confirm"],
            yes_no,
            tuple(c for c in cues if c),
            tuple(a for a in answers if a),
        )

    def items(self, raw: dict[str, Any], part: str, file: str, name: str) -> list[dict[str, Any]]:
        items = raw.get(part) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            self.bad(file, raw["__line__"], name, part, "expected a list of entries")
            return []
        return items

    def pattern_set(self, name: str, raw: object, file: str, line: int) -> PatternSet | None:
        if not self.keys(raw, "set", file, line, name):
            return None
        assert isinstance(raw, dict)
        intent = raw.get("intent")
        if intent is not None and intent not in {i.value for i in Intent}:
            self.bad(file, raw["__line__"], name, "intent", f"unknown intent {intent!r}")
        target = raw.get("target")
        if target is not None and Option.parse(target) is None:
            self.bad(file, raw["__line__"], name, "target", f"unknown option {target!r}")
        means = raw.get("means")
        if means is not None and (not isinstance(means, str) or not means.strip()):
            self.bad(file, raw["__line__"], name, "means", "expected the words the shorthand stands for")
            means = None
        return PatternSet(
            **self.common(raw, file, name),
            intent=intent,
            target=target,
            pending=bool(raw.get("pending", False)),
            multiline=bool(raw.get("multiline", False)),
            means=means,
        )

    def language(self, code: str, raw: object, file: str, line: int) -> Language | None:
        if not self.keys(raw, "language", file, line, code):
            return None
        assert isinstance(raw, dict)
        reply, name = raw.get("reply"), raw.get("name")
        if not isinstance(reply, str) or not isinstance(name, str):
            self.bad(file, raw["__line__"], code, "reply", "a language needs a name and a one-line reply")
            return None
        return Language(
            **self.common(raw, file, f"language-{code}"),
            code=code,
            name=name,
            reply=reply.strip(),
            script=bool(raw.get("script", False)),
        )


def read_lexicon(directory: Path = LEXICON_DIR) -> tuple[Lexicon, list[Problem]]:
    """The lexicon in `directory` and every problem found while reading it (errors and warnings)."""
    reader = Reader()
    docs = read_documents(directory, reader.bad, reader.keys)
    for file, data in docs:
        for name, raw in _named(data.get("fragments")):
            line = data["fragments"]["__lines__"].get(name, data["__line__"])
            reader.raw_fragments[name] = (reader.lines_of(raw, file, line, name, "fragments"), file, line)
    fields: dict[str, FieldLexicon] = {}
    sets: dict[str, PatternSet] = {}
    languages: dict[str, Language] = {}
    negators: tuple[Pattern, ...] = ()
    claims: list[ClaimEntry] = []
    evidence: list[EvidenceCue] = []
    sentences = Sentences()
    for file, data in docs:
        lines: Mapping[str, int] = data["__lines__"]
        if "negators" in data:
            negators += reader.patterns(data["negators"], file, lines["negators"], "negators")
        if "claims" in data:
            claims += read_claims(reader, data["claims"], file, lines["claims"])
        if "evidence" in data:
            read_evidence(reader, data["evidence"], file, lines["evidence"], evidence)
        for section in SENTENCES:
            if section in data:
                read_statements(reader, section, data[section], file, lines[section], sentences)
        for name, raw in _named(data.get("fields")):
            if name in fields:
                reader.bad(
                    file, lines["fields"], name, None, f"field defined twice (also in {fields[name].file})"
                )
            spec = reader.field(name, raw, file, data["fields"]["__lines__"][name])
            if spec:
                fields[name] = spec
        for name, raw in _named(data.get("sets")):
            found = reader.pattern_set(name, raw, file, data["sets"]["__lines__"][name])
            if found:
                sets[name] = found
        for code, raw in _named(data.get("languages")):
            lang = reader.language(code, raw, file, data["languages"]["__lines__"][code])
            if lang:
                languages[code] = lang
    for name in reader.raw_fragments:  # unused fragments are expanded too, so their problems show
        reader.expand(f"{{{name}}}", *reader.raw_fragments[name][1:], name, "fragments")
    for name in FIELDS:
        if name not in fields and docs:
            reader.bad(str(directory), 0, None, name, "no lexicon entry for this field")
    if docs:
        require(reader, str(directory), evidence, sentences)
    lexicon = Lexicon(
        fields,
        sets,
        dict(reader.fragments),
        languages,
        tuple(f for f, _ in docs),
        negators,
        claims=tuple(claims),
        evidence=tuple(evidence),
        statements=sentences.texts["statements"],
        what_ifs=sentences.texts["what_ifs"],
    )
    return lexicon, reader.problems


def _named(raw: object) -> list[tuple[str, Any]]:
    if not isinstance(raw, dict):
        return []
    return [(str(k), v) for k, v in raw.items() if not str(k).startswith("__")]


def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """The validated lexicon; raises LexiconError listing every error (file, line, entry, part)."""
    lexicon, problems = read_lexicon(directory)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise LexiconError(errors)
    return lexicon


@functools.cache
def default_lexicon() -> Lexicon:
    """The shipped lexicon, loaded once per process on first use."""
    return load_lexicon(LEXICON_DIR)
