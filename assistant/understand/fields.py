"""Profile facts stated in a text: scan every field's cues, read each hit's value, resolve each field.

Why its own module: this is the one place that turns cue matches into `Turn.changes` values, with the
policies that decide between several mentions of a field:
  - a cue preceded by a negator in its clause ("we don't have an ML team", "nothing is annotated") or
    followed by a negative answer ("labels? none", "on-device isn't needed") takes its negated value;
  - overlapping hits keep the longest; then the last mention wins, except data_type (the first mention is
    the main data; two types joined by "and" = multimodal), privacy / latency (the strictest requirement
    wins) and ml_team (any ML people at all: true);
  - stated request rates set `volume` ("2M/day"; a bare count is not a volume);
  - convention: strict privacy implies external_api_ok false unless the text says otherwise.
The cue phrases themselves are in `understand.cues`.

Speed: the cues of a field are scanned as one pattern, and a degenerate paste cannot make one field cost
more than `_MAX_HITS_PER_FIELD` matches.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TypeAlias

from ..types import Value
from .cues import CUES_BY_FIELD, FIXED, Cue
from .numbers import requests_per_day, volume_level
from .patterns import LazyRe, top_level_parts
from .text import negated

__all__ = ["build_scanners", "extract_fields"]

Hit: TypeAlias = tuple[int, int, Value | None]  # start, end, value (None: the mention changes nothing)

# A negative answer right after the cue: "labels? we have none", "ML team: nobody."
_POST_NEGATION = LazyRe(
    r"\s*[?:,-]+\s*(?:we have |we've got |there (?:are|is) |we got )?(?:none|zero|"
    r"nothing|nobody|nope|nada|no)\s*(?:[.,;!?]|$)|\s+(?:is|are|would be|"
    r"will be)?\s*(?:not|isn't|aren't|isnt|arent|won't be|"
    r"wont be)\s+(?:really\s+)?(?:needed|required|necessary|a requirement|a must|"
    r"an option|available|allowed)\b"
)
_DATA_JOIN = LazyRe(r"^\W*(?:\w+\W+)?(?:and|&|plus|as well as|with|together with|\+|/)\W+(?:\w+\W+)?$")
_STRICTNESS: dict[str, tuple[Value, ...]] = {
    "privacy": ("none", "sensitive", "strict"),
    "latency": ("relaxed", "interactive", "realtime"),
    # "a few data scientists but nobody with deep learning experience": they do have an ML team
    "ml_team": (False, True),
}

_Scanner: TypeAlias = tuple[LazyRe, tuple[Cue, ...]]
_SCANNERS: list[_Scanner] | None = None
_MAX_HITS_PER_FIELD = 40
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def build_scanners() -> list[_Scanner]:
    """One pattern per field (its cues' alternatives), so a text is scanned once per field, not once per
    cue; a hit is then matched against the field's cues at that position to find its value. Within a field
    the leftmost match wins, then the first cue listed: list specific cues ("budget isn't an issue")
    before general ones ("budget"). Built on first use (or by `warm_up()`)."""
    global _SCANNERS
    if _SCANNERS is None:
        built: list[_Scanner] = []
        for cues in CUES_BY_FIELD.values():
            source = "|".join(f"(?:{part})" for c in cues for part in top_level_parts(c.regex.source))
            built.append((LazyRe(_NAMED_GROUP.sub("(?:", source)), cues))  # group names must be unique
        _SCANNERS = built  # one assignment: safe if two threads get here first at the same time
    return _SCANNERS


def extract_fields(text: str) -> dict[str, Value]:
    """Profile facts stated in lower-cased, cleaned text (no intent logic, no context)."""
    hits: dict[str, list[Hit]] = {}
    for scanner, cues in build_scanners():
        for n, hit in enumerate(scanner.finditer(text)):
            if n == _MAX_HITS_PER_FIELD:
                break  # no real text mentions a field this often; bounds the time on degenerate pastes
            found = next(((c, cm) for c in cues if (cm := c.regex.match(text, hit.start()))), None)
            if found is None:
                continue
            cue, m = found
            value: Value | None
            if cue.negated is not FIXED and (negated(text, m.start()) or _POST_NEGATION.match(text, m.end())):
                value = cue.negated
            else:
                value = cue.value(text, m) if callable(cue.value) else cue.value
            hits.setdefault(cue.field, []).append((m.start(), m.end(), value))
    changes: dict[str, Value] = {}
    for name, found_hits in hits.items():
        resolved = _data_type(text, found_hits) if name == "data_type" else _resolve(name, found_hits)
        if resolved is not None:
            changes[name] = resolved
    rate = requests_per_day(text)
    if rate is not None:
        changes["volume"] = volume_level(rate)
    if changes.get("privacy") == "strict":
        changes.setdefault("external_api_ok", False)  # convention: strict = the data may not leave
    return changes


def _valued(hits: list[Hit]) -> list[tuple[int, int, Value]]:
    """The hits that state a value, in text order."""
    return sorted(((start, end, v) for start, end, v in hits if v is not None), key=lambda h: h[0])


def _resolve(name: str, hits: list[Hit]) -> Value | None:
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):  # longest first
        if all(hit[1] <= k[0] or hit[0] >= k[1] for k in kept):
            kept.append(hit)
    valued = _valued(kept)
    if not valued:
        return None
    if name in _STRICTNESS:
        return max((h[2] for h in valued), key=_STRICTNESS[name].index)
    return valued[-1][2]


def _data_type(text: str, hits: list[Hit]) -> Value | None:
    valued = _valued(hits)
    if not valued:
        return None
    if any(h[2] == "multimodal" for h in valued):
        return "multimodal"
    for a, b in pairwise(valued):
        if a[2] != b[2] and _DATA_JOIN.match(text[a[1] : b[0]]):
            return "multimodal"
    return valued[0][2]
