"""Profile facts: what a sentence claims about the user's project (data, team, privacy, budget, ...).

One concern: reading fact claims. The words are data: each profile value has a few ways of being said
("tabular", "spreadsheets", "rows and columns"), listed under `claims:` in knowledge/lexicon/claims.yaml
next to the rest of the field vocabulary, so an edit reaches every reader and `modelchoice lexicon check`
checks them. The mechanism is here: a claim counts only in a clause addressed to the user ("you",
"your", "we") that is not conditional ("if you had ..."), and "not"/"no"/"without"/"lack" before it negates
it. The profile check (`checks.Guard`) compares the claims with the profile.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from ..types import Value
from .text import alternation as _alt
from .text import clauses, normalize

if TYPE_CHECKING:
    from ..lexicon import Lexicon

__all__ = ["ClaimReader", "FactClaim", "default_reader", "fact_claims"]

_YOU = re.compile(r"\b(?:you|your|you're|you've|you'll|yours|we|our|us|we're|we've)\b")
_FACT_CONDITIONAL = re.compile(
    r"\b"
    + _alt(
        "if",
        "unless",
        "whether",
        "suppose",
        "imagine",
        "would",
        "could",
        "might",
        "should you",
        "were you",
        "once",
        "when",
        "in case",
        "assuming",
    )
    + r"\b"
)


class FactClaim(NamedTuple):
    """A fact a sentence states about the user's project; asserted=False is a negated enum fact."""

    field: str
    value: Value
    asserted: bool
    clause: str


class ClaimReader:
    """Reads fact claims with the `claims` of one lexicon (the shipped one: `default_reader`). The claims
    become one alternation, in the order written, compiled on first use: at a position the first listed
    claim wins ("no ML team" before "ML team")."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._facts: list[tuple[str, Value]] = [(c.field, c.value) for c in lexicon.claims]
        self._sources = [c.source for c in lexicon.claims]

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        alternatives = [rf"(?P<f{i}>\b(?:{source}))" for i, source in enumerate(self._sources)]
        return re.compile("|".join(alternatives)) if alternatives else None

    def normalize(self, text: str) -> str:
        """The text as claims are matched against it (lower case, contractions expanded)."""
        return normalize(text)

    def claims(self, sentence: str) -> list[FactClaim]:
        """(field, value, asserted, clause) for facts the sentence states about the user's project.

        Only clauses addressed to the user ("you", "your", "we") and not conditional count; asserted=False
        is a negated enum fact ("your data is not tabular")."""
        out: list[FactClaim] = []
        low = normalize(sentence)
        pattern = self._pattern
        if pattern is None or not _YOU.search(low):
            return out
        for clause in clauses(low):
            if _FACT_CONDITIONAL.search(clause):
                continue
            hits: list[tuple[int, int, str, Value]] = []
            for match in pattern.finditer(clause):
                name, value = self._facts[int((match.lastgroup or "f0")[1:])]
                hits.append((match.start(), match.end(), name, value))
            masked = clause
            for (
                start,
                end,
                _,
                _,
            ) in hits:  # "your" inside a fact ("stay on your infrastructure") is no address
                masked = masked[:start] + " " * (end - start) + masked[end:]
            for start, end, name, value in hits:
                # Addressed to the user: "you"/"your"/"we" within a few words of the fact.
                if not _YOU.search(masked[max(0, start - 50) : start] + " " + masked[end : end + 30]):
                    continue
                negated = bool(
                    re.search(
                        r"\b(?:not|no|never|no longer|lack\w*|without)\s+(?:\w+\s+){0,3}$",
                        clause[max(0, start - 40) : start],
                    )
                )
                if isinstance(value, bool):
                    out.append(FactClaim(name, value != negated if negated else value, True, clause))
                else:
                    out.append(FactClaim(name, value, not negated, clause))
        return out


@functools.cache
def default_reader() -> ClaimReader:
    """The claim reader of the shipped lexicon, built on first use (the import parses nothing)."""
    from ..lexicon import default_lexicon

    return ClaimReader(default_lexicon())


def fact_claims(sentence: str) -> list[FactClaim]:
    """(field, value, asserted, clause) for facts the sentence states about the user's project, read with
    the shipped lexicon's claims (see `ClaimReader.claims`)."""
    return default_reader().claims(sentence)
