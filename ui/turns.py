"""The app's events as plain functions: (what the user did, the browser's copy) -> every output at once.

One event per turn: a turn's answer, the side panel and the new copy of the conversation come back
together (`page.panel`), so the page never fires a second event to refresh the panel. Nothing is kept
between events (`state.load` in, `state.dump` out), so any app process can serve any turn. Without an
LLM the answer is ready in milliseconds and each event returns once; with a writer that streams, the
answer is shown as it is written and the panel and the copy follow in the last update.

Errors meant for the user are raised as `ModelchoiceError` (the app shows them as Gradio errors); a
failure inside a turn is answered with an apology and recorded, and never takes the page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping

from assistant import FIELDS, Conversation, ModelchoiceError, Reply, Value, decide
from assistant.conversation import MAX_INPUT_CHARS
from assistant.knowledge import Section
from assistant.profile import parse_value
from assistant.record import decision_record

from . import page, render, state, whatif
from .state import Visit

log = logging.getLogger(__name__)

SKIP = page.update()  # leaves an output as it is
SORRY = "Sorry, something went wrong on my side while answering. Please try again."
Outputs = list[object]
Events = Callable[[Visit], Iterator[str | Reply]]


class Turns:
    """Every event of the page, around one shared `Conversation` (which holds no per-user state)."""

    def __init__(self, assistant: Conversation, sections: Mapping[str, Section]) -> None:
        self.assistant = assistant
        self.sections = sections
        self.streaming = assistant.writer is not None  # only an LLM writer streams its answers
        self.width = 2 + len(page.PANEL_KEYS)  # chat, panel..., copy

    # --- turns ---------------------------------------------------------------------------------
    def chat(self, message: object, conversation: object) -> Iterator[Outputs]:
        """A typed message. Outputs: the input box, the chat, the panel, the copy."""
        text = checked_message(message)
        if not text:
            yield [SKIP] * (1 + self.width)
            return
        for outputs in self._turn(
            conversation, text, lambda visit: self.assistant.stream(visit.session, text)
        ):
            yield ["", *outputs]

    def what_if(self, index: int, conversation: object) -> Iterator[Outputs]:
        """The what-if button `index`, as the page shows it for this copy (the same offers everywhere)."""
        visit = state.load(conversation)
        choices = page.offers(visit, decide(visit.session.profile))
        if index >= len(choices):
            yield [SKIP] * self.width
            return
        cf = choices[index]
        changes: dict[str, Value] = {cf.field: cf.value}
        line = whatif.question(changes)
        yield from self._turn(
            conversation, line, lambda v: self.assistant.stream_action(v.session, "what_if", changes, line)
        )

    def settle(self, intent: str, line: str, conversation: object) -> Iterator[Outputs]:
        """Adopt or discard the pending what-if (the buttons under the comparison)."""
        yield from self._turn(
            conversation, line, lambda v: self.assistant.stream_action(v.session, intent, None, line)
        )

    def _turn(self, conversation: object, line: str, events: Events) -> Iterator[Outputs]:
        visit = state.load(conversation)
        before = page.chat(visit, self.sections)
        asked = [*before, page.message("user", line)]
        current: Outputs = []
        if self.streaming:  # the user's line at once, the panel as the page has it
            current = page.panel(visit, self.sections)
            yield [asked, *current, conversation]
        try:
            for event in events(visit):
                if self.streaming and isinstance(event, str):
                    text = render.chat_text(event, self.sections)
                    yield [[*asked, page.message("assistant", text)], *current, conversation]
        except Exception:  # a broken backend must not take the page down; the turn is kept, answered
            log.exception("turn failed")
            shown = visit.shown
            visit = state.load(conversation)
            visit.shown = shown
            visit.session.record(
                {"user": line, "intent": "error", "changes": {}, "answer": SORRY, "citations": []}
            )
        visit.turns += 1
        yield self.outputs(visit)

    # --- edits ---------------------------------------------------------------------------------
    def set_field(self, name: str, value: object, conversation: object) -> Outputs:
        """A form edit: applied at once, noted in the chat."""
        if not isinstance(value, str):
            raise ModelchoiceError(f"{FIELDS[name].label}: expected one of the listed values")
        new = None if value in ("", render.UNKNOWN) else parse_value(name, value)
        visit = state.load(conversation)
        current = visit.session.facts.get(name)
        if (current.value if current else None) == new and (current is None or current.source == "form"):
            # Nothing to do. (Gradio 6.31 can fire `input` a second time when this handler's update
            # rebuilds the dropdown; that must not count as another edit.)
            return [SKIP] * self.width
        before = dict(visit.session.facts)
        self.assistant.set_fields(visit.session, {name: new}, source="form")
        if visit.session.facts != before:
            visit.turns += 1
        visit.shown.pop(name, None)  # the page shows what the user picked: send the value with its source
        return self.outputs(visit)

    def new(self, conversation: object) -> Outputs:
        """A clean slate (the "New conversation" button and the chat's clear button)."""
        return self.outputs(Visit(shown=state.load(conversation).shown))

    def load(self, conversation: object) -> Outputs:
        """The page was (re)loaded: show the conversation the browser kept; the page shows defaults."""
        visit = state.load(conversation)
        visit.shown = {}
        return self.outputs(visit)

    def export(self, conversation: object) -> str:
        """The decision record (Markdown) of this conversation, built when asked for."""
        return decision_record(state.load(conversation).session, self.sections)

    def outputs(self, visit: Visit) -> Outputs:
        panel = page.panel(visit, self.sections)
        return [page.chat(visit, self.sections), *panel, state.dump(visit)]


def checked_message(text: object) -> str:
    """A chat message within the limit, or a `ModelchoiceError` that says what the limit is."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise ModelchoiceError("A message must be text.")
    if len(text) > MAX_INPUT_CHARS:
        raise ModelchoiceError(
            f"Your message is {len(text):,} characters long; the limit is {MAX_INPUT_CHARS:,}. "
            "Please shorten it, or send it in parts."
        )
    return text.strip()
