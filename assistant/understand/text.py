"""Text normalisation and clause scope: where a clause starts and ends, and whether a cue is negated in it.

Why its own module: every cue and reply reading depends on the same decisions, what counts as the same
clause ("no labels, but two data scientists": the "no" stops at "but"), what counts as a negator ("why not
use X" is a suggestion, not a negation; the negator words are in the lexicon) and which part of a message
is a question (a question states no facts: "couldn't we just call GPT-4o?"). Keeping them in one place
keeps them consistent.
"""

from __future__ import annotations

import re

from . import vocab
from .patterns import LazyRe

__all__ = [
    "after",
    "before",
    "clause_end",
    "clause_start",
    "clean_text",
    "negated",
    "question_spans",
    "sentence_spans",
]

_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": " - ",
        "\u00a0": " ",
        "\u200b": "",
        "\ufeff": "",
    }
)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def clean_text(text: str) -> str:
    """Normalise quotes, dashes and spaces (newlines are kept: they matter for injection checks)."""
    text = (text or "").translate(_TRANSLATE)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()).strip()


# A clause ends at punctuation or at a conjunction; negation never reaches across it.
_BOUNDARY = LazyRe(
    r"[;:!?()\[\]\n\"]|(?<!\d)[.,]|[.,](?!\d)|\s-+\s|\b(?:but|however|although|though|"
    r"whereas|while|and|so|because|since|yet|plus|also|then)\b"
)
_SENTENCE_END = re.compile(r"[?!;\n]|(?<!\d)\.|\.(?!\d)")
# Where the question of a "...?" sentence starts: an interrogative word at the start of a clause.
_ASKS = LazyRe(
    r"(?:^|[,;:(]|\s-+|\b(?:so|and|but|then|ok|okay|now|also|well))\s*(?:what|which|how|why|who|where|when|"
    r"should|shall|would|could|can|will|is|are|do|does|did|isn't|aren't|wouldn't|couldn't|shouldn't|won't|"
    r"can't|doesn't|don't|any|thoughts|surely|foundation|custom|hybrid)\b"
)
_MIN_QUESTION_WORDS = 3  # "labels?" or "budget?" heads a short answer; it is not a question
# A question typed without its "?": a sentence opening with a modal before its subject ("could we not just
# call Claude's API and be done with it"). A statement never opens so ("can't send anything outside").
_INVERTED = LazyRe(
    r"(?:could|couldn't|can|can't|should|shouldn't|would|wouldn't|why not|isn't|is|are|aren't|do|does|did)"
    r"\s+(?:we|you|it|i|they|that|this|there|a|an|the|our|your|any|some|one|such)\b"
    # a wh-word before the inverted verb: "what would you recommend for a zoo that has no ML people"
    r"|(?:what|which|how)\s+(?:would|should|do|does|can|could|will)\s+(?:you|we|i|one)\b"
    # a suggestion: "why not just call the OpenAI API and be done"
    r"|why\s+(?:not|don't|dont)\b"
)
# A question framed by what it is about: "with a tiny team and all those graded photos, which route makes
# more sense?" asks about those facts; "we have a tiny team, which route?" states one first.
_FRAMED = LazyRe(r"(?:so\s+|and\s+|but\s+)?(?:with|given|considering|for|based on|knowing|in light of)\b")
# A tag question asks about the whole sentence: "our two quants could train a model on the loan book,
# couldn't they?"
_TAG_QUESTION = LazyRe(
    r",\s*(?:couldn't|wouldn't|shouldn't|can't|isn't|aren't|don't|doesn't|won't|didn't)\s+"
    r"(?:they|we|it|you|he|she|i|there|that)\s*\?\s*$"
)
# A statement said with a rising tone: "teachers have marked maybe 2,000?", "I guess? we know who left". With
# no interrogative word, a hedge makes the "?" an estimate, not a question.
_HEDGED = LazyRe(
    r"\b(?:maybe|roughly|around|about|approximately|perhaps|probably|i guess|i think|i reckon)\b|~"
)


def clause_start(text: str, pos: int, reach: int = 120) -> int:
    """Where the clause holding `pos` starts (looking back at most `reach` characters)."""
    start = max(0, pos - reach)
    last = start
    for m in _BOUNDARY.finditer(text, start, pos):
        last = m.end()
    return last


def clause_end(text: str, pos: int, reach: int = 120) -> int:
    """Where the clause holding `pos` ends (looking ahead at most `reach` characters)."""
    m = _BOUNDARY.search(text, pos, min(len(text), pos + reach))
    return m.start() if m else min(len(text), pos + reach)


def before(text: str, pos: int, words: int = 6) -> str:
    """The last few words before `pos`, within its clause."""
    return " ".join(text[clause_start(text, pos) : pos].split()[-words:])


def after(text: str, pos: int, words: int = 6) -> str:
    """The first few words from `pos`, within its clause."""
    return " ".join(text[pos : clause_end(text, pos)].split()[:words])


