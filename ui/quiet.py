"""Gradio's queue without its idle polling, so an app process that serves nobody uses no CPU.

Gradio 6.31's queue looks for work in a loop that sleeps 1 ms when there is none, and its progress loop
sleeps 10 ms: an idle app process wakes about 1,100 times a second, ~26 ms of CPU per second measured
on this machine, per process, for as long as it runs. `quiet(queue)` leaves Gradio's loops as they are and
changes only what those idle sleeps do: they wait until there is work (an event joins the queue, a job
starts or ends), with a one-second safety net. Under load nothing changes: while jobs run, the progress
loop sleeps as before, and the processing loop is woken by each new event and each finished job.

It works through the `asyncio` name that `gradio.queueing` looks up on every call; the names it relies on
are checked first, and if Gradio has changed them the queue is left alone (with a warning).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

SAFETY_NET = 1.0  # seconds an idle loop waits at most before it looks again on its own
_NEEDED = ("sleep_when_free", "progress_update_sleep_when_free", "push", "process_events", "active_jobs")
T = TypeVar("T")


class _QuietAsyncio:
    """`asyncio` as `gradio.queueing` sees it: the same module, with the queues' idle sleeps made waits."""

    def __init__(self) -> None:
        self.queues: weakref.WeakSet[Any] = weakref.WeakSet()
        self.waiters: set[asyncio.Future[None]] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    def wake(self) -> None:
        for waiter in list(self.waiters):
            if not waiter.done():
                waiter.set_result(None)

    async def sleep(self, delay: float, result: T | None = None) -> T | None:
        if not self._idle_poll(delay):
            return await asyncio.sleep(delay, result)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, SAFETY_NET)
        finally:
            self.waiters.discard(waiter)
        return result

    def _idle_poll(self, delay: float) -> bool:
        """A sleep that only waits for work: the processing loop's (woken by new events and finished
        jobs), or the progress loop's while no job runs."""
        queues = list(self.queues)
        if any(delay == queue.sleep_when_free for queue in queues):
            return True
        if any(delay == queue.progress_update_sleep_when_free for queue in queues):
            return not any(job is not None for queue in queues for job in queue.active_jobs)
        return False


_shim = _QuietAsyncio()


def quiet(queue: Any) -> bool:
    """Make `queue` (a Gradio Blocks' `_queue`) wait instead of poll while idle; True if it could."""
    from gradio import queueing

    if not all(hasattr(queue, name) for name in _NEEDED) or getattr(queueing, "asyncio", None) not in (
        asyncio,
        _shim,
    ):
        log.warning("this Gradio's queue is not the one modelchoice knows; leaving its idle polling on")
        return False
    if queue in _shim.queues:
        return True
    queue.push = _waking(queue.push)
    queue.process_events = _waking(queue.process_events, before=True)
    _shim.queues.add(queue)
    setattr(queueing, "asyncio", _shim)  # noqa: B010 - the module's own name for asyncio, replaced
    return True


def _waking(method: Callable[..., Awaitable[T]], before: bool = False) -> Callable[..., Awaitable[T]]:
    @functools.wraps(method)
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        if before:
            _shim.wake()
        try:
            return await method(*args, **kwargs)
        finally:
            _shim.wake()

    return wrapper
