"""Lazily compiled regular expressions: the one regex type every understanding module uses.

Why its own module: compiling the few hundred cue and intent patterns costs tens of milliseconds, which
would otherwise be paid at import (the CLI and every test import the package); and the way alternatives are
grouped before compiling is a speed trick that only makes sense in one place. `compile_all()` compiles every
pattern created so far (`warm_up()` calls it at server start).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["LazyRe", "compile_all", "compiled_count", "rx", "top_level_parts"]

_PATTERNS: list[LazyRe] = []  # every lazily compiled pattern, for compile_all()
_GROUP_OPENERS = re.compile(r"^(?:\(\?:|\(\?P<\w+>)+")


def top_level_parts(source: str) -> list[str]:
    """Split a pattern at its top-level "|" (outside groups and character classes)."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


class LazyRe:
    """A regular expression compiled on first use: compiling all patterns costs tens of milliseconds,
    which would otherwise be paid at import. `compile_all()` compiles them all ahead of time.

    Speed: the C engine skips quickly to positions where an alternative can start, but only when all
    alternatives start alike; one alternative anchored with "^" or starting with a plain character among
    "\\b..." ones spoils that for all of them (10x slower). So alternatives are compiled in groups by how
    they start, and `search` / `finditer` combine the groups."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source, self._flags = source, flags
        self._compiled: tuple[re.Pattern[str], ...] | None = None
        _PATTERNS.append(self)

    @property
    def source(self) -> str:
        """The pattern as written (before grouping)."""
        return self._source

    @property
    def is_compiled(self) -> bool:
        return self._compiled is not None

    @property
    def compiled(self) -> tuple[re.Pattern[str], ...]:
        if self._compiled is None:
            groups: dict[str, list[str]] = {}
            for part in top_level_parts(self._source):
                head = _GROUP_OPENERS.sub("", part)
                kind = "^" if head.startswith("^") else "b" if head.startswith("\\b") else "other"
                groups.setdefault(kind, []).append(part)
            self._compiled = tuple(re.compile("|".join(g), self._flags) for g in groups.values())
        return self._compiled

    def search(self, text: str, *span: int) -> re.Match[str] | None:
        found = None
        for pattern in self.compiled:
            m = pattern.search(text, *span)
            if m and (found is None or m.start() < found.start()):
                found = m
        return found

    def match(self, text: str, *span: int) -> re.Match[str] | None:
        for pattern in self.compiled:
            m = pattern.match(text, *span)
            if m:
                return m
        return None

    def sub(self, replacement: str, text: str) -> str:
        for pattern in self.compiled:
            text = pattern.sub(replacement, text)
        return text

    def finditer(self, text: str, *span: int) -> Iterator[re.Match[str]]:
        compiled = self.compiled
        if len(compiled) == 1:
            return compiled[0].finditer(text, *span)
        matches = (m for pattern in compiled for m in pattern.finditer(text, *span))
        return iter(sorted(matches, key=lambda m: m.start()))


def rx(*parts: str, flags: int = 0) -> LazyRe:
    """One lazy pattern from several alternatives (each wrapped in a non-capturing group)."""
    return LazyRe("|".join(f"(?:{p})" for p in parts), flags)


def compile_all() -> None:
    """Compile every pattern created so far."""
    for pattern in _PATTERNS:
        _ = pattern.compiled


def compiled_count() -> int:
    """How many patterns are compiled (0 right after import: nothing is compiled eagerly)."""
    return sum(p.is_compiled for p in _PATTERNS)