# A clause that opens with these negates what it says about its subject, however long the subject is:
# "none of the ultrasound clips were ever annotated", "nobody on staff has ever marked any of them"
_NEGATED_CLAUSE = LazyRe(
    r"^\W*(?:nobody|no one|noone|no-one|none|never|nothing|neither|not one|not a single)\b"
)
_PARTITIVE = LazyRe(
    r"\b(?:none|neither|not one|not a single) of (?:the|our|these|those|them|it|its|their|my)\b"
)
_HEAD_REACH = 12  # words
_UNSURE = LazyRe(
    r"\b(?:no idea|no clue|not sure|don't know|do not know|dont know|not certain)\b"
    # a condition ruled out, not a denial of what follows: "not even with a DPA in place"
    r"|\bnot even(?= (?:with|under|if|through|via|given|after|once)\b)"
)  # not denials
# "without" negates the noun phrase right after it; a preposition after that phrase starts what is said of
# something else: "detect workers without hard hats on the site cameras" does not negate the cameras
_WITHOUT_PHRASE = LazyRe(
    r"\bwithout\b(?=(?:\s+[\w'-]+){1,4}?\s+(?:on|in|at|from|by|into|onto|through|via|across|inside|under|"
    r"over|near|around|along)\s)"
)
_PREPOSITION = LazyRe(
    r"(?:on|in|at|from|by|into|onto|through|via|across|inside|under|over|near|around|along)\s"
)
_WITHOUT_TAIL = LazyRe(r"\bwithout(?:\s+[\w'-]+){1,4}\s*$")
# "no developers, let alone machine learning specialists": the negation carries over to what follows
_LET_ALONE = LazyRe(
    r"\b(?:let alone|much less|still less|never mind|not even)\s+(?:an?\s+|any\s+)?(?:[\w-]+\s+)?$"
)


def negated(text: str, pos: int, words: int = 6, partitive: bool = True, head: bool = True) -> bool:
    """A negator in the few words before `pos`, in its clause, or a clause that opens with "nobody" /
    "none of". "why not use X" is a suggestion, not a negation. `partitive=False`: "none of the clips"
    does not negate "clips" (they exist; something else is said of them); `head=False`: only the words
    right before count ("nobody minds if it takes a few minutes" does not negate the minutes)."""
    near = _UNSURE.sub(" ", vocab.pattern("suggestion").sub(" ", before(text, pos, words)))
    near = _WITHOUT_PHRASE.sub(" ", near)
    if _PREPOSITION.match(text, pos):  # "without hard hats | on the site cameras"
        near = _WITHOUT_TAIL.sub(" ", near)
    if not partitive:
        near = _PARTITIVE.sub(" ", near)
    if vocab.negators().search(near) or _LET_ALONE.search(text, max(0, pos - 40), pos):
        return True
    start = clause_start(text, pos)
    lead = text[start:pos]
    if not partitive or not head or len(lead.split()) > _HEAD_REACH:
        return False
    return bool(_NEGATED_CLAUSE.search(lead))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence (the end includes its closing mark)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip(" .?!;")]


def question_spans(text: str, english: bool = True) -> list[tuple[int, int]]:
    """The parts of `text` that ask rather than state: in each sentence ending with "?" (in English, also one
    opening like a question, `_INVERTED`), from the clause where the question starts ("no labels and a tight
    deadline, what would you go for?": from "what"; from its start when a frame opens it, "with a tiny team,
    which route?"). The facts they mention are topics, not statements ("couldn't we just call GPT-4o?"). A
    Russian gloss keeps Russian word order, so it is not read so: "можем
    тратить..." (we can spend) glosses to "can ... spend"."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        if _details_hypothetical(text, spans, start, sentence):
            spans.append((start, end))
            continue
        body = sentence.lstrip(" .")
        inverted = english and _INVERTED.match(body) is not None
        asked = sentence.rstrip().endswith("?") or inverted
        if not asked or len(sentence.split()) < _MIN_QUESTION_WORDS:
            continue
        m = _ASKS.search(body)  # on the sentence alone, so "^" is its start
        if m is None and _HEDGED.search(sentence):
            continue
        framed = _FRAMED.match(body) is not None or _TAG_QUESTION.search(body) is not None
        spans.append((start if m is None or framed else end - len(body) + m.start(), end))
    return spans


# A short sentence right after a what-if question that says nothing of "us" fills in the hypothetical
# ("what if we pooled data with the operator next door? they've got ten years of labelled data", "what if
# it has to gate failover? sub-50 ms."); one that speaks of us states facts ("... it's a trial, and we're
# allowed to use chatgpt").
_FIRST_PERSON = LazyRe(r"\b(?:we|we're|we've|we'd|we'll|our|ours|us|i|i'm|i've|i'd|my|me)\b")
_DETAIL_WORDS = 20


def _details_hypothetical(text: str, spans: list[tuple[int, int]], start: int, sentence: str) -> bool:
    if not spans or text[spans[-1][1] : start].strip() or len(sentence.split()) > _DETAIL_WORDS:
        return False
    before = text[spans[-1][0] : spans[-1][1]]
    return (
        before.rstrip().endswith("?")
        and vocab.pattern("what_if").search(before) is not None
        and not _FIRST_PERSON.search(sentence)
    )
