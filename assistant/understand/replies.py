"""Short replies to the assistant's question: yes / no / not sure, and one- or two-word answers.

Why its own module: a reply like "nope", "plenty", "strict" or "about 5k" states nothing on its own; it
means something only as the answer to the field the assistant just asked about (`TurnContext.asked_field`),
and a bare yes / no only for the fields whose question is phrased for one (`YES_NO`). A full sentence is
read as usual, and the asked field does not swallow the other facts it states.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Literal, TypeAlias

from ..types import Value
from . import vocab
from .numbers import LABELS_PLENTY, YEARS_SPAN, quantities, volume_level
from .patterns import LazyRe

__all__ = ["YES_NO", "Polarity", "read_answer", "reply_polarity"]

Polarity: TypeAlias = Literal["yes", "no"]


class _YesNo(Mapping[str, tuple[Value, Value]]):
    """How a bare "yes" / "no" answers the question about a field: (value for yes, value for no), from the
    lexicon's `yes_no`. The question for these fields is phrased for it ("Do you have labelled data?");
    other fields need an open question, and a bare yes / no leaves them unset. Read on first use."""

    def _table(self) -> dict[str, tuple[Value, Value]]:
        return {n: f.yes_no for n, f in vocab.lexicon().fields.items() if f.yes_no is not None}

    def __getitem__(self, key: str) -> tuple[Value, Value]:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


YES_NO: Mapping[str, tuple[Value, Value]] = _YesNo()


@functools.cache
def _answers(name: str) -> tuple[tuple[Value, LazyRe], ...]:
    """What a short reply means for the asked field: (value, pattern), the first match wins."""
    return tuple((a.value, LazyRe(a.source)) for a in vocab.lexicon().fields[name].answers)


_SHORT_REPLY_WORDS = 8
_AMOUNT_FIELDS = frozenset({"volume", "labeled_data"})
_AMOUNTS_IN_A_REPLY = 2
_COUNTED = LazyRe(r"\s*(?:[,;:-]\s*)?[a-z]")  # the amount counts something named in words
# What may come before the amount a longer reply opens with: "about", "we have maybe", "yeah, roughly"
_AMOUNT_LEAD = LazyRe(
    r"^\W*(?:(?:about|around|roughly|approximately|approx|maybe|probably|perhaps|possibly|only|just|like|"
    r"well|so|hmm+|um+|uh+|oh|ok|okay|yeah|yes|yep|we|i|have|has|'ve|got|there|are|is|'s|think|guess|"
    r"say|reckon|over|under|nearly|almost|at least|up to|some)\W+)*$"
)


def reply_polarity(text: str, states_facts: bool) -> Polarity | None:
    """ "yes" / "no" when the reply is a bare yes or no (possibly with a short tail), else None.
    "no ML team" states a fact and is not a bare "no"; "nope, none at all" is."""
    candidates: tuple[tuple[Polarity, LazyRe], ...] = (
        ("no", vocab.pattern("reply_no")),
        ("yes", vocab.pattern("reply_yes")),
    )
    rest = vocab.pattern("reply_rest")
    for polarity, pattern in candidates:
        m = pattern.match(text)
        tail = text[m.end() :] if m else ""
        if m and (not tail or rest.match(tail) or (len(text.split()) <= 3 and not states_facts)):
            return polarity
    return None


def read_answer(
    asked: str, text: str, polarity: Polarity | None, suggested: Value | None = None
) -> dict[str, Value] | None:
    """The reply read as the answer to the question about `asked`: the facts it sets ({} for "not sure",
    an answer that leaves the field unknown), or None when it does not answer the question. `suggested`:
    the value the assistant asked the user to confirm ("It sounds like ...: is that right?"); yes sets it,
    no leaves the field unknown."""
    if vocab.pattern("reply_unsure").search(text) and len(text.split()) <= _SHORT_REPLY_WORDS:
        return {}
    if suggested is not None and polarity == "no" and not isinstance(suggested, bool):
        return {}  # "no" to "It sounds like the data can't leave your servers": not strict, but what then?
    value = _answer(asked, text, polarity, suggested)
    if value is None:
        return None
    if asked == "privacy" and value == "strict":
        return {asked: value, "external_api_ok": False}  # convention: strict = the data may not leave
    return {asked: value}


def _opens_with_amount(text: str, qty: list[tuple[float, int, int]]) -> bool:
    """Does a longer reply open with an amount of something ("about 3,000 old reports ...")? Not a string
    of numbers (leetspeak read through the gloss: "1 0 1 0 and 4 ...")."""
    first = qty[0]
    return (
        len(qty) <= _AMOUNTS_IN_A_REPLY
        and bool(_AMOUNT_LEAD.match(text[: first[1]]))
        and bool(_COUNTED.match(text, first[2]))
    )


def _answer(name: str, text: str, polarity: Polarity | None, suggested: Value | None) -> Value | None:
    """A short reply read as an answer to the question about `name`."""
    if suggested is not None and polarity is not None:
        if polarity == "yes":
            return suggested
        return not suggested if isinstance(suggested, bool) else None
    short = len(text.split()) <= _SHORT_REPLY_WORDS
    if short:
        for value, pattern in _answers(name):
            if pattern.search(text):
                return value
    if name == "labeled_data" and short and polarity != "no" and YEARS_SPAN.search(text):
        return "plenty"  # "since 2009, every week", "5 years, half-hourly": years of records hold the labels
    if name in _AMOUNT_FIELDS:
        qty = quantities(text)
        # a short reply's last amount, or the amount a longer reply opens with ("a few thousand old reports
        # we could match up to the images, maybe"): the answer comes first, the rest qualifies it
        if qty and (short or _opens_with_amount(text, qty)):
            amount = qty[-1][0] if short else qty[0][0]
            if name == "volume":
                return volume_level(amount)  # a bare number answering "how many requests?" is per day
            return "plenty" if amount >= LABELS_PLENTY else "some" if amount > 0 else "none"
    if polarity and name in YES_NO:
        return YES_NO[name][0 if polarity == "yes" else 1]
    return None
