"""One chat turn, end to end: text -> turn -> profile changes -> decision -> passages -> answer.

The CLI, the web UI and the eval runner all call `Conversation.respond`; none of them decides anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace

from . import explain
from .engine import decide
from .errors import QueryError
from .knowledge import Section, section_index, sections_in
from .lexicon import default_lexicon
from .memory import MemoryRetriever
from .session import PendingWhatIf, Session
from .settings import Settings, get_settings
from .types import (
    LANGUAGES,
    RETRIEVING_INTENTS,
    Answer,
    AnswerContext,
    Citation,
    Decision,
    FactSource,
    Intent,
    PassageRef,
    Reply,
    Retriever,
    Turn,
    TurnContext,
    Understander,
    Value,
    WhatIf,
    Writer,
)
from .understand import RuleBasedUnderstander, multilingual_embedder, query_embedder

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 20_000  # longer pastes are cut (with a notice) before understanding
# Intents an LLM may rephrase (when one is configured); the rest are short, fixed conversational answers.
WRITTEN_BY_LLM = RETRIEVING_INTENTS


class Conversation:
    def __init__(
        self,
        settings: Settings | None = None,
        understander: Understander | None = None,
        retriever: Retriever | None = None,
        writer: Writer | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        # The learned layer reads the query embedding that retrieval computes anyway (cached by text); with an
        # injected retriever (tests, fakes) there is no embedding model to share, and the patterns work alone.
        own = retriever is None
        offline = RuleBasedUnderstander(
            embed=query_embedder(self.settings) if own else None,
            embed_ru=multilingual_embedder() if own else None,
        )
        if self.settings.llm != "none":  # lazy: LangChain loads only when an LLM is configured
            from .llm import LLMUnderstander, LLMWriter

            writer = writer or LLMWriter(self.settings)
            understander = understander or LLMUnderstander(self.settings, offline)
        self.understander = understander or offline
        self.writer = writer
        self._retriever = retriever
        self._fallback: MemoryRetriever | None = None

    def warm_up(self) -> Conversation:
        """Pay the one-off costs (regex compilation, embedding model, store check, local model server)
        before the first user."""
        from .understand import warm_up

        warm_up()
        self._search("warm up", [])
        warm = getattr(self.writer, "warm_up", None)  # optional: writers that have a server to start
        if callable(warm):
            warm()
        return self

    def answer_language(self, session: Session, turn: Turn | None = None) -> str:
        """The session's choice, else the settings' fixed language, else the language of the message."""
        fixed = self.settings.language if self.settings.language != "auto" else None
        return session.lang or fixed or (turn.lang if turn else "en")

    # --- parts ---------------------------------------------------------------------------------
    @property
    def sections(self) -> dict[str, Section]:
        return section_index(self.settings.knowledge_dirs)

    def _titles(self, lang: str = "en") -> dict[str, str]:
        return {sid: s.title for sid, s in sections_in(self.settings.knowledge_dirs, lang).items()}

    def _search(self, query: str, boost: list[str], lang: str = "en") -> tuple[list[PassageRef], str]:
        """Retrieved passages (in the answer's language `lang`), and a notice when there are none because
        search is unavailable (the answer then comes from the rules alone, and says so)."""
        try:
            if self._retriever is None:
                from .retrieval import get_retriever

                self._retriever = get_retriever(self.settings)  # tried again next turn if it fails
            return self._retriever.search(query, k=4, boost_sections=boost, lang=lang), ""
        except QueryError:  # e.g. a message with no searchable words: answer without passages
            return [], ""
        except Exception as exc:  # an optional part failing (RetrievalError, ...) must not break the turn
            log.warning("search is unavailable (%s); matching the guidance by keywords", exc)
            return self._keyword_search(query, boost, lang), explain.message("search_unavailable", lang)

    def _keyword_search(self, query: str, boost: list[str], lang: str = "en") -> list[PassageRef]:
        """The fallback when the store cannot be reached: whole sections ranked by shared words, so the
        answer still rests on the guidance instead of claiming it has nothing to say."""
        if self._fallback is None:
            self._fallback = MemoryRetriever(self.settings.knowledge_dirs)
        return self._fallback.search(query, k=4, boost_sections=boost, lang=lang)

    def _with_cited(
        self, passages: list[PassageRef], citations: tuple[Citation, ...], lang: str
    ) -> list[PassageRef]:
        """Every cited section is among the passages provided (the guard checks that for LLM answers)."""
        have = {p.section for p in passages}
        out = list(passages)
        sections = sections_in(self.settings.knowledge_dirs, lang)
        for citation in citations:
            section = sections.get(citation.id)
            if section and citation.id not in have:
                out.append(
                    PassageRef(
                        f"{section.id}#0",
                        section.id,
                        section.title,
                        section.source,
                        section.text,
                    )
                )
                have.add(citation.id)
        return out

    def _question(self, session: Session, decision: Decision) -> str | None:
        """One focused follow-up: the most decisive unknown field (`explain.decisive_fields`)."""
        if not decision.missing:
            return None
        ranked = explain.decisive_fields(decision)
        # Don't repeat the question the user just skipped.
        choice = next((m for m in ranked if m != session.asked_field), ranked[0])
        return choice

    # --- a turn --------------------------------------------------------------------------------
    def respond(self, session: Session, text: str) -> Reply:
        """One turn, whole: the last event of `stream`."""
        final = None
        for event in self.stream(session, text):
            final = event
        assert isinstance(final, Reply)
        return final

    def stream(self, session: Session, text: str) -> Iterator[str | Reply]:
        """Yield the answer as it is written (each str is the whole text so far; a later str may replace
        an earlier one), then the final Reply. Without an LLM the answer comes in one step."""
        clean = "".join(ch for ch in (text or "") if ch.isprintable() or ch in "\n\t").strip()
        cut = len(clean) > MAX_INPUT_CHARS
        clean = clean[:MAX_INPUT_CHARS]
        # One time budget for all the LLM work of this turn (understanding, then every draft).
        deadline = time.monotonic() + self.settings.llm_deadline if self.settings.llm != "none" else None
        if not clean:
            turn = Turn(Intent.HELP, {}, text="")
        else:
            context = TurnContext(
                session.asked_field, session.pending is not None, _confirming(session), deadline=deadline
            )
            turn = self.understander.understand(clean, context)
        lang = self.answer_language(session, turn)
        notice = explain.message("long_input", lang, count=MAX_INPUT_CHARS) if cut else ""
        yield from self._deliver(session, *self._answer(session, turn, clean, notice, deadline), clean)

    def _deliver(
        self, session: Session, reply: Reply, ctx: AnswerContext, text: str
    ) -> Iterator[str | Reply]:
        """Let the LLM (if any) rewrite the answer behind the guard, then record the final reply."""
        if self.writer is not None and reply.turn.intent in WRITTEN_BY_LLM:
            final = reply
            for event in self.writer.write(reply, ctx, text):
                if isinstance(event, Reply):
                    final = event
                else:
                    yield event
            reply = final
        self._record(session, reply, text)
        yield reply

    def set_fields(self, session: Session, changes: dict[str, Value | None], source: str = "form") -> Reply:
        """A form edit: apply, recompute at once, and answer with a short note for the chat."""
        facts = {k: v for k, v in changes.items() if v is not None}
        turn = Turn(Intent.DESCRIBE, facts, text="", lang=session.recent_lang)
        lang = self.answer_language(session, turn)
        before = decide(session.profile)
        applied = session.apply(changes, source)
        decision = decide(session.profile)
        was, now = explain.option(before.recommendation, lang), explain.option(decision.recommendation, lang)
        if not applied:
            note = explain.message("form.nothing", lang)
        elif before.recommendation != decision.recommendation:
            note = explain.message("form.changes", lang, before=was, after=now)
        else:
            note = explain.message("form.stays", lang, option=now)
        session.pending = None
        session.record(
            {
                "user": None,
                "source": source,
                "intent": "form",
                "changes": applied,
                "recommendation": decision.recommendation,
                "answer": note,
                "citations": [],
            }
        )
        return Reply(note, turn, decision, provenance=session.provenance(), lang=lang)

    def stream_action(
        self, session: Session, intent: Intent | str, changes: dict[str, Value] | None = None, text: str = ""
    ) -> Iterator[str | Reply]:
        """A turn whose meaning is already known, e.g. the web UI's buttons: a what-if with its changes
        ("what_if"), "adopt" or "discard" the pending what-if. Same path and events as `stream`, without
        understanding text; `text` is what the chat shows (and what the history records)."""
        what_if = intent == Intent.WHAT_IF
        turn = Turn(Intent(intent), dict(changes or {}), what_if, text=text, lang=session.recent_lang)
        yield from self._deliver(session, *self._answer(session, turn, text, ""), text)

    def what_if(self, session: Session, changes: dict[str, Value], text: str = "") -> Reply:
        """A what-if with known changes: compare, keep the saved profile, remember it for adopt/discard."""
        *_, reply = self.stream_action(session, "what_if", changes, text)
        assert isinstance(reply, Reply)
        return reply

    def _answer(
        self, session: Session, turn: Turn, text: str, notice: str, deadline: float | None = None
    ) -> tuple[Reply, AnswerContext]:
        intent, lang = turn.intent, self.answer_language(session, turn)
        previous = decide(session.profile)
        applied: dict[str, Value | None] = {}
        what_if: WhatIf | None = None
        undone = False
        lang = self.answer_language(session, turn)

        if intent == "reset":
            session.reset()
        elif intent == "undo":
            undone = session.undo()
        elif intent == "adopt" and session.pending:
            applied = session.apply(session.pending.changes, "chat")
            session.pending = None
        elif intent == "discard":
            session.pending = None
        elif intent == "what_if" or (turn.hypothetical and turn.changes):
            intent = Intent.WHAT_IF
            hypothetical = session.profile.with_changes(turn.changes)
            what_if = WhatIf(dict(turn.changes), previous, decide(hypothetical))
            if turn.changes:
                session.pending = PendingWhatIf(
                    dict(turn.changes), previous.recommendation, what_if.after.recommendation
                )
        elif turn.changes and intent != "out_of_scope":  # an off-topic request states nothing ("a recipe
            # for six people?" answers no question); an injection keeps the facts stated plainly beside it
            reversals = self._reversals(session, turn.changes, lang)
            applied = session.apply(turn.changes, "chat")
            if applied and reversals:
                notice = " ".join(filter(None, (notice, *reversals)))

        decision = decide(session.profile)
        question = None
        confirm = _to_confirm(turn, session) if intent == "describe" else None
        if confirm is not None:
            session.asked_field = confirm[0]  # "It sounds like ...: is that right?" (a yes sets the value)
        elif intent in {"describe", "recommend", "why", "adopt", "help"}:
            question = self._question(session, decision)
            session.asked_field = question
        elif intent not in {"what_if", "concept"}:
            session.asked_field = None

        passages: list[PassageRef] = []
        if intent in RETRIEVING_INTENTS:
            focus = what_if.after if what_if else decision
            # Concept questions search on their own words; decision answers lean towards the rules' sources.
            passages, unavailable = self._search(text, [] if intent == "concept" else focus.sources[:4], lang)
            notice = " ".join(filter(None, (notice, unavailable)))

        ctx = AnswerContext(
            decision=decision,
            titles=self._titles(lang),
            passages=passages,
            changes=applied,
            what_if=what_if,
            previous=previous if applied else None,
            question_field=question,
            target=turn.target,
            notice=notice,
            deadline=deadline,
            turn=session.turn_number,
            previous_answer=str(session.history[-1].get("answer") or "") if session.history else "",
            lang=lang,
        )
        answer = _language_answer(turn) or explain.answer(intent, ctx, undone)
        if intent == "injection" and applied:  # refused, but the facts stated plainly are kept and said
            answer = Answer(f"{explain.noted(applied, lang)}\n\n{answer.text}", answer.citations)
        if confirm is not None:
            guess = explain.confirmation(*confirm, lang)
            answer = _with_question(answer, explain.message("confirm", lang, confirm=guess))
        passages = self._with_cited(passages, answer.citations, lang)
        suggested = {confirm[0]: confirm[1]} if confirm else {}
        is_what_if = turn.hypothetical or what_if is not None
        turn = replace(turn, intent=intent, hypothetical=is_what_if, suggested=suggested)
        reply = Reply(
            answer.text,
            turn,
            decision,
            answer.citations,
            passages,
            what_if,
            session.provenance(),
            (notice,) if notice else (),
            lang=ctx.lang,
        )
        return reply, ctx

    @staticmethod
    def _reversals(session: Session, changes: Mapping[str, Value], lang: str = "en") -> list[str]:
        """A change to a fact the user stated earlier is said in the open, whoever read it from the text
        (the offline understander or an LLM): a silent reversal would change the decision unseen."""
        said = []
        for name, value in changes.items():
            fact = session.facts.get(name)
            if fact is not None and fact.value != value and fact.source != FactSource.ASSUMED:
                before, after = explain.phrase(name, fact.value, lang), explain.phrase(name, value, lang)
                said.append(explain.message("reversal", lang, before=before, after=after))
        return said

    @staticmethod
    def _record(session: Session, reply: Reply, text: str) -> None:
        session.record(
            {
                "user": text,
                "intent": reply.turn.intent,
                "changes": dict(reply.turn.changes),
                "hypothetical": reply.what_if is not None,
                "recommendation": reply.decision.recommendation,
                "what_if": reply.what_if.to_dict() if reply.what_if else None,
                "answer": reply.answer,
                "lang": reply.lang,
                "citations": [c.id for c in reply.citations],
                "guard": reply.guard.to_dict() if reply.guard else None,
                **({"confirm": dict(reply.turn.suggested)} if reply.turn.suggested else {}),
            }
        )


def _to_confirm(turn: Turn, session: Session) -> tuple[str, Value] | None:
    """A fact the turn probably states (the learned layer was unsure) that is still unknown: ask it."""
    return next(((n, v) for n, v in turn.suggested.items() if n not in session.profile), None)


def _confirming(session: Session) -> Value | None:
    """The value the last answer asked the user to confirm for the field it asked about, if any."""
    last = session.history[-1] if session.history else {}
    entry = last.get("confirm") if isinstance(last, dict) else None
    value = entry.get(session.asked_field or "") if isinstance(entry, dict) else None
    return value if isinstance(value, str | bool) else None


def _language_answer(turn: Turn) -> Answer | None:
    """One line in the user's language: not understood yet, please write in English (a language the
    assistant answers in, `LANGUAGES`, gets its answer instead)."""
    if not turn.language or turn.language in LANGUAGES:
        return None
    language = default_lexicon().languages.get(turn.language)
    return Answer(language.reply) if language and language.reply else None


def _with_question(answer: Answer, question: str) -> Answer:
    """The answer with `question` as its last paragraph before the sources line."""
    parts = answer.text.split("\n\n")
    at = len(parts) - 1 if parts and explain.is_sources_line(parts[-1]) else len(parts)
    return Answer("\n\n".join([*parts[:at], question, *parts[at:]]), answer.citations)
