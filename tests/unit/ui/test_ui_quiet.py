"""Gradio's idle polling turned into waits for work, with a stand-in for Gradio's queue (no Gradio here)."""

import asyncio
import time

from assistant.ui.quiet import _QuietAsyncio


class FakeQueue:
    sleep_when_free = 0.001
    progress_update_sleep_when_free = 0.01

    def __init__(self) -> None:
        self.active_jobs: list[object | None] = [None, None]


def test_an_idle_poll_waits_for_work_and_wakes_at_once():
    shim = _QuietAsyncio()
    queue = FakeQueue()
    shim.queues.add(queue)

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        loop.call_later(0.2, shim.wake)  # an event joins the queue 200 ms later
        await shim.sleep(queue.sleep_when_free)
        return loop.time() - start

    waited = asyncio.run(scenario())
    assert 0.15 < waited < 0.5  # not 1 ms (a poll), not the 1 s safety net


def test_the_safety_net_ends_a_wait_nobody_wakes(monkeypatch):
    import assistant.ui.quiet as quiet

    monkeypatch.setattr(quiet, "SAFETY_NET", 0.05)
    shim = _QuietAsyncio()
    queue = FakeQueue()
    shim.queues.add(queue)
    start = time.monotonic()
    assert asyncio.run(shim.sleep(queue.sleep_when_free, "x")) == "x"
    assert time.monotonic() - start < 0.5


def test_progress_updates_poll_as_before_while_a_job_runs():
    shim = _QuietAsyncio()
    queue = FakeQueue()
    shim.queues.add(queue)
    assert shim._idle_poll(queue.progress_update_sleep_when_free)
    queue.active_jobs[0] = object()
    assert not shim._idle_poll(queue.progress_update_sleep_when_free)
    assert shim._idle_poll(queue.sleep_when_free)  # the processing loop is woken by jobs ending
    assert not shim._idle_poll(0.5)  # any other sleep is a real sleep


def test_everything_else_is_asyncio():
    shim = _QuietAsyncio()
    assert shim.Event is asyncio.Event and shim.create_task is asyncio.create_task
