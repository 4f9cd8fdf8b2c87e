"""How the app's event functions run under Gradio: a turn streamed or in one call, and user-facing errors
(`ModelchoiceError`) shown as Gradio errors. Kept apart from the layout in `app`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from assistant import ModelchoiceError

from .turns import Outputs


def runner(streaming: bool) -> Callable[[Callable[..., Iterator[Outputs]]], Callable[..., Any]]:
    """A turn as Gradio should run it: a generator when the answer streams, else one plain call (one
    message to the browser, one thread hop). User-facing errors become Gradio errors either way."""

    def wrap(turn: Callable[..., Iterator[Outputs]]) -> Callable[..., Any]:
        if streaming:

            @functools.wraps(turn)
            def streamed(*args: Any) -> Iterator[Outputs]:
                try:
                    yield from turn(*args)
                except ModelchoiceError as exc:
                    raise gr.Error(str(exc)) from None

            return streamed

        @functools.wraps(turn)
        def once(*args: Any) -> Outputs:
            try:
                *_, last = turn(*args)
            except ModelchoiceError as exc:
                raise gr.Error(str(exc)) from None
            return last

        return once

    return wrap


def plain(handler: Callable[..., Any]) -> Callable[..., Any]:
    """An event handler whose user-facing errors become Gradio errors. (`functools.wraps` keeps the
    handler's parameters and type hints visible to Gradio, e.g. a `gr.SelectData` one.)"""

    @functools.wraps(handler)
    def call(*args: Any) -> Any:
        try:
            return handler(*args)
        except ModelchoiceError as exc:
            raise gr.Error(str(exc)) from None

    return call
