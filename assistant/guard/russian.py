"""Reading a Russian answer the way the guard reads an English one: words, clauses, stances, fact claims.

One concern: the Russian side of reading. The checks (`checks.Guard`) are the same for both languages; what
differs is how a sentence is cut and read, so each language is a `Reading` (see `reading`), and this module
builds the Russian one from knowledge/lexicon/ru/claims.yaml (`lexicon.russian_claims`). The mechanism
mirrors the English readers: a stance is a cue before ("рекомендую X") or after ("X - лучший выбор") an
option's name, negated by "не" before the cue, with a contrasted mention ("вместо X", "а не X") never
endorsed; a fact claim counts only near "вы"/"ваш"/"мы", outside a hypothetical ("если", "бы"), and "не",
"нет", "без" before it negate it. Words are stemmed by a light suffix stripper (Russian case and number
endings), so "модель", "модели" and "моделью" are one word for the support check.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from .facts import FactClaim
from .stance import Stance
from .text import STOPWORDS, stem

__all__ = ["RussianReader", "russian_reader", "stem_ru"]

# Case, number, gender and verb endings, longest first; a stem keeps at least three letters.
_ENDINGS = sorted(
    [
        "иями",
        "ями",
        "ами",
        "иях",
        "ях",
        "ах",
        "ого",
        "его",
        "ому",
        "ему",
        "ыми",
        "ими",
        "ых",
        "их",
        "ую",
        "юю",
        "ая",
        "яя",
        "ое",
        "ее",
        "ые",
        "ие",
        "ый",
        "ий",
        "ой",
        "ей",
        "ом",
        "ем",
        "ам",
        "ям",
        "ов",
        "ев",
        "ью",
        "ия",
        "ии",
        "ию",
        "ться",
        "тся",
        "ется",
        "ются",
        "ть",
        "ет",
        "ют",
        "ут",
        "ит",
        "ат",
        "ят",
        "ишь",
        "ешь",
        "ен",
        "ена",
        "ено",
        "ены",
        "а",
        "я",
        "о",
        "е",
        "ы",
        "и",
        "у",
        "ю",
        "ь",
        "й",
    ],
    key=len,
    reverse=True,
)
_WORD = re.compile(r"[a-zа-я0-9]+")


@functools.lru_cache(maxsize=20000)
def stem_ru(word: str) -> str:
    """A lower-case Russian word without its ending: "моделью" -> "модел", "данных" -> "данн"."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@functools.lru_cache(maxsize=4096)
