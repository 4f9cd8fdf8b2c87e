"""The Gradio web app: the chat beside a panel with the profile form, the recommendation, its reasons,
what would change it, the sources and the export. This module lays out the components and wires the
events; what each event does is in `turns`, what the page shows in `page`.

Stateless processes: the conversation lives in the browser (a `gr.BrowserState`, the tab's localStorage)
and travels with every event, so a reload keeps it and any app process can serve any turn (see `state`
and docs/deploy.md). Each turn is one event that returns the answer, the whole side panel and the new
copy together. Nothing runs while the page is idle: no timers, without a `gr.State` Gradio opens no
heartbeat stream, and `quiet` stops Gradio's queue from polling. The decision record is built only when
the user exports it.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from collections.abc import Iterator
from typing import Any, cast

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported; off unless "True"
# Gradio's queue re-summarises its last GRADIO_ANALYTICS_MAX_EVENTS events (default 10,000) with pandas after
# every event, for the /monitoring page, which this app turns off. At the default that grew to tens of ms per
# turn as a server ran; keeping one event and never re-summarising makes it free. (Local only.)
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000000")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# Gradio imports matplotlib around every event (to switch its backend); where it is not installed, that is
# a failed import, searched for on disk each time (~4% of a turn's CPU). A None entry fails it at once.
if importlib.util.find_spec("matplotlib") is None:
    sys.modules["matplotlib"] = None  # type: ignore[assignment]

import gradio as gr
from starlette.middleware import Middleware

from assistant import FIELDS, Conversation, decide

from . import handlers, page, render
from .limits import MAX_BODY_BYTES, BodyLimit, LoginThrottle
from .quiet import quiet
from .state import STORAGE_KEY
from .theme import CSS, THEME
from .turns import Outputs, Turns

# The article's cases, as a user would describe them (the words are data: knowledge/wording/ui.yaml).
EXAMPLES: list[tuple[str, str]] = [(e["display_text"], e["text"]) for e in page.examples("en")]

# Queue and concurrency, on purpose:
# - The deterministic path (rules engine + offline explainer + a small local search) takes milliseconds and
#   holds no shared mutable state, so its events are not serialised: concurrency_limit=None lets every
#   session's turn run at once (bounded by Gradio's thread pool, max_threads=40).
# - An LLM backend can take only so much: the local llama server serves one request at a time and interrupts
#   an in-flight stream when a second one arrives; a hosted API takes a few in parallel before it
#   rate-limits. All events that may reach the LLM share one concurrency group ("answer"), so the limit holds
#   across the chat, the what-if buttons and adopt/keep. Form edits never reach the LLM and stay unlimited.
# - The queue is bounded either way: beyond it a user is told the app is busy straight away.
LLM_CONCURRENCY = {"none": None, "local": 1, "openai": 4}
LLM_QUEUE_SIZE = 64
QUEUE_SIZE = 512
SESSION_CAPACITY = 1000  # sessions whose last outputs Gradio keeps in memory (it needs none of them here)
MAX_UPLOAD = "1mb"  # the app takes no uploads; this bounds Gradio's upload route
# The browser keeps the conversation in localStorage under this key, "encrypted" with this key. It is sent
# to every browser in the page's config, so it hides nothing from the user: it is the same in every app
# process (any process can read what another stored), and the server validates whatever comes back.
STATE_SECRET = "modelchoice-conversation-v1"
DOWNLOAD_JS = """(text) => {
  if (!text) return;
  const url = URL.createObjectURL(new Blob([text], {type: "text/markdown;charset=utf-8"}));
  const link = Object.assign(document.createElement("a"), {href: url, download: "decision-record.md"});
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}"""


def answer_concurrency(conversation: Conversation) -> int | None:
    return LLM_CONCURRENCY.get(conversation.settings.llm, 1)


def build_app(conversation: Conversation, *, answer_limit: int | str | None = "auto") -> gr.Blocks:
    """The Blocks app around one shared `Conversation` (it holds no per-user state; the browser does)."""
    turns = Turns(conversation, conversation.sections)
    limit = answer_concurrency(conversation) if answer_limit == "auto" else answer_limit

    w = render.words("en")  # the page as served; `page.chrome` sends other words when the language changes

    with gr.Blocks(title="modelchoice: foundation, custom or hybrid?", fill_width=True) as demo:
        kept = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STATE_SECRET)
        chrome: dict[str, Any] = {}

        with gr.Row(elem_classes="mc-header"):
            chrome["header"] = gr.HTML(
                f'<div class="mc-brand"><h1>modelchoice</h1><p>{w("brand")}</p></div>', scale=4
            )
            chrome["language"] = language = gr.Radio(
                choices=page.language_choices("en"),
                value="auto",
                label=w("language"),
                elem_id="mc-lang",
                elem_classes="mc-lang",
                scale=1,
                min_width=240,
            )

        with gr.Row(equal_height=False, elem_classes="mc-main"):
            with gr.Column(scale=5, min_width=340, elem_classes="mc-chat-col"):
                chatbot = gr.Chatbot(
                    value=[],
                    label="Chat",
                    elem_id="mc-chat",
                    show_label=False,
                    height="62vh",
                    min_height=380,
                    placeholder=w("intro"),
                    layout="bubble",
                    feedback_options=None,
                    buttons=["copy"],
                    group_consecutive_messages=False,
                    examples=page.examples("en"),  # type: ignore[arg-type]  # dicts of ExampleMessage's keys
                )
                with gr.Row(elem_classes="mc-input"):
                    textbox = gr.Textbox(
                        label="Message",
                        elem_id="mc-input",
                        show_label=False,
                        lines=1,
                        max_lines=6,
                        scale=8,
                        placeholder=w("input.placeholder"),
                        autofocus=True,
                        submit_btn=False,
                    )
                    chrome["send"] = send = gr.Button(
                        w("send"), variant="primary", scale=1, min_width=80, elem_id="mc-send"
                    )
                with gr.Row(elem_classes="mc-actions"):
                    chrome["new"] = restart = gr.Button(
                        w("new"), size="sm", variant="secondary", elem_id="mc-new"
                    )
                    chrome["export"] = export = gr.Button(
                        w("export"), size="sm", variant="secondary", elem_id="mc-export"
                    )
                    record = gr.Textbox(visible=False, label="Decision record", elem_id="mc-record")

            with gr.Column(scale=4, min_width=320, elem_classes="mc-panel"):
                card = gr.HTML(label="Recommendation", elem_id="mc-card")
                with gr.Group(elem_id="mc-whatif-box"):  # shown only with a comparison in it (theme.CSS)
                    comparison = gr.HTML(label="What-if comparison", elem_id="mc-whatif")
                    with gr.Row():
                        chrome["adopt"] = adopt = gr.Button(
                            w("adopt"), variant="primary", size="sm", elem_id="mc-adopt"
                        )
                        chrome["keep"] = keep = gr.Button(w("keep"), size="sm", elem_id="mc-keep")
                with gr.Accordion(w("panel.change"), open=True, elem_id="mc-change") as chrome[
                    "panel_change"
                ]:
                    change_intro = gr.HTML(label="What would change it")
                    with gr.Column(elem_classes="mc-cf-buttons"):
                        cf_buttons = [
                            gr.Button(visible=False, size="sm", elem_classes="mc-cf", elem_id=f"mc-cf-{i}")
                            for i in range(page.CHOICES)
                        ]
                with gr.Accordion(w("panel.why"), open=True, elem_id="mc-why-box") as chrome["panel_why"]:
                    why = gr.HTML(label="Why", elem_id="mc-why")
                with gr.Accordion(w("panel.profile"), open=True, elem_id="mc-profile") as chrome[
                    "panel_profile"
                ]:
                    chrome["profile_intro"] = gr.HTML(f'<p class="mc-muted">{w("profile.intro")}</p>')
                    dropdowns: dict[str, gr.Dropdown] = {}
                    names = list(page.FIELD_NAMES)
                    for pair in (names[i : i + 2] for i in range(0, len(names), 2)):
                        with gr.Row(equal_height=True, elem_classes="mc-form-row"):
                            for name in pair:
                                dropdowns[name] = gr.Dropdown(
                                    choices=render.choices(name),
                                    value=render.UNKNOWN,
                                    label=FIELDS[name].label,
                                    info=render.form_info(name, None),
                                    interactive=True,
                                    min_width=150,
                                    elem_id=f"mc-field-{name}",
                                    elem_classes="mc-field",
                                )
                    chrome["fields_help"] = gr.HTML(render.field_help(), elem_id="mc-fields-help")
                with gr.Accordion(w("panel.sources"), open=False, elem_id="mc-sources-box") as chrome[
                    "panel_sources"
                ]:
                    sources = gr.HTML(label="Sources", elem_id="mc-sources")
        chrome["footer"] = gr.HTML(f'<p class="mc-footer mc-muted">{w("footer")}</p>', elem_id="mc-footer")

        # ---- wiring: every event returns the chat, the whole panel and the new copy at once ----------
        panel: list[Any] = [card, comparison, change_intro, *cf_buttons, why, *dropdowns.values(), sources]
        assert len(panel) == len(page.PANEL_KEYS) and set(chrome) == set(page.CHROME_KEYS)
        outputs = [textbox, chatbot, *panel, *(chrome[key] for key in page.CHROME_KEYS), kept]
        common: dict[str, Any] = {"preprocess": False, "postprocess": False, "show_progress": "hidden"}
        answer = {**common, "concurrency_limit": limit, "concurrency_id": "answer"}
        instant = {**common, "concurrency_limit": None}
        run = handlers.runner(turns.streaming)

        gr.on(
            [textbox.submit, send.click],
            run(turns.chat),
            inputs=[textbox, kept],
            outputs=outputs,
            api_name="chat",
            **answer,
        )

        def example(conversation: object, evt: gr.SelectData) -> Iterator[Outputs]:
            value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
            yield from turns.chat(value.get("text", ""), conversation)

        chatbot.example_select(
            run(example), inputs=[kept], outputs=outputs, api_visibility="private", **answer
        )
        for button, api_name, intent in ((adopt, "adopt", "adopt"), (keep, "keep_original", "discard")):
            button.click(
                run(functools.partial(turns.settle, intent)),
                inputs=[kept],
                outputs=outputs,
                api_name=api_name,
                **answer,
            )
        for i, button in enumerate(cf_buttons):
            button.click(
                run(functools.partial(turns.what_if, i)),
                inputs=[kept],
                outputs=outputs,
                api_name=f"what_if_{i}",
                api_visibility="undocumented",
                **answer,
            )
        for name, dropdown in dropdowns.items():
            dropdown.input(
                handlers.plain(functools.partial(turns.set_field, name)),
                inputs=[dropdown, kept],
                outputs=outputs,
                api_name=f"set_{name}",
                **instant,
            )
        language.input(
            handlers.plain(turns.set_language),
            inputs=[language, kept],
            outputs=outputs,
            api_name="set_language",
            **instant,
        )
        restart.click(
            handlers.plain(turns.new), inputs=[kept], outputs=outputs, api_name="new_conversation", **instant
        )
        chatbot.clear(
            handlers.plain(turns.new), inputs=[kept], outputs=outputs, api_visibility="private", **instant
        )
        export.click(
            handlers.plain(turns.export), inputs=[kept], outputs=[record], api_name="export_record", **instant
        ).then(None, inputs=[record], js=DOWNLOAD_JS, api_visibility="private")
        demo.load(
            handlers.plain(turns.load), inputs=[kept], outputs=outputs, api_visibility="private", **instant
        )

    demo.queue(default_concurrency_limit=None, max_size=QUEUE_SIZE if limit is None else LLM_QUEUE_SIZE)
    quiet(demo._queue)  # no CPU while idle: Gradio's queue would otherwise poll every millisecond
    return cast(gr.Blocks, demo)


def launch(
    conversation: Conversation | None = None,
    *,
    host: str = "127.0.0.1",
    port: int | None = 7860,
    auth: tuple[str, str] | None = None,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
    warm_up: bool = True,
    answer_limit: int | str | None = "auto",
    **kwargs: Any,
) -> tuple[gr.Blocks, str]:
    """Build and start the app; returns (demo, local URL). Loopback by default; no analytics, no run history,
    no share link, no monitoring endpoint; request bodies and uploads bounded; with `auth`, failed logins
    are throttled per client. With `warm_up`, the knowledge index is built (first run) or opened before the
    server starts, so the first chat turn does not pay for it."""
    conversation = conversation or Conversation()
    if warm_up:
        warm(conversation)
    demo = build_app(conversation, answer_limit=answer_limit)
    middleware = [Middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)]
    login: LoginThrottle | None = None
    if auth is not None:
        login = LoginThrottle(*auth)
        middleware.append(Middleware(login.middleware))
    _, url, _ = demo.launch(
        server_name=host,
        server_port=port,
        auth=login,
        share=False,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        run_history=False,
        enable_monitoring=False,
        footer_links=["api"],
        show_error=False,
        theme=THEME,
        css=CSS,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        max_file_size=MAX_UPLOAD,
        state_session_capacity=SESSION_CAPACITY,
        app_kwargs={"middleware": middleware},
        **kwargs,
    )
    return demo, url


def warm(conversation: Conversation, torch_threads: int | None = 1) -> None:
    """Load the rules, open (on first use build) the knowledge index and start a local model server before
    serving; a part that fails says so on stderr and the answers do without it.

    `torch_threads=1`: a server runs many sessions' turns at once, so each query embedding gets one thread and
    the parallelism comes from the concurrent requests. With torch's default (one thread per core) concurrent
    encodes oversubscribe the cores and OpenMP's spin-waiting made one search 0.5-1 s instead of 25-40 ms on
    a busy 2-core machine. None leaves torch's setting alone.
    """
    decide({})
    conversation.warm_up()
    if torch_threads and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(torch_threads)
