"""Reads the lexicon sections for readers other than the understander: `claims` (how an answer claims a
fact; the guard), `evidence` (cues that a fact an LLM read is plainly stated in the user's text),
`statements` (one plain sentence per fact; the eval generator) and `what_ifs` (one subjunctive clause per
fact, "our data were tabular"; the what-if buttons). The last two share one reader.

Why its own module: these sections share the entry format and its checks with the understander's fields
(through the loader's reader, seen here as an `EntryReader`, so problems are named the same way: file, line,
entry, part) but nothing else; keeping them here keeps the loader about the understander's vocabulary, and
both modules small.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from ..profile import FIELDS
from ..types import Value
from .model import ClaimEntry, EntryParts, EvidenceCue, EvidenceKind, Statement

__all__ = [
    "KEYS",
    "SECTIONS",
    "SENTENCES",
    "EntryReader",
    "Sentences",
    "read_claims",
    "read_evidence",
    "read_statements",
    "require",
]


class EntryReader(Protocol):
    """What these sections need from the loader: report a problem, check a mapping's keys, read a field's
    value, and read the parts every entry has (patterns, examples, counterexamples)."""

    def bad(self, file: str, line: int, entry: str | None, part: str | None, message: str) -> None: ...

    def keys(self, raw: object, kind: str, file: str, line: int, entry: str | None) -> bool: ...

    def value(self, name: str, raw: object, file: str, line: int, entry: str, part: str) -> Value | None: ...

    def common(self, raw: dict[str, object], file: str, entry: str) -> EntryParts: ...


SECTIONS = {"claims", "evidence", "statements", "what_ifs"}
KEYS = {
    "claim": {"id", "field", "value", "patterns", "examples", "counterexamples"},
    "field's evidence": {"mentions", "states", "polar"},
    "cue of evidence": {"patterns", "examples", "counterexamples"},
}


def _items(raw: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    """A mapping's own keys (bool keys stay bools: `true:` under a yes/no field), without line bookkeeping."""
    return [(k, v) for k, v in raw.items() if not str(k).startswith("__")]


