"""The guarded LLM writer: the LLM rephrases a deterministic reply, and the guard decides what the user keeps.

One concern: the answer-writing loop. `LLMWriter.write` frames the answer with the deterministic headline
(the computed recommendation) and follow-up, streams the LLM's explanation in between while the guard
(assistant/guard.py) checks it sentence by sentence, and then:

  accepted     the first draft passed every check;
  regenerated  the first draft failed (its text is replaced by the deterministic answer at once), and a
               second one, prompted with the guard's findings, passed;
  fallback     no draft passed, or the LLM failed (timeout, deadline, refused connection, HTTP 429/5xx, a
               broken or endless stream): the deterministic answer stands, with a one-line notice for
               transport faults.

Both drafts share one `Deadline` (Settings.llm_deadline), so a turn never waits longer than that for the
LLM whatever the server does. Every step is recorded in the reply's typed `GuardRecord`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import explain
from ..errors import LLMError, LLMErrorKind
from ..guard import CHECKS, CITATION_RE, Evidence, Guard, StreamCheck, frame_vocabulary
from ..settings import Settings
from ..types import (
    AnswerContext,
    Citation,
    Finding,
    GuardAction,
    GuardAttempt,
    GuardRecord,
    Intent,
    Reply,
)
from .client import Endpoint, StreamStats, chat_model, classify, endpoint, stream_text
from .deadline import Deadline
from .prompts import build_messages, frame_for, passages_for

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

_BOUNDARY = re.compile(r"[.!?\n]")
ModelFactory = Callable[[], "tuple[BaseChatModel, Endpoint]"]


def notice_for(error: LLMError, lang: str = "en") -> str:
    """The one-line notice shown with the deterministic answer when the LLM failed, in the answer's language
    (its words are the explainer's messages "llm.*")."""
    if error.kind is LLMErrorKind.HTTP:
        reason = "llm.rate_limited" if error.status == 429 else "llm.http"
    else:
        reason = f"llm.{error.kind.value}" if f"llm.{error.kind.value}" in explain.MESSAGES else "llm.other"
    return explain.message("llm.failed", lang, reason=explain.message(reason, lang, status=error.status))


class LLMWriter:
    """Writes answers with an LLM behind the guard: the `Writer` protocol of assistant/types.py."""

    def __init__(
        self,
        settings: Settings,
        *,
        model_factory: ModelFactory | None = None,
        threshold: float | None = None,
    ) -> None:
        """threshold: the guard's support threshold for every answer; by default (None) the calibrated one of
        each answer's language (guard.SUPPORT_THRESHOLD)."""
        self.settings = settings
        self._factory = model_factory
        self._model: BaseChatModel | None = None
        self._endpoint: Endpoint | None = None
        self.threshold = threshold
        frame_vocabulary()  # one-time set-up (~10 ms) here, not in the first answer's guard overhead

    def model(self) -> tuple[BaseChatModel, Endpoint]:
        if self._model is None or self._endpoint is None:
            if self._factory is not None:
                self._model, self._endpoint = self._factory()
            else:
                ep = endpoint(self.settings)
                self._model, self._endpoint = chat_model(self.settings, ep), ep
        return self._model, self._endpoint

    def warm_up(self) -> None:
        """Start the local model server (or build the client) before the first user; a failure is only
        reported here, and the first answer falls back with its notice."""
        try:
            self.model()
        except Exception as exc:
            log.warning(
                "modelchoice: the language model is unavailable (%s); answers will be written without it",
                classify(exc),
            )

    def write(self, reply: Reply, ctx: AnswerContext, question: str) -> Iterator[str | Reply]:
        intent = reply.turn.intent
        if intent is Intent.WHAT_IF and (ctx.what_if is None or not ctx.what_if.changes):
            yield reply  # nothing to explain ("I couldn't tell which fact you want to change")
            return
        began = time.monotonic()
        shown = passages_for(reply, intent, self.settings.llm)
        tick = time.thread_time()
        evidence = Evidence.from_context(ctx, shown, intent)
        guard = Guard(evidence, threshold=self.threshold)
        frame = frame_for(intent, ctx)
        record = GuardRecord(
            self.settings.llm, CHECKS, guard.threshold, overhead_ms=(time.thread_time() - tick) * 1000
        )

        def finish(
            answer: str,
            citations: tuple[Citation, ...],
            action: GuardAction,
            reason: str | None = None,
            notice: str = "",
        ) -> Reply:
            record.action, record.reason = action, reason
            record.seconds = round(time.monotonic() - began, 3)
            notices = (*reply.notices, notice) if notice else reply.notices
            return replace(reply, answer=answer, citations=citations, guard=record, notices=notices)

        def failed(error: LLMError) -> Reply:
            return finish(
                reply.answer,
                reply.citations,
                GuardAction.FALLBACK,
                f"llm_error: {error}",
                notice_for(error, ctx.lang),
            )

        try:
            model, ep = self.model()
            record.model = ep.model
        except Exception as exc:
            yield failed(classify(exc))
            return
        deadline = Deadline(self.settings.llm_deadline, ctx.deadline)  # the rest of the turn's budget

        notice = ctx.notice
        shown_text = False  # has the user seen LLM text that the final answer must replace?
        if frame.head:
            yield frame.compose("", notice=notice)
        findings: list[Finding] = []
        for attempt in (1, 2):
            checker = StreamCheck(guard)
            stats = StreamStats()
            body, early = "", False
            stopped: list[Finding] = []
            entry = GuardAttempt(attempt, streamed=attempt == 1)
            record.attempts.append(entry)
            messages = build_messages(
                reply,
                ctx,
                question,
                shown,
                findings,
                sentences="2 or 3" if self.settings.llm == "local" else "2 to 4",
            )
            error: LLMError | None = None
            try:
                pieces = stream_text(model, messages, self.settings, stats, deadline=deadline)
                fed, waiting = 0, False
                try:
                    for piece in pieces:
                        body += piece
                        boundary = bool(_BOUNDARY.search(piece))
                        if boundary or waiting or len(body) - fed >= 200:
                            stopped, fed, waiting = checker.feed(body), len(body), boundary
                            if stopped:
                                early = True
                                break
                        if attempt == 1:
                            shown_text = True
                            yield frame.compose(body, notice=notice)
                finally:
                    pieces.close()  # hang up on the server
            except LLMError as exc:
                error = exc
            entry.chars, entry.retries, entry.seconds = stats.chars, stats.retries, round(stats.seconds, 3)
            record.overhead_ms += checker.ms
            if error is not None:
                entry.error = str(error)
                if shown_text:
                    yield reply.answer
                yield failed(error)
                return
            if not stopped:
                if stats.finish_reason == "length":  # cut at max tokens: drop the unfinished sentence
                    body = _complete_sentences(body)
                before = checker.ms
                stopped = checker.feed(body, final=True)
                record.overhead_ms += checker.ms - before
                if stats.capped:
                    stopped.append(
                        Finding("repetition", f"ran past {self.settings.llm_max_chars} characters")
                    )
                if len(re.findall(r"[A-Za-zА-Яа-яЁё]{2,}", body)) < 4:
                    stopped.append(Finding("support", "no explanation was written"))
            entry.findings, entry.stopped_early = list(stopped), early
            if not stopped:
                citations = _citations(_cited_ids(body, evidence), reply.citations, ctx)
                answer = frame.compose(body, explain.sources_line(citations, ctx.lang), notice)
                yield answer
                reason = None if attempt == 1 else "guard: " + ", ".join(sorted({f.check for f in findings}))
                action = GuardAction.ACCEPTED if attempt == 1 else GuardAction.REGENERATED
                yield finish(answer, citations, action, reason)
                return
            findings = stopped
            if attempt == 1:
                yield reply.answer  # the deterministic answer replaces the partial text at once
                shown_text = False
        yield finish(
            reply.answer,
            reply.citations,
            GuardAction.FALLBACK,
            "guard: " + ", ".join(sorted({f.check for f in record.failures})),
        )


def _complete_sentences(body: str) -> str:
    end = max(body.rfind(". "), body.rfind("! "), body.rfind("? "), body.rfind(".\n"))
    if body.rstrip().endswith((".", "!", "?", "]", ")")):
        return body
    return body[: end + 1] if end > 0 else ""


def _cited_ids(body: str, evidence: Evidence) -> list[str]:
    out: list[str] = []
    for match in CITATION_RE.finditer(body):
        for part in re.split(r"[,;]\s*", match.group(1)):
            section = part.strip().split("#")[0]
            if section in evidence.passage_ids and section not in out:
                out.append(section)
    return out


def _citations(cited: Sequence[str], base: Sequence[Citation], ctx: AnswerContext) -> tuple[Citation, ...]:
    out: dict[str, Citation] = {}
    for section in cited:
        if section in ctx.titles:
            out[section] = Citation(section, ctx.titles[section])
    for citation in base:
        out.setdefault(citation.id, citation)
    return tuple(out.values())
