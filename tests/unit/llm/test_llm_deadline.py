"""One deadline per LLM turn (Settings.llm_deadline): whatever the server does (drip one byte at a time,
hang before or after its headers, fail and invite retries), the turn ends within the deadline + 1 s with
the deterministic answer and a notice that the model "took too long". Every server is real HTTP on loopback
(tests/support/llm_servers.py)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from support.llm_servers import Drip, FakeLLM, Hang, Sleep, Status, Tool, collect

from assistant.conversation import Conversation, Reply
from assistant.llm import LLMUnderstander
from assistant.memory import MemoryRetriever
from assistant.session import Session
from assistant.settings import Settings
from assistant.understand import RuleBasedUnderstander

DESCRIBE = "quick internal HR chatbot prototype, no ML engineers, OpenAI API is fine"
DEADLINE = 2.0


@pytest.fixture(scope="module", autouse=True)
def _warm_imports() -> None:
    """Import LangChain before timing anything: the bounds below are about the deadline, not imports."""
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    ChatOpenAI(model="x", api_key="x", base_url="http://127.0.0.1:9/v1")
    HumanMessage("x")
    deterministic()


def settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm": "openai",
        "openai_base_url": base_url,
        "openai_api_key": "sk-test",
        "openai_model": "fake",
        "llm_timeout": 10.0,  # longer than the deadline: the deadline is what must stop these turns
        "llm_deadline": DEADLINE,
        "llm_max_retries": 1,
    }
    values.update(overrides)
    return Settings(**values)


def deterministic(text: str = DESCRIBE) -> Reply:
    plain = Settings()
    return Conversation(plain, retriever=MemoryRetriever(plain.knowledge_dirs)).respond(Session(), text)


def turn(config: Settings, offline: bool = True) -> tuple[list[str], Reply, float]:
    conv = Conversation(
        config,
        understander=RuleBasedUnderstander() if offline else None,
        retriever=MemoryRetriever(config.knowledge_dirs),
    )
    started = time.monotonic()
    events, final = collect(conv.stream(Session(), DESCRIBE))
    return events, final, time.monotonic() - started


def assert_took_too_long(reply: Reply) -> None:
    assert reply.answer == deterministic().answer
    assert reply.guard is not None and reply.guard.action == "fallback"
    assert (reply.guard.reason or "").startswith("llm_error: deadline"), reply.guard.reason
    assert reply.notice == "The language model took too long; this is the standard answer."


@pytest.mark.slow
@pytest.mark.parametrize(
    "behaviour",
    [
        Drip(interval=0.05),  # one byte at a time: never a whole SSE event within the deadline
        Drip(interval=0.05, head=True),  # even the status line and headers
        Drip(interval=0.3),  # slower than a chunk check could notice between bytes
        Hang(),  # the request is read, then nothing
        Hang(headers=True),  # headers, then nothing
    ],
    ids=["drip-body", "drip-headers", "drip-slow", "hang", "hang-after-headers"],
)
def test_a_misbehaving_server_ends_within_the_deadline(behaviour: Drip | Hang) -> None:
    with FakeLLM() as fake:
        fake.script.default_write = behaviour
        _, reply, seconds = turn(settings(fake.base_url))
    assert seconds < DEADLINE + 1.0, seconds
    assert_took_too_long(reply)


@pytest.mark.slow
def test_retries_count_against_the_same_deadline() -> None:
    with FakeLLM() as fake:
        fake.script.default_write = Sleep(30)  # every request times out...
        _, reply, seconds = turn(settings(fake.base_url, llm_timeout=1.5, llm_max_retries=5))
        requests = len(fake.script.requests)
    assert seconds < DEADLINE + 1.0, seconds  # ...and five retries would take 9 s
    assert requests == 2  # 1.5 s, a 0.25 s backoff, then what was left of the deadline
    assert_took_too_long(reply)


def test_a_retry_that_cannot_fit_in_the_deadline_is_not_tried() -> None:
    with FakeLLM() as fake:
        fake.script.write.extend([Status(429, retry_after="2"), Status(429, retry_after="2")])
        _, reply, seconds = turn(settings(fake.base_url, llm_deadline=1.5))
        requests = len(fake.script.requests)
    assert requests == 1 and seconds < 1.0  # waiting 2 s to retry would overrun the deadline
    assert reply.guard is not None and (reply.guard.reason or "").startswith("llm_error: http_429")


def test_a_short_deadline_cuts_a_drip_at_once() -> None:
    with FakeLLM() as fake:
        fake.script.default_write = Drip(interval=0.02)
        _, reply, seconds = turn(settings(fake.base_url, llm_deadline=0.5))
    assert seconds < 0.5 + 1.0, seconds
    assert reply.notice.startswith("The language model took too long")


@pytest.mark.slow
def test_llm_understanding_is_bounded_by_the_deadline_too() -> None:
    with FakeLLM() as fake:
        fake.script.understand.append(Drip(interval=0.05))
        understander = LLMUnderstander(settings(fake.base_url), trust="override")
        started = time.monotonic()
        result = understander.understand(DESCRIBE)
        seconds = time.monotonic() - started
        error = str(understander.last.get("error"))
        fake.script.understand.append(Tool({"intent": "describe"}))  # the next turn is not affected
        assert understander.understand(DESCRIBE) == RuleBasedUnderstander().understand(DESCRIBE)
        assert understander.last["source"] == "llm" and "error" not in understander.last
    assert seconds < DEADLINE + 1.0, seconds
    assert result == RuleBasedUnderstander().understand(DESCRIBE)  # the offline reading
    assert error.startswith("deadline"), error


def test_the_deadline_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().llm_deadline == 30.0
    monkeypatch.setenv("MODELCHOICE_LLM_DEADLINE", "2.5")
    assert Settings.from_env().llm_deadline == 2.5
    for bad in ("0", "-1", "soon"):
        monkeypatch.setenv("MODELCHOICE_LLM_DEADLINE", bad)
        with pytest.raises(ValueError, match=r"MODELCHOICE_LLM_DEADLINE|deadline"):  # a SettingsError
            Settings.from_env()


@pytest.mark.slow
def test_understanding_and_writing_share_one_turn_deadline() -> None:
    """An LLM understander and writer on the same hanging server: the turn ends within one deadline + 1 s,
    not one each (the understander spends the budget; the writer gets what is left)."""
    with FakeLLM() as fake:
        fake.script.understand.append(Drip(interval=0.05))
        fake.script.default_write = Hang()
        _, reply, seconds = turn(settings(fake.base_url), offline=False)
    assert seconds < DEADLINE + 1.0, seconds
    assert reply.guard is not None and reply.guard.action == "fallback"
    assert reply.notice.startswith("The language model took too long")
