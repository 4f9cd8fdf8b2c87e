"""A read-only mapping computed from the lexicon on first use.

Why its own module: consumers keep module-level tables (`evidence.FIELD_CUES`, the eval generator's
`CLAUSES`) that other code imports by name, while the words behind them now live in the lexicon; a view
lets them keep those names without parsing the lexicon at import time, so commands that never read the
table never pay for it. Imports nothing from the rest of the package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import TypeVar

__all__ = ["LexiconView"]

K = TypeVar("K")
V = TypeVar("V")


class LexiconView(Mapping[K, V]):
    """`build()` is called once, on the first lookup, length or iteration."""

    def __init__(self, build: Callable[[], Mapping[K, V]]) -> None:
        self._build = build

    @cached_property
    def _items(self) -> Mapping[K, V]:
        return self._build()

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
