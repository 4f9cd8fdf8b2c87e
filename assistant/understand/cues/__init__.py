"""The field cue table, built from the lexicon (knowledge/lexicon/) on first use, in scan order.

    cue      the run-time shape of a cue (field, pattern, value or finder, negated value)
    finders  the values code reads from the text around a match (label amounts, budget words, API policy)

Which file holds a field's words: ml_team, labeled_data, budget -> resources.yaml; privacy, external_api_ok,
control -> constraints.yaml; latency, edge, volume -> deployment.yaml; stage, data_type, task ->
project.yaml. Within a field the leftmost match wins, then the first cue listed. The scan order below is
also the order of the fields in `Turn.changes`.
"""

from __future__ import annotations

import functools

from ...lexicon import LexiconError, Problem
from ..patterns import LazyRe
from ..vocab import lexicon
from .cue import FIXED, IGNORE, Cue, Finder, Negation
from .finders import FINDERS

__all__ = ["FIELD_ORDER", "FIXED", "IGNORE", "Cue", "Finder", "Negation", "cues_by_field"]

FIELD_ORDER = (
    "ml_team",
    "labeled_data",
    "stage",
    "privacy",
    "external_api_ok",
    "latency",
    "edge",
    "volume",
    "budget",
    "control",
    "data_type",
    "task",
)


@functools.cache
def cues_by_field() -> dict[str, tuple[Cue, ...]]:
    """Every field's cues, from the lexicon (patterns are compiled on first use)."""
    lex = lexicon()
    table: dict[str, tuple[Cue, ...]] = {}
    for name in FIELD_ORDER:
        cues = []
        for entry in lex.fields[name].cues:
            finder = FINDERS.get(entry.finder) if entry.finder else None
            if entry.finder and finder is None:
                raise LexiconError(
                    [Problem(entry.file, entry.line, entry.id, "finder", "no such finder in code")]
                )
            cues.append(Cue(entry.id, name, LazyRe(entry.source), entry.value, finder, entry.negated))
        table[name] = tuple(cues)
    return table
