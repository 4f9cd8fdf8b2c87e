"""The deterministic explainer: every answer's sentences, written from the decision trace and the passages.

`templates` holds the wording as data (PHRASES, QUESTIONS, TEMPLATES), `pieces` turns a decision into
sentences with it (shared with the LLM writer's frame), and `answers` assembles one answer per intent.
"""

from ..types import WhatIf
from .answers import (
    adopt,
    change_mind,
    concept,
    discard,
    help_text,
    injection,
    nothing_pending,
    out_of_scope,
    recommendation,
    reset,
    undo,
    what_if,
    why,
    why_not,
)
from .pieces import (
    WHAT_IF_PENDING,
    changed_from,
    currently,
    follow_up,
    for_your_project,
    headline,
    join,
    noted,
    option,
    phrase,
    sources_line,
    updated,
    why_not_head,
)
from .templates import PHRASES, QUESTIONS, TEMPLATES, fields_of, literal_text, render

__all__ = [
    "PHRASES",
    "QUESTIONS",
    "TEMPLATES",
    "WHAT_IF_PENDING",
    "WhatIf",
    "adopt",
    "change_mind",
    "changed_from",
    "concept",
    "currently",
    "discard",
    "fields_of",
    "follow_up",
    "for_your_project",
    "headline",
    "help_text",
    "injection",
    "join",
    "literal_text",
    "noted",
    "nothing_pending",
    "option",
    "out_of_scope",
    "phrase",
    "recommendation",
    "render",
    "reset",
    "sources_line",
    "undo",
    "updated",
    "what_if",
    "why",
    "why_not",
    "why_not_head",
]