def normalize_ru(text: str) -> str:
    """Lower case, "ё" as "е", straight quotes (also for «»), long dashes as " - ", no markdown emphasis."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u00ab", '"').replace("\u00bb", '"').replace("\u00a0", " ")
    text = text.replace("\u2014", " - ").replace("\u2013", " - ").replace("**", "").replace("__", "")
    return text.lower().replace("ё", "е")


class RussianReader:
    """The Russian vocabulary compiled: `stances`, `claims`, `content_words` and the marker patterns."""

    def __init__(self) -> None:
        from ..lexicon.russian_claims import load_russian_claims

        data = load_russian_claims()
        self.stopwords = data.stopwords | STOPWORDS

        def words(name: str) -> re.Pattern[str]:
            return re.compile(rf"(?:^|\b)(?:{data.markers[name]})\b")

        self.conditional, self.modal = words("conditional"), words("modal")
        self.fact_conditional, self.you = words("fact_conditional"), words("you")
        self.addressed, self.hypothetical = words("addressed"), words("hypothetical")
        self.present, self.past, self.current = words("present"), words("past"), words("current")
        self.hybrid_parts = words("hybrid_parts")
        self.clause = re.compile(data.markers["clause"])
        self.negation = re.compile(rf"(?:^|\b)(?:{data.markers['negation']})\s+(?:\w+\s+){{0,3}}$")
        self.lead_negation = re.compile(rf"(?:^|\b)(?:{data.markers['negation']})\s+(?:\w+\s+){{0,2}}$")
        self.mention = re.compile(
            "|".join(rf"(?P<{name}>\b(?:{pattern}))" for name, pattern in data.options.items())
        )
        cues = data.cues
        self.endorse_before = re.compile(rf"\b(?:{cues['endorse_before']})")
        own = r"(?:\s+(?:сво\w*|ваш\w*|наш\w*|эт\w*|использовани\w*|применени\w*))*"
        self.reject_before = re.compile(rf"(?:^|\b)(?:{cues['reject_before']}){own}\s+$")
        self.contrast_before = re.compile(rf"(?:^|\b)(?:{cues['contrast_before']}){own}\s+$")
        self.after = re.compile(
            rf"(?P<neg>\bне\s+)?(?:(?P<good>{cues['endorse_after']})|(?P<bad>{cues['reject_after']}))(?!\w)"
        )
        self._facts = [(c.field, c.value) for c in data.claims]
        alternatives = [rf"(?P<f{i}>\b(?:{c.source}))" for i, c in enumerate(data.claims)]
        self._claims = re.compile("|".join(alternatives))

    # --- words --------------------------------------------------------------------------------------
    def normalize(self, text: str) -> str:
        return normalize_ru(text)

    def words(self, text: str) -> list[str]:
        return _WORD.findall(normalize_ru(text))

    def content_words(self, text: str) -> list[str]:
        """Stems of the words that carry a claim: Cyrillic words stemmed as Russian, Latin ones as English."""
        out = []
        for word in self.words(text):
            if len(word) > 1 and word not in self.stopwords:
                out.append(stem_ru(word) if "а" <= word[0] <= "я" else stem(word))
        return out

    def clauses(self, normalized: str) -> list[str]:
        return [c for c in self.clause.split(normalized) if c and c.strip()]

    # --- stances ------------------------------------------------------------------------------------
    def _mentions(self, clause: str) -> list[tuple[int, int, str, bool]]:
        out = []
        for match in self.mention.finditer(clause):
            before = clause[max(0, match.start() - 40) : match.start()]
            contrasted = bool(self.contrast_before.search(before) or self.reject_before.search(before))
            out.append((match.start(), match.end(), match.lastgroup or "", contrasted))
        return out

    def stances(self, sentence: str) -> list[Stance]:
        """Which options the sentence endorses (+) or rejects (-), clause by clause."""
        found: list[Stance] = []
        low = normalize_ru(sentence)
        if not self.mention.search(low):
            return found
        for clause in self.clauses(low):
            mentions = self._mentions(clause)
            for start, _, option, _ in mentions:
                if self.reject_before.search(clause[max(0, start - 40) : start]):
                    found.append(Stance(option, False, clause))
            for cue in self.endorse_before.finditer(clause):
                negated = bool(self.lead_negation.search(clause[max(0, cue.start() - 30) : cue.start()]))
                after = [m for m in mentions if m[0] >= cue.end() and not m[3]]
                if after:
                    found.append(Stance(after[0][2], not negated, clause))
            for cue in self.after.finditer(clause):
                positive = bool(cue.group("good")) and not cue.group("neg")
                preceding = [m for m in mentions if m[1] <= cue.start() and not m[3]]
                if preceding:
                    found.append(Stance(preceding[-1][2], positive, clause))
        return found

    # --- fact claims --------------------------------------------------------------------------------
    def claims(self, sentence: str) -> list[FactClaim]:
        """(field, value, asserted, clause) for facts the sentence states about the user's project."""
        out: list[FactClaim] = []
        low = normalize_ru(sentence)
        if not self._facts or not self.you.search(low):
            return out
        for clause in self.clauses(low):
            if self.fact_conditional.search(clause):
                continue
            hits = []
            for match in self._claims.finditer(clause):
                name, value = self._facts[int((match.lastgroup or "f0")[1:])]
                hits.append((match.start(), match.end(), name, value))
            masked = clause
            for start, end, _, _ in hits:  # "вашей" inside a fact ("в вашей инфраструктуре") is no address
                masked = masked[:start] + " " * (end - start) + masked[end:]
            for start, end, name, value in hits:
                if not self.you.search(masked[max(0, start - 50) : start] + " " + masked[end : end + 30]):
                    continue
                negated = bool(self.negation.search(clause[max(0, start - 40) : start]))
                if isinstance(value, bool):
                    out.append(FactClaim(name, value != negated if negated else value, True, clause))
                else:
                    out.append(FactClaim(name, value, not negated, clause))
        return out

    def read(self, sentences: Sequence[str]) -> list[tuple[list[Stance], list[FactClaim]]]:
        """Stances and claims of each sentence (for tests and the lexicon check)."""
        return [(self.stances(s), self.claims(s)) for s in sentences]


@functools.cache
def russian_reader() -> RussianReader:
    """The Russian reader of the shipped vocabulary, compiled on first use."""
    return RussianReader()
