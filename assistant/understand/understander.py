"""The offline `Understander`: one message (and what the conversation knows) in, one `Turn` out.

Why its own module: it only sequences the parts, so the order of the steps is visible in one place:
  1. injection check on the raw text (also inside long pastes): an injection turn carries NO changes;
  2. field cues (`fields.extract_fields`);
  3. context: a short reply answers `context.asked_field`; with `context.pending_what_if`, yes/no-like
     replies adopt or discard the what-if (`replies`, `intents.pending_choice`);
  4. the intent, by priority (`intents.decide_intent`).

`changes` is kept for describe, recommend, why, why_not, change_mind and what_if (the facts a question
states are still facts). It is empty for injection (security), concept (a general question states no facts
about the project) and the control intents reset / undo / adopt / discard / help / out_of_scope, which the
session does not apply changes for. Every kept value is schema-valid (see `profile.FIELDS`).

No LLM, no network, only `re`: it runs on every chat turn (import in a few ms, well under 1 ms per
utterance; patterns compile on first use, or in `warm_up()` at server start). An LLM-based `Understander`
can sit behind the same Protocol and fall back to this one field by field.
"""

from __future__ import annotations

from ..profile import FIELDS, parse_value
from ..types import NO_CONTEXT, Intent, Turn, TurnContext, Value
from .fields import build_scanners, extract_fields
from .injection import is_injection
from .intents import decide_intent, pending_choice
from .patterns import compile_all
from .replies import read_answer, reply_polarity
from .text import clean_text

__all__ = ["RuleBasedUnderstander", "understand", "warm_up"]

_KEEP_CHANGES = frozenset(
    {Intent.DESCRIBE, Intent.RECOMMEND, Intent.WHY, Intent.WHY_NOT, Intent.CHANGE_MIND, Intent.WHAT_IF}
)


class RuleBasedUnderstander:
    """The offline implementation of `Understander`: regular expressions, no model, no I/O."""

    def understand(self, text: str, context: TurnContext = NO_CONTEXT) -> Turn:
        clean = clean_text(text)
        low = clean.lower()
        if is_injection(low):
            # Security choice: an injection turn carries no changes, even if it also states facts, so a
            # pasted attack cannot smuggle profile changes in. The user can restate the facts on their own.
            return Turn(Intent.INJECTION, {}, text=clean)
        flat = low.replace("\n", " . ")
        changes = extract_fields(flat)
        polarity = reply_polarity(flat, bool(changes))
        pending = pending_choice(flat, polarity) if context.pending_what_if else None

        answered = False
        asked = context.asked_field if context.asked_field in FIELDS else None
        if asked and pending is None and asked not in changes:
            answer = read_answer(asked, flat, polarity)
            if answer is not None:
                answered = True
                for name, value in answer.items():
                    changes.setdefault(name, value)
        elif asked and asked in changes:
            answered = True

        intent, target = decide_intent(flat, changes, pending, answered)
        kept: dict[str, Value] = changes if intent in _KEEP_CHANGES else {}
        valid = {k: v for k, v in kept.items() if parse_value(k, v) == v}
        return Turn(intent, valid, intent is Intent.WHAT_IF, target, clean)


_DEFAULT = RuleBasedUnderstander()


def understand(text: str, context: TurnContext = NO_CONTEXT) -> Turn:
    """Module-level shortcut for the offline understander."""
    return _DEFAULT.understand(text, context)


def warm_up() -> None:
    """Compile every pattern now (e.g. at server start) so the first user turn is as fast as the rest."""
    build_scanners()
    compile_all()
