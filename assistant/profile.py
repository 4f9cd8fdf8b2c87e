"""The project profile: the rules engine's only input.

The schema is a public contract (the UI, the evals and users' scripts read it), so it lives in one
table, `FIELDS`, and everything else (validation, the form, the extractor's vocabulary) derives from it.
Every field is optional: an absent field means "unknown", never a default value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ProfileError
from .types import Value


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    values: tuple[Value, ...]
    label: str
    help: str

    @property
    def is_bool(self) -> bool:
        return self.values == (True, False)


def _enum(name: str, values: str, label: str, help: str) -> Field:
    return Field(name, tuple(values.split()), label, help)


def _flag(name: str, label: str, help: str) -> Field:
    return Field(name, (True, False), label, help)


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        _enum(
            "data_type",
            "tabular text image video audio multimodal",
            "Data type",
            "The main kind of data the model works on.",
        ),
        _enum(
            "task",
            "narrow open_ended",
            "Task",
            "A well-defined specific task, or an open-ended, creative or exploratory one.",
        ),
        _enum(
            "stage",
            "prototype production",
            "Stage",
            "A quick test or MVP, or a long-lived production system.",
        ),
        _flag("ml_team", "ML team", "In-house ML engineers or data scientists."),
        _enum(
            "labeled_data",
            "none some plenty",
            "Labelled data",
            "Labelled training data available or producible.",
        ),
        _enum(
            "privacy",
            "none sensitive strict",
            "Privacy",
            "strict: the data must not leave your own infrastructure.",
        ),
        _flag("external_api_ok", "External APIs OK", "Acceptable to depend on third-party model APIs."),
        _enum(
            "latency",
            "relaxed interactive realtime",
            "Latency",
            "realtime: e.g. 30+ fps video, tens of milliseconds.",
        ),
        _flag("edge", "Runs at the edge", "Must run on device or at the edge."),
        _enum(
            "volume",
            "low medium high",
            "Request volume",
            "high: inference cost at scale matters (about a million requests a day or more).",
        ),
        _enum("budget", "low medium high", "Infrastructure budget", "Money available for infrastructure."),
        _flag(
            "control",
            "Needs full control",
            "Must retrain, debug and explain the model, with no vendor lock-in.",
        ),
    )
}

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}
UNKNOWN = {"", "unknown", "null", "none?", "?"}


def allowed(field: str) -> str:
    """The allowed values of a field, as users type them."""
    return " | ".join(format_value(v) for v in FIELDS[field].values)


def format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def parse_value(field: str, raw: Any) -> Value | None:
    """Coerce one value (YAML, JSON or a `--set` string) to the schema's type; None means unknown."""
    if field not in FIELDS:
        raise ProfileError(f"unknown field {field!r}; known fields: {', '.join(FIELDS)}", field)
    spec = FIELDS[field]
    if raw is None:
        return None
    if spec.is_bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            text = raw.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            if text in UNKNOWN:
                return None
        raise ProfileError(f"{field}: {_shown(raw)} is not allowed; use {allowed(field)} (or unknown)", field)
    if isinstance(raw, str):
        text = raw.strip().lower().replace("-", "_").replace(" ", "_")
        if text in spec.values:
            return text
        if text in UNKNOWN:
            return None
    raise ProfileError(f"{field}: {_shown(raw)} is not allowed; use {allowed(field)} (or unknown)", field)


class Profile(Mapping[str, Value]):
    """An immutable set of known facts about the project. Unknown fields are simply absent."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        clean: dict[str, Value] = {}
        for field, raw in (data or {}).items():
            value = parse_value(field, raw)
            if value is not None:
                clean[field] = value
        # Canonical field order keeps JSON output and hashing stable.
        self._data = {f: clean[f] for f in FIELDS if f in clean}

    @classmethod
    def parse_assignments(cls, items: Iterable[str]) -> dict[str, Value | None]:
        """Parse `field=value` strings (the CLI's --set); value `unknown` clears the field."""
        changes: dict[str, Value | None] = {}
        for item in items:
            field, sep, raw = item.partition("=")
            field = field.strip()
            if not sep:
                raise ProfileError(f"--set expects field=value, got {item!r}", field or None)
            changes[field] = parse_value(field, raw)
        return changes

    def with_changes(self, changes: Mapping[str, Value | None]) -> Profile:
        data: dict[str, Any] = dict(self._data)
        for field, value in changes.items():
            value = parse_value(field, value)
            if value is None:
                data.pop(field, None)
            else:
                data[field] = value
        return Profile(data)

    def unknown(self) -> list[str]:
        return [f for f in FIELDS if f not in self._data]

    def to_dict(self) -> dict[str, Value]:
        return dict(self._data)

    def __getitem__(self, key: str) -> Value:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Profile):
            return self._data == other._data
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __repr__(self) -> str:
        return f"Profile({self._data!r})"


def _shown(raw: Any) -> str:
    """A value as an error message shows it: short, whatever its size (a 1 MB string, a deep list)."""
    import reprlib

    return reprlib.repr(raw)


def load_profile(text: str, origin: str = "profile") -> Profile:
    """Parse a YAML or JSON profile document; errors name the origin and the field. The text is user
    input: the safe reader refuses aliases, deep nesting and huge documents before building anything."""
    from .files import load_yaml

    data = load_yaml(text, origin, ProfileError) if text.strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError(f"{origin}: expected a mapping of field: value, got {type(data).__name__}")
    if "profile" in data and isinstance(data["profile"], dict):
        data = data["profile"]  # accept `recommend --json` output and saved sessions' profile block
    for name, raw in data.items():
        if isinstance(raw, dict | list):
            kind = "mapping" if isinstance(raw, dict) else "list"
            raise ProfileError(f"{origin}: {name}: expected one value, got a {kind}", str(name))
    try:
        return Profile(data)
    except ProfileError as exc:
        raise ProfileError(f"{origin}: {exc}", exc.field) from None


def read_profile(source: str | Path) -> Profile:
    """A profile from a file, or from stdin for "-", read by the safe reader (size, encoding)."""
    from .files import PROFILE_LIMIT, read_stdin, read_text

    if str(source) == "-":
        return load_profile(read_stdin(what="a profile", limit=PROFILE_LIMIT, error=ProfileError), "stdin")
    text = read_text(Path(source), what="the profile file", limit=PROFILE_LIMIT, error=ProfileError)
    return load_profile(text, str(source))