def _word(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _known_field(reader: EntryReader, name: object, file: str, line: int, entry: str | None) -> bool:
    if name in FIELDS:
        return True
    reader.bad(file, line, entry, "field", f"unknown field {name!r} (known: {', '.join(FIELDS)})")
    return False


def _yes_no(name: str) -> bool:
    return all(isinstance(v, bool) for v in FIELDS[name].values)


def read_claims(reader: EntryReader, raw: object, file: str, line: int) -> list[ClaimEntry]:
    """`claims:` a list of entries, each with the `field` and `value` its patterns claim, kept in order."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        reader.bad(file, line, None, "claims", "expected a list of entries")
        return []
    out: list[ClaimEntry] = []
    for index, item in enumerate(raw):
        entry = str(item.get("id") or f"claim-{index + 1}")
        where = item["__line__"]
        if not reader.keys(item, "claim", file, where, entry):
            continue
        name = item.get("field")
        if not _known_field(reader, name, file, where, entry):
            continue
        value = reader.value(str(name), item.get("value"), file, where, entry, "value")
        if value is not None:
            out.append(ClaimEntry(**reader.common(item, file, entry), field=str(name), value=value))
    return out


def _field_evidence(reader: EntryReader, name: str, spec: dict[str, Any], file: str) -> list[EvidenceCue]:
    """One field's cues: `mentions`, and `states` (enum field) or `polar` (yes/no field)."""
    lines, entry, yes_no = spec["__lines__"], f"evidence-{name}", _yes_no(name)
    out: list[EvidenceCue] = []

    def cue(raw: object, line: int, cue_id: str, kind: EvidenceKind, value: Value | None = None) -> None:
        if reader.keys(raw, "cue of evidence", file, line, cue_id):
            assert isinstance(raw, dict)
            out.append(EvidenceCue(**reader.common(raw, file, cue_id), field=name, kind=kind, value=value))

    if "mentions" in spec:
        cue(spec["mentions"], lines["mentions"], entry, "mentions")
    else:
        reader.bad(file, spec["__line__"], entry, "mentions", "every field needs a cue that mentions it")
    if "polar" in spec and yes_no:
        cue(spec["polar"], lines["polar"], f"{entry}-polar", "polar")
    elif "polar" in spec:
        reader.bad(file, lines["polar"], entry, "polar", "only a yes/no field has a polar cue")
    states = spec.get("states")
    if states is not None and (yes_no or not isinstance(states, dict)):
        why = "a yes/no field is stated by its `polar` cue" if yes_no else "expected a mapping of values"
        reader.bad(file, lines["states"], entry, "states", why)
    elif states is not None:
        for key, raw in _items(states):
            line = states["__lines__"][key]
            value = reader.value(name, key, file, line, f"{entry}-{_word(key)}", "states")
            if value is not None:
                cue(raw, line, f"{entry}-{_word(key)}", "states", value)
    return out


def read_evidence(reader: EntryReader, raw: object, file: str, line: int, into: list[EvidenceCue]) -> None:
    """`evidence:` per field, a `mentions` cue, and `states` (value -> cue) for an enum field or a `polar`
    cue for a yes/no one. Appends to `into` (the cues of earlier files, to find a field defined twice)."""
    if not isinstance(raw, dict):
        reader.bad(file, line, None, "evidence", "expected a mapping of fields")
        return
    for name, spec in _items(raw):
        where = raw["__lines__"].get(name, line)
        if not _known_field(reader, name, file, where, None):
            continue
        if not reader.keys(spec, "field's evidence", file, where, f"evidence-{name}"):
            continue
        earlier = [c.file for c in into if c.field == name]
        if earlier:
            reader.bad(file, where, f"evidence-{name}", None, f"defined twice (also in {earlier[0]})")
            continue
        into += _field_evidence(reader, name, spec, file)


# The sections of one sentence or clause per fact (field -> value -> text), and how each names its entries.
SENTENCES = {"statements": "statement", "what_ifs": "what-if"}
Place: TypeAlias = tuple[str, int]  # file, line


@dataclass
class Sentences:
    """The sentence sections read so far: per section, the texts by (field, value), and where the section
    and each of its fields were first written (a missing value is named there)."""

    texts: dict[str, dict[tuple[str, Value], Statement]] = field(
        default_factory=lambda: {section: {} for section in SENTENCES}
    )
    places: dict[tuple[str, str | None], Place] = field(default_factory=dict)


def read_statements(
    reader: EntryReader,
    section: str,
    raw: object,
    file: str,
    line: int,
    sentences: Sentences,
) -> None:
    """`statements:` or `what_ifs:` per field, one sentence (or clause) for each value. Adds to
    `sentences` (those of earlier files)."""
    kind, into, places = SENTENCES[section], sentences.texts[section], sentences.places
    if not isinstance(raw, dict):
        reader.bad(file, line, None, section, "expected a mapping of fields")
        return
    places.setdefault((section, None), (file, line))
    for name, spec in _items(raw):
        where = raw["__lines__"].get(name, line)
        if not _known_field(reader, name, file, where, None):
            continue
        places.setdefault((section, name), (file, where))
        if not isinstance(spec, dict):
            reader.bad(file, where, f"{kind}-{name}", None, "expected one sentence for each value")
            continue
        for key, text in _items(spec):
            entry, at = f"{kind}-{name}-{_word(key)}", spec["__lines__"][key]
            value = reader.value(name, key, file, at, entry, section)
            if not isinstance(text, str) or not text.strip():
                reader.bad(file, at, entry, section, "expected a sentence")
            elif value is not None and (name, value) in into:
                reader.bad(file, at, entry, section, f"written twice (also in {into[(name, value)].file})")
            elif value is not None:
                into[(name, value)] = Statement(entry, file, at, name, value, text.strip(), section)


def require(reader: EntryReader, where: str, evidence: list[EvidenceCue], sentences: Sentences) -> None:
    """Every field has its evidence cues and every value its statement and what-if: a missing one would
    silently keep the LLM from ever setting that value, or leave the generator or the what-if buttons
    without words for it. A missing sentence is named as the entry it would be, where its field (or else
    its section) is written."""
    for name, spec in FIELDS.items():
        kinds = {(c.kind, c.value) for c in evidence if c.field == name}
        if ("mentions", None) not in kinds:
            reader.bad(where, 0, None, name, "no evidence cue that mentions this field")
        if _yes_no(name) and ("polar", None) not in kinds:
            reader.bad(where, 0, None, name, "no polar evidence cue for this yes/no field")
        unstated = [v for v in spec.values if not _yes_no(name) and ("states", v) not in kinds]
        if unstated:
            reader.bad(where, 0, None, name, f"no evidence cue that states {', '.join(map(_word, unstated))}")
    for section, kind in SENTENCES.items():
        if (section, None) not in sentences.places:
            reader.bad(
                where, 0, None, section, f"no `{section}:` section (every value of every field needs one)"
            )
            continue
        for name, spec in FIELDS.items():
            file, line = sentences.places.get((section, name)) or sentences.places[(section, None)]
            for value in spec.values:
                if (name, value) not in sentences.texts[section]:
                    entry = f"{kind}-{name}-{_word(value)}"
                    reader.bad(file, line, entry, section, "missing (every value of every field needs one)")
