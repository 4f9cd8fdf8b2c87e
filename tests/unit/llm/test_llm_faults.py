"""An LLM endpoint that misbehaves never breaks the conversation: the user gets the deterministic answer and
a one-line notice, within bounded time. Every fault is produced by a real HTTP server on loopback."""

from __future__ import annotations

import time
from typing import Any

import pytest
from support.llm_servers import (
    Broken,
    Endless,
    FakeLLM,
    Garbage,
    Sleep,
    Stall,
    Status,
    Text,
    collect,
    refused_url,
)

from assistant.conversation import Conversation, Reply
from assistant.session import Session
from assistant.settings import Settings
from assistant.understand import RuleBasedUnderstander

DESCRIBE = "quick internal HR chatbot prototype, no ML engineers, OpenAI API is fine"
GOOD = (
    "Without ML engineers, your software engineers can still build on a foundation model through its "
    "API [when-foundation]. For a prototype, a foundation model gets you working results without a "
    "dataset or a training pipeline."
)
TIMEOUT = 1.0


@pytest.fixture(scope="module", autouse=True)
def _warm_imports() -> None:
    """Import LangChain before timing anything: the bounds below are about fault handling, not imports."""
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    ChatOpenAI(model="x", api_key="x", base_url="http://127.0.0.1:9/v1")
    HumanMessage("x")
    deterministic()  # rules, knowledge and the extractor loaded once


def settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm": "openai",
        "openai_base_url": base_url,
        "openai_api_key": "sk-test",
        "openai_model": "fake",
        "llm_timeout": TIMEOUT,
        "llm_max_retries": 1,
        "llm_max_chars": 2000,
    }
    values.update(overrides)
    return Settings(**values)


def conversation(config: Settings, offline: bool = True) -> Conversation:
    from support.llm_servers import SectionRetriever

    return Conversation(
        config,
        understander=RuleBasedUnderstander() if offline else None,
        retriever=SectionRetriever(config.knowledge_dirs),
    )


def deterministic(text: str = DESCRIBE, session: Session | None = None) -> Reply:
    from support.llm_servers import SectionRetriever

    plain = Settings()
    conv = Conversation(plain, retriever=SectionRetriever(plain.knowledge_dirs))
    return conv.respond(session or Session(), text)


def turn(
    conv: Conversation, text: str = DESCRIBE, session: Session | None = None
) -> tuple[list[str], Reply, float]:
    started = time.monotonic()
    events, final = collect(conv.stream(session or Session(), text))
    return events, final, time.monotonic() - started


def assert_fallback(reply: Reply, kind: str) -> None:
    expected = deterministic()
    assert reply.answer == expected.answer
    assert reply.decision.recommendation == expected.decision.recommendation == "foundation"
    assert reply.guard is not None and reply.guard.to_dict()["action"] == "fallback"
    assert reply.guard.to_dict()["reason"].startswith(f"llm_error: {kind}"), reply.guard.to_dict()["reason"]
    assert reply.notice and "\n" not in reply.notice and reply.notice.endswith("this is the standard answer.")


@pytest.mark.slow
def test_timeout_before_the_first_byte() -> None:
    with FakeLLM() as fake:
        fake.script.write.extend([Sleep(4), Sleep(4)])
        _, reply, seconds = turn(conversation(settings(fake.base_url)))
    assert_fallback(reply, "timeout")
    assert "timed out" in reply.notice
    assert seconds < TIMEOUT * 2 + 0.25 + 1.0  # two requests, each bounded by the timeout, one backoff
    assert reply.guard.to_dict()["attempts"][0]["retries"] == 1


def test_connection_refused() -> None:
    _, reply, seconds = turn(conversation(settings(refused_url())))
    assert_fallback(reply, "connection")
    assert "could not be reached" in reply.notice
    assert seconds < 2.0


@pytest.mark.parametrize("code", [429, 500])
def test_http_errors_are_retried_then_fall_back(code: int) -> None:
    with FakeLLM() as fake:
        fake.script.write.extend([Status(code), Status(code), Text(GOOD)])
        _, reply, seconds = turn(conversation(settings(fake.base_url)))
        assert len(fake.script.requests) == 2  # the first try and one retry (llm_max_retries=1)
    assert_fallback(reply, f"http_{code}")
    assert seconds < 2.0


def test_a_retry_after_429_can_succeed() -> None:
    with FakeLLM() as fake:
        fake.script.write.extend([Status(429, retry_after="0"), Text(GOOD)])
        _, reply, _ = turn(conversation(settings(fake.base_url)))
    assert reply.guard.to_dict()["action"] == "accepted"
    assert reply.guard.to_dict()["attempts"][0]["retries"] == 1
    assert "build on a foundation model" in reply.answer and not reply.notice


@pytest.mark.slow
def test_retry_after_header_is_capped() -> None:
    with FakeLLM() as fake:
        fake.script.write.extend([Status(429, retry_after="120"), Status(429, retry_after="120")])
        _, reply, seconds = turn(conversation(settings(fake.base_url, llm_timeout=5.0)))
    assert_fallback(reply, "http_429")
    assert seconds < 4.0  # waits at most MAX_BACKOFF (2 s), never the server's 120 s


