"""The app's events as plain functions: (what the user did, the browser's copy) -> every output at once.

One event per turn: a turn's answer, the side panel and the new copy of the conversation come back
together (`page.panel`), so the page never fires a second event to refresh the panel. Nothing is kept
between events (`state.load` in, `state.dump` out), so any app process can serve any turn. Without an
LLM the answer is ready in milliseconds and each event returns once; with a writer that streams, the
answer is shown as it is written and the panel and the copy follow in the last update.

Every event returns the same outputs: the text box, the chat, the panel (`page.PANEL_KEYS`), the words
around it (`page.CHROME_KEYS`, sent only when the page's language changes) and the copy.

Errors meant for the user are raised as `ModelchoiceError` (the app shows them as Gradio errors); a
failure inside a turn is answered with an apology and recorded, and never takes the page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping

from assistant import Conversation, ModelchoiceError, Reply, Value, decide, wording
from assistant.conversation import MAX_INPUT_CHARS
from assistant.knowledge import Section, sections_in
from assistant.profile import parse_value
from assistant.record import decision_record
from assistant.session import Session

from . import page, render, state, whatif
from .state import Visit

log = logging.getLogger(__name__)

SKIP = page.update()  # leaves an output as it is
Outputs = list[object]
Events = Callable[[Visit], Iterator[str | Reply]]


class Turns:
    """Every event of the page, around one shared `Conversation` (which holds no per-user state)."""

    def __init__(self, assistant: Conversation, sections: Mapping[str, Section]) -> None:
        self.assistant = assistant
        self.sections = sections  # the English ones: ids for the chat's citations, the panel in English
        self._translated: dict[str, Mapping[str, Section]] = {}
        self.streaming = assistant.writer is not None  # only an LLM writer streams its answers
        self.width = 3 + len(page.PANEL_KEYS) + len(page.CHROME_KEYS)  # box, chat, panel, chrome, copy

    # --- turns ---------------------------------------------------------------------------------
    def chat(self, message: object, conversation: object) -> Iterator[Outputs]:
        """A typed message: the box empties, the answer and the panel follow."""
        text = checked_message(message, wording.session_language(state.load(conversation).session))
        if not text:
            yield [SKIP] * self.width
            return
        for outputs in self._turn(
            conversation, text, lambda visit: self.assistant.stream(visit.session, text)
        ):
            box = outputs[0]  # emptied, with new words if the language changed
            yield [{**box, "value": ""} if isinstance(box, dict) and box != SKIP else "", *outputs[1:]]

    def what_if(self, index: int, conversation: object) -> Iterator[Outputs]:
        """The what-if button `index`, as the page shows it for this copy (the same offers everywhere)."""
        visit = state.load(conversation)
        choices = page.offers(visit, decide(visit.session.profile))
        if index >= len(choices):
            yield [SKIP] * self.width
            return
        cf = choices[index]
        changes: dict[str, Value] = {cf.field: cf.value}
        line = whatif.question(changes, wording.session_language(visit.session))
        yield from self._turn(
            conversation, line, lambda v: self.assistant.stream_action(v.session, "what_if", changes, line)
        )

    def settle(self, intent: str, conversation: object) -> Iterator[Outputs]:
        """Adopt or discard the pending what-if (the buttons under the comparison), said in the page's
        language ("Let's go with that.")."""
        line = render.words(wording.session_language(state.load(conversation).session))(f"line.{intent}")
        yield from self._turn(
            conversation, line, lambda v: self.assistant.stream_action(v.session, intent, None, line)
        )

    def _turn(self, conversation: object, line: str, events: Events) -> Iterator[Outputs]:
        visit = state.load(conversation)
        before = page.chat(visit, self.sections)
        asked = [*before, page.message("user", line)]
        current: Outputs = []
        rest = [SKIP] * len(page.CHROME_KEYS)
        if self.streaming:  # the user's line at once, the panel as the page has it
            current = page.panel(visit, self.sections_for(visit))
            yield [SKIP, asked, *current, *rest, conversation]
        try:
            for event in events(visit):
                if self.streaming and isinstance(event, str):
                    text = render.chat_text(event, self.sections)
                    yield [SKIP, [*asked, page.message("assistant", text)], *current, *rest, conversation]
        except Exception:  # a broken backend must not take the page down; the turn is kept, answered
            log.exception("turn failed")
            shown = visit.shown
            visit = state.load(conversation)
            visit.shown = shown
            sorry = render.words(wording.session_language(visit.session))("error.sorry")
            visit.session.record(
                {"user": line, "intent": "error", "changes": {}, "answer": sorry, "citations": []}
            )
        visit.turns += 1
        yield self.outputs(visit)

    # --- edits ---------------------------------------------------------------------------------
    def set_field(self, name: str, value: object, conversation: object) -> Outputs:
        """A form edit: applied at once, noted in the chat."""
        visit = state.load(conversation)
        if not isinstance(value, str):
            lang = wording.session_language(visit.session)
            raise ModelchoiceError(render.words(lang)("error.field", field=wording.field_label(name, lang)))
        new = None if value in ("", render.UNKNOWN) else parse_value(name, value)
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

    def set_language(self, choice: object, conversation: object) -> Outputs:
        """The language control: "auto" follows the answers' language; "en" / "ru" fix the page's and the
        answers' language for this conversation (`Session.lang`, kept with it)."""
        visit = state.load(conversation)
        if choice not in page.LANGUAGE_SETTINGS:
            raise ModelchoiceError(f"{choice!r}: expected one of {', '.join(page.LANGUAGE_SETTINGS)}")
        visit.session.lang = None if choice == "auto" else str(choice)
        return self.outputs(visit)

    def new(self, conversation: object) -> Outputs:
        """A clean slate (the "New conversation" button and the chat's clear button); the language setting
        stays, as a choice about the page rather than the conversation."""
        old = state.load(conversation)
        return self.outputs(Visit(shown=old.shown, session=Session(lang=old.session.lang)))

    def load(self, conversation: object) -> Outputs:
        """The page was (re)loaded: show the conversation the browser kept; the page shows defaults."""
        visit = state.load(conversation)
        visit.shown = {}
        return self.outputs(visit)

    def export(self, conversation: object) -> str:
        """The decision record (Markdown) of this conversation, built when asked for."""
        session = state.load(conversation).session
        lang = wording.session_language(session)
        return decision_record(session, sections_in(self.assistant.settings.knowledge_dirs, lang), lang=lang)

    def sections_for(self, visit: Visit) -> Mapping[str, Section]:
        """The sections in the page's language (the panel's passages and titles; the same ids)."""
        lang = wording.session_language(visit.session)
        if lang == "en":
            return self.sections
        if lang not in self._translated:
            self._translated[lang] = sections_in(self.assistant.settings.knowledge_dirs, lang)
        return self._translated[lang]

    def outputs(self, visit: Visit) -> Outputs:
        """Every output: the panel, and the words around it where the page's language changed."""
        panel = page.panel(visit, self.sections_for(visit))
        words = page.chrome(visit)
        chat: object = page.chat(visit, self.sections)
        if words:
            chat = page.update(value=chat, **words["chatbot"])  # type: ignore[arg-type]
        rest = [page.update(**words[key]) if words else SKIP for key in page.CHROME_KEYS]
        box = page.update(**words["textbox"]) if words else SKIP
        return [box, chat, *panel, *rest, state.dump(visit)]


def checked_message(text: object, lang: str = "en") -> str:
    """A chat message within the limit, or a `ModelchoiceError` that says what the limit is."""
    if text is None:
        return ""
    words = render.words(lang)
    if not isinstance(text, str):
        raise ModelchoiceError(words("error.not_text"))
    if len(text) > MAX_INPUT_CHARS:
        limit = f"{MAX_INPUT_CHARS:,}".replace(",", " " if lang == "ru" else ",")
        length = f"{len(text):,}".replace(",", " " if lang == "ru" else ",")
        raise ModelchoiceError(words("error.too_long", length=length, limit=limit))
    return text.strip()
