"""The guard: deterministic checks on every LLM-written answer before the user may keep it.

The rules decide and the LLM only explains; the guard holds each sentence of an LLM answer against the
turn's evidence (`Evidence`: the decision trace, the passages shown, the explainer's wording) and reports
`Finding`s for five checks (`CHECKS`): recommendation, profile, citations, support, repetition.

  text        normalising, sentences, clauses, stemmed content words (shareable with other lexical code)
  stance      which option a sentence endorses or rejects
  facts       which facts about the user's project a sentence states
  repetition  runaway loops, repeated phrases, stuttering
  evidence    what an answer may rest on, and how well a sentence is covered by it
  checks      the verdict: Guard (whole text), StreamCheck (a growing stream), findings_for_prompt
"""

from .checks import (
    CHECKS,
    MIN_CONTENT_WORDS,
    SUPPORT_THRESHOLD,
    Guard,
    StreamCheck,
    Verdict,
    check,
    findings_for_prompt,
    reading_for,
)
from .evidence import FRAME_WORDS, Evidence, Passage, frame_vocabulary, support_score
from .facts import FactClaim, fact_claims
from .repetition import MAX_SENTENCE_CHARS, Repetition
from .stance import Stance, stances
from .text import (
    CITATION_RE,
    STOPWORDS,
    clauses,
    content_words,
    normalize,
    sentences,
    stem,
    tokenize,
    words,
)

__all__ = [
    "CHECKS",
    "CITATION_RE",
    "FRAME_WORDS",
    "MAX_SENTENCE_CHARS",
    "MIN_CONTENT_WORDS",
    "STOPWORDS",
    "SUPPORT_THRESHOLD",
    "Evidence",
    "FactClaim",
    "Guard",
    "Passage",
    "Repetition",
    "Stance",
    "StreamCheck",
    "Verdict",
    "check",
    "clauses",
    "content_words",
    "fact_claims",
    "findings_for_prompt",
    "frame_vocabulary",
    "normalize",
    "reading_for",
    "sentences",
    "stances",
    "stem",
    "support_score",
    "tokenize",
    "words",
]