def test_broken_stream_replaces_the_partial_text() -> None:
    with FakeLLM() as fake:
        fake.script.write.append(Broken("Without ML engineers, your software engineers can still build "))
        events, reply, _ = turn(conversation(settings(fake.base_url)))
    assert_fallback(reply, "broken_stream")
    assert "broke off" in reply.notice
    assert any("software engineers can still build" in e for e in events)  # the user saw it stream...
    assert events[-1] == reply.answer  # ...and the deterministic answer replaced it


def test_stall_mid_stream_times_out() -> None:
    with FakeLLM() as fake:
        fake.script.write.append(Stall("Without ML engineers, your software ", 5))
        _, reply, seconds = turn(conversation(settings(fake.base_url)))
    assert_fallback(reply, "timeout")
    assert seconds < TIMEOUT * 2 + 1.0


def test_endless_stream_is_cut_off() -> None:
    with FakeLLM() as fake:
        fake.script.default_write = Endless("a foundation model works for your prototype, ")
        events, reply, seconds = turn(conversation(settings(fake.base_url, llm_timeout=10.0)))
        time.sleep(0.2)
        assert fake.script.disconnects >= 1  # we hung up; the server noticed
    assert reply.answer == deterministic().answer
    assert reply.guard.to_dict()["action"] == "fallback"
    assert "repetition" in reply.guard.to_dict()["reason"]
    assert all(len(e) < 2000 + 1500 for e in events)
    assert seconds < 10.0


@pytest.mark.slow
def test_endless_empty_stream_hits_the_deadline() -> None:
    with FakeLLM() as fake:
        fake.script.default_write = Endless(empty=True)
        _, reply, seconds = turn(conversation(settings(fake.base_url, llm_timeout=1.5)))
    assert_fallback(reply, "timeout")
    assert seconds < 1.5 * 2 + 1.0


def test_garbage_stream() -> None:
    with FakeLLM() as fake:
        fake.script.default_write = Garbage()
        _, reply, _ = turn(conversation(settings(fake.base_url)))
    assert reply.answer == deterministic().answer
    assert reply.guard.to_dict()["action"] == "fallback" and reply.guard.to_dict()["reason"].startswith(
        "llm_error"
    )
    assert reply.notice


def test_the_conversation_goes_on_after_a_fault() -> None:
    session = Session()
    with FakeLLM() as fake:
        conv = conversation(settings(fake.base_url))
        fake.script.write.extend([Status(500), Status(500)])
        _, first, _ = turn(conv, DESCRIBE, session)
        fake.script.write.append(Text(GOOD))
        _, second, _ = turn(conv, "what do you recommend?", session)
    assert first.guard.action == "fallback"
    assert second.guard.action == "accepted" and not second.notice
    assert [h["recommendation"] for h in session.history] == ["foundation", "foundation"]


def test_understanding_falls_back_to_the_offline_extractor_on_faults() -> None:
    with FakeLLM() as fake:
        fake.script.understand.extend([Status(500), Status(500)])
        fake.script.write.append(Text(GOOD))
        conv = conversation(settings(fake.base_url), offline=False)
        _, reply, _ = turn(conv)
    expected = RuleBasedUnderstander().understand(DESCRIBE)
    assert dict(reply.turn.changes) == dict(expected.changes)
    assert conv.understander.last["error"].startswith("http_500")  # type: ignore[attr-defined]
    assert reply.guard.to_dict()["action"] == "accepted"


def test_ask_cli_prints_the_answer_and_a_one_line_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from support.llm_servers import SectionRetriever

    from assistant import retrieval
    from assistant import settings as settings_module
    from assistant.cli import main

    monkeypatch.setattr(
        retrieval, "get_retriever", lambda s=None: SectionRetriever(Settings().knowledge_dirs)
    )
    # built as the CLI builds it (its own retriever, so the learned layer reads the embedding and may ask
    # "It sounds like the data is mostly text: is that right?"), with no LLM
    expected = Conversation(Settings()).respond(Session(), DESCRIBE).answer
    monkeypatch.setenv("OPENAI_BASE_URL", refused_url())
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("MODELCHOICE_LLM_TIMEOUT", "1")
    settings_module.use(None)
    try:
        result = CliRunner().invoke(main, ["ask", DESCRIBE, "--llm", "openai"])
    finally:
        settings_module.use(None)
    assert result.exit_code == 0, result.output
    assert expected in result.stdout
    notices = [line for line in result.stderr.splitlines() if "language model" in line]
    assert len(notices) == 1 and "could not be reached" in notices[0]


def test_a_russian_answer_gets_its_notice_in_russian() -> None:
    """The failure notice is in the answer's language, like the deterministic answer it comes with."""
    _, reply, _ = turn(
        conversation(settings(refused_url())), "У нас табличные данные по кредитам, какую модель?"
    )
    assert reply.lang == "ru" and reply.guard is not None and reply.guard.to_dict()["action"] == "fallback"
    assert reply.notice == "Языковая модель недоступна, поэтому ниже стандартный ответ."
