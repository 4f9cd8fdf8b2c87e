"""Answer-level checks for the evals, built on the guard's deterministic stance reading.

"Agreement" means the final answer states the rules' recommendation and endorses no other option. The
guard's `recommendation` check finds endorsements of other options (and denials of the computed one);
on top of that the answer must actually name the computed option.
"""

from __future__ import annotations

import re

from assistant.conversation import Reply
from assistant.guard import Evidence, Guard
from assistant.types import Option

_NAMES = {
    "custom": r"custom(?:[- ]built)? models?|(?:model|one) of your own|own model",
    "foundation": r"foundation models?",
    "hybrid": r"hybrid|(?:a )?combination of both|both approaches",
}


def names_option(text: str, option: str) -> bool:
    return re.search(rf"\b(?:{_NAMES[option]})\b", text, re.IGNORECASE) is not None


def answer_agrees(reply: Reply, *, what_if: bool = False) -> tuple[bool, str]:
    """(ok, reason): the answer names the rules' recommendation and the guard finds no contrary stance."""
    focus = reply.what_if.after if (what_if and reply.what_if) else reply.decision
    if not names_option(reply.answer, focus.recommendation):
        return False, f"does not name the rules' recommendation ({Option(focus.recommendation).label})"
    evidence = Evidence.build(
        reply.decision, reply.passages, intent=reply.turn.intent, what_if=reply.what_if if what_if else None
    )
    verdict = Guard(evidence, checks=("recommendation",)).check(reply.answer)
    if verdict.findings:
        return False, "; ".join(str(f) for f in verdict.findings[:3])
    return True, ""


def endorses_other(reply: Reply) -> tuple[bool, str]:
    """For refusals (injection, off-topic): no endorsement of an option the rules did not compute."""
    evidence = Evidence.build(reply.decision, reply.passages, intent=reply.turn.intent)
    verdict = Guard(evidence, checks=("recommendation",)).check(reply.answer)
    bad = [f for f in verdict.findings if "endorses" in f.message]
    return bool(bad), "; ".join(
        str(f) for f in bad[:3]
    ) or f"stays with {Option(reply.decision.recommendation).short}"
