"""The parts of a turn as Protocols: any understander, retriever or writer that fits plugs in."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from .answer import AnswerContext, PassageRef, Reply
from .turn import NO_CONTEXT, Turn, TurnContext


# ------------------------------------------------------------------------------------- the parts
@runtime_checkable
class Understander(Protocol):
    """Reads one message: text in, `Turn` out (the offline patterns, or an LLM behind evidence checks)."""

    def understand(self, text: str, context: TurnContext = NO_CONTEXT) -> Turn: ...


@runtime_checkable
class Retriever(Protocol):
    """Finds the knowledge passages an answer can cite. `boost_sections` nudges the rules' sources up;
    `lang` ("en" | "ru") is the language of the question, and of the passages' titles and text (section ids
    are the same in every language, so citations hold)."""

    def search(
        self, query: str, k: int = 4, boost_sections: Sequence[str] = (), lang: str = "en"
    ) -> list[PassageRef]: ...


@runtime_checkable
class Writer(Protocol):
    """Rewrites a deterministic reply in conversational form (an LLM, behind the guard).

    Yields the whole text so far as it streams (a later str may replace an earlier one), then the final
    Reply: the rewritten one, or the deterministic one if no draft passed the guard.
    """

    def write(self, reply: Reply, ctx: AnswerContext, question: str) -> Iterator[str | Reply]: ...
