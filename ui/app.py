"""The Gradio web app: the chat beside a panel with the profile form, the recommendation, its reasons,
what would change it, the sources and the export.

A thin caller of the library, like the CLI: `Conversation` understands and answers, `Session` holds the
profile with provenance, `engine.decide` decides, `record.decision_record` writes the export. Nothing here
decides anything; this module only turns those objects into components and back.

Every browser session gets its own `Visit` (a gr.State, deep-copied per session by Gradio), so two users never
see each other's profile or history.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported; off unless "True"
# Gradio's queue re-summarises its last GRADIO_ANALYTICS_MAX_EVENTS events (default 10,000) with pandas after
# every event, for the /monitoring page, which this app turns off. At the default that grew to tens of ms per
# turn as a server ran; a short window, summarised every 100 events, keeps it negligible. (Local only.)
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "200")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr

from assistant.conversation import Conversation, Reply
from assistant.engine import Counterfactual, decide
from assistant.profile import FIELDS, parse_value
from assistant.record import decision_record
from assistant.session import Session
from assistant.types import WhatIf

from . import render
from .theme import CSS, THEME

log = logging.getLogger("modelchoice.ui")

# The article's cases, as a user would describe them.
EXAMPLES: list[tuple[str, str]] = [
    (
        "Bank credit scoring",
        "We are a bank and want to score credit applications from tabular customer data. "
        "The data must stay on our own infrastructure and we can't use third-party APIs. "
        "We have an in-house data science team and need full "
        "control to explain every decision. It will run in production for years.",
    ),
    (
        "Internal support chatbot prototype",
        "We want a quick prototype of an internal support chatbot that answers employees' questions from our "
        "wiki. It's open-ended text, we have no ML engineers, using an external API like OpenAI is fine, "
        "and volume is low.",
    ),
    (
        "Real-time video on a phone",
        "We need real-time object detection in live video on a smartphone, at 30+ fps, running on the device "
        "itself. It's a narrow task for a production app and we have ML engineers.",
    ),
    (
        "Segmentation with no training data",
        "We need instance segmentation of product images in production, but we have no labelled data at all. "
        "We do have an ML team.",
    ),
]

INTRO = (
    "Describe your project (the data, the task, your team, privacy, speed and cost constraints) and I'll "
    "recommend a **foundation model**, a **custom model** or a **hybrid**, explain why, and show what would "
    "change my mind. Or start from one of the article's cases:"
)

# Queue and concurrency, on purpose:
# - The deterministic path (rules engine + offline explainer + a small local search) takes milliseconds and
#   holds no shared mutable state, so its events are not serialised: concurrency_limit=None lets every
#   session's turn run at once (bounded only by Gradio's thread pool, max_threads=40).
# - An LLM backend can take only so much: the local llama server (or in-process llama.cpp) serves one request
#   at a time and interrupts an in-flight stream when a second one arrives, so answers written by it go one at
#   a time; a hosted API takes a few in parallel before it rate-limits. All events that may reach the LLM
#   share one concurrency group ("answer"), so the limit holds across the chat, the what-if buttons and
#   adopt/keep. Form edits never reach the LLM (Conversation.set_fields is deterministic) and stay unlimited.
# - The queue is bounded only when an LLM is in the path: beyond LLM_QUEUE_SIZE waiting turns a user is told
#   the app is busy straight away instead of waiting minutes.
LLM_CONCURRENCY = {"none": None, "local": 1, "openai": 4}
LLM_QUEUE_SIZE = 64


@dataclass
class Visit:
    """One browser session: the conversation's state plus what the page shows."""

    session: Session = field(default_factory=Session)
    messages: list[dict[str, str]] = field(default_factory=list)
    passages: list[Any] = field(default_factory=list)  # the last answer's sources
    counterfactuals: list[Counterfactual] = field(default_factory=list)  # what the buttons stand for
    shown: dict[str, Any] = field(default_factory=dict)  # properties the page shows now (beyond values)


class RecordFiles:
    """Decision records as files for the download button: one file per distinct content, written once."""

    def __init__(self, directory: Path | None = None) -> None:
        if directory is None:
            directory = Path(tempfile.mkdtemp(prefix="modelchoice-records-"))
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
        self.directory = Path(directory)

    def path_for(self, text: str) -> str:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
        path = self.directory / digest / "decision-record.md"
        if not path.exists():  # sessions with the same record may race here: each writes its own temp file
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        return str(path)


def answer_concurrency(conversation: Conversation) -> int | None:
    return LLM_CONCURRENCY.get(conversation.settings.llm, 1)


def build_app(
    conversation: Conversation, *, answer_limit: int | str | None = "auto", records_dir: Path | None = None
) -> gr.Blocks:
    """The Blocks app around one shared `Conversation` (stateless apart from caches; sessions hold state)."""
    sections = conversation.sections
    records = RecordFiles(records_dir)
    limit = answer_concurrency(conversation) if answer_limit == "auto" else answer_limit
    field_names = list(FIELDS)

    with gr.Blocks(
        title="modelchoice: foundation, custom or hybrid?", fill_width=True, delete_cache=(3600, 86400)
    ) as demo:
        visit_state = gr.State(Visit())

        with gr.Row(elem_classes="mc-header"):
            gr.HTML(
                '<div class="mc-brand"><h1>modelchoice</h1>'
                "<p>Foundation model, custom model, or a hybrid of both? Rules decide; the answers cite the "
                "guidance from <em>Do You Really Need a Foundation Model?</em></p></div>"
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
                    placeholder=INTRO,
                    layout="bubble",
                    feedback_options=None,
                    buttons=["copy"],
                    group_consecutive_messages=False,
                    examples=[{"display_text": title, "text": text} for title, text in EXAMPLES],
                )
                with gr.Row(elem_classes="mc-input"):
                    textbox = gr.Textbox(
                        label="Message",
                        elem_id="mc-input",
                        show_label=False,
                        lines=1,
                        max_lines=6,
                        scale=8,
                        placeholder="Describe your project or ask a question",
                        autofocus=True,
                        submit_btn=False,
                    )
                    send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="mc-send")
                with gr.Row(elem_classes="mc-actions"):
                    restart = gr.Button("New conversation", size="sm", variant="secondary", elem_id="mc-new")
                    download = gr.DownloadButton(
                        "Export decision record (.md)",
                        size="sm",
                        variant="secondary",
                        elem_id="mc-export",
                        value=None,
                    )

            with gr.Column(scale=4, min_width=320, elem_classes="mc-panel"):
                card = gr.HTML(label="Recommendation", elem_id="mc-card")
                with gr.Group(visible=False, elem_id="mc-whatif-box") as whatif_box:
                    whatif_html = gr.HTML(label="What-if comparison", elem_id="mc-whatif")
                    with gr.Row():
                        adopt = gr.Button(
                            "Adopt this change", variant="primary", size="sm", elem_id="mc-adopt"
                        )
                        keep = gr.Button("Keep original", size="sm", elem_id="mc-keep")
                with gr.Accordion("What would change it", open=True, elem_id="mc-change"):
                    change_intro = gr.HTML(label="What would change it")
                    with gr.Column(elem_classes="mc-cf-buttons"):
                        cf_buttons = [
                            gr.Button(visible=False, size="sm", elem_classes="mc-cf", elem_id=f"mc-cf-{i}")
                            for i in range(render.MAX_COUNTERFACTUALS)
                        ]
                with gr.Accordion("Why", open=True, elem_id="mc-why-box"):
                    why = gr.HTML(label="Why", elem_id="mc-why")
                with gr.Accordion("Project profile", open=True, elem_id="mc-profile"):
                    gr.HTML(
                        '<p class="mc-muted">What I know about your project. The chat fills it in; change '
                        "any field and the recommendation updates at once.</p>"
                    )
                    dropdowns: dict[str, gr.Dropdown] = {}
                    for pair in (field_names[i : i + 2] for i in range(0, len(field_names), 2)):
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
                    gr.HTML(render.field_help())
                with gr.Accordion("Sources of the last answer", open=False, elem_id="mc-sources-box"):
                    sources = gr.HTML(label="Sources", elem_id="mc-sources")

        # ---- rendering -------------------------------------------------------------------------------
        # Cost note (Gradio 6.31): an update, or a skip, for an output makes Gradio build a new component and
        # its config (about 0.5 ms each); a plain value does not. So the panel sends plain values, and an
        # update only where a property other than the value changes (a field's provenance, a button or the
        # what-if box appearing or going); a streamed answer only touches the chat, and one chained event
        # then refreshes the panel. That took the server's CPU per turn, search aside, from ~30 ms to ~15 ms
        # (measured with benchmarks/ui_bench.py's users on a 2-core machine).
        panel_outputs: list[Any] = [
            card,
            whatif_box,
            whatif_html,
            change_intro,
            *cf_buttons,
            why,
            *dropdowns.values(),
            sources,
            download,
        ]

        def panel(visit: Visit, fresh: bool = False) -> list[Any]:
            """The side panel for this session's state. `fresh`: the page shows nothing of it yet (a load)."""
            session = visit.session
            decision = decide(session.profile)
            visit.counterfactuals = render.ranked_counterfactuals(decision)
            pending = session.pending
            if pending:
                hypothetical = decide(session.profile.with_changes(pending.changes), counterfactuals=False)
                comparison = render.what_if(WhatIf(dict(pending.changes), decision, hypothetical))
            else:
                comparison = ""
            if fresh:
                visit.shown = {}
            shown = visit.shown

            def prop(key: str, props: Any, value: Any, **update: Any) -> Any:
                """`value` as is when only it changed; an update when `props` (other properties) did."""
                if shown.get(key) == props:
                    return value
                shown[key] = props
                return gr.update(value=value, **update)

            labels = [render.counterfactual_label(cf) for cf in visit.counterfactuals]
            labels += [""] * (render.MAX_COUNTERFACTUALS - len(labels))
            buttons = [
                prop(f"cf{i}", bool(label), label, visible=bool(label)) for i, label in enumerate(labels)
            ]
            facts = session.facts
            fields = []
            for name in field_names:
                fact = facts.get(name)
                info = render.form_info(name, fact.source if fact else None)
                fields.append(prop(name, info, render.form_value(fact.value if fact else None), info=info))
            box_visible = pending is not None
            box = gr.skip() if shown.get("box") == box_visible else gr.update(visible=box_visible)
            shown["box"] = box_visible
            record = records.path_for(decision_record(session, sections))
            return [
                render.card(decision, len(facts), len(session.history)),
                box,
                comparison,
                render.change_intro(decision, len(visit.counterfactuals)),
                *buttons,
                render.why(decision, sections),
                *fields,
                render.passages(visit.passages, sections, answered=bool(visit.messages)),
                record,
            ]

        def messages(visit: Visit) -> list[dict[str, Any]]:
            return [dict(m) for m in visit.messages]

        def run_turn(
            visit: Visit, user_text: str | None, events: Callable[[], Iterator[str | Reply]]
        ) -> Iterator[list[dict[str, Any]]]:
            """Show the user's line, then the answer as it is written (the panel follows, chained)."""
            if user_text:
                visit.messages.append({"role": "user", "content": user_text})
                yield messages(visit)
            reply: Reply | None = None
            streaming = False
            try:
                for event in events():
                    if isinstance(event, Reply):
                        reply = event
                        continue
                    if not streaming:
                        visit.messages.append({"role": "assistant", "content": ""})
                        streaming = True
                    visit.messages[-1]["content"] = render.chat_text(event, sections)
                    yield messages(visit)
            except Exception:  # a broken backend must not take the page down
                log.exception("turn failed")
                text = "Sorry, something went wrong on my side while answering. Please try again."
            else:
                text = (
                    render.chat_text(reply.answer, sections) if reply else "Sorry, I have no answer for that."
                )
                visit.passages = list(reply.passages) if reply else []
            if streaming:
                visit.messages[-1]["content"] = text
            else:
                visit.messages.append({"role": "assistant", "content": text})
            yield messages(visit)

        # ---- handlers --------------------------------------------------------------------------------
        def chat(message: str, visit: Visit) -> Iterator[tuple[Any, Any]]:
            text = (message or "").strip()
            if not text:
                yield gr.skip(), gr.skip()
                return
            cleared = False
            for shown_messages in run_turn(visit, text, lambda: conversation.stream(visit.session, text)):
                yield (gr.skip() if cleared else ""), shown_messages
                cleared = True

        def chat_example(visit: Visit, evt: gr.SelectData) -> Iterator[tuple[Any, Any]]:
            value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
            yield from chat(value.get("text", ""), visit)

        def try_counterfactual(index: int) -> Callable[[Visit], Iterator[Any]]:
            def handler(visit: Visit) -> Iterator[Any]:
                if index >= len(visit.counterfactuals):
                    yield gr.skip()
                    return
                cf = visit.counterfactuals[index]
                changes = {cf.field: cf.value}
                question = render.what_if_question(changes)
                yield from run_turn(
                    visit,
                    question,
                    lambda: conversation.stream_action(visit.session, "what_if", changes, question),
                )

            return handler

        def settle(intent: str, line: str) -> Callable[[Visit], Iterator[Any]]:
            def handler(visit: Visit) -> Iterator[Any]:
                yield from run_turn(
                    visit, line, lambda: conversation.stream_action(visit.session, intent, None, line)
                )

            return handler

        def refresh(visit: Visit) -> list[Any]:
            return panel(visit)

        def set_field(name: str) -> Callable[[str, Visit], list[Any]]:
            def handler(value: str, visit: Visit) -> list[Any]:
                raw = None if value in (None, "", render.UNKNOWN) else parse_value(name, value)
                current = visit.session.facts.get(name)
                if (current.value if current else None) == raw and (
                    current is None or current.source == "form"
                ):
                    # Nothing to do. (Gradio 6.31 can fire `input` a second time when this handler's update
                    # rebuilds the dropdown; that must not count as another edit.)
                    return [gr.skip()] * (1 + len(panel_outputs))
                before = dict(visit.session.facts)
                try:
                    reply = conversation.set_fields(visit.session, {name: raw}, source="form")
                except Exception:
                    log.exception("form update failed")
                    gr.Warning("That value could not be applied.")
                    return [messages(visit), *panel(visit, fresh=True)]
                if visit.session.facts != before:
                    visit.messages.append({"role": "assistant", "content": f"_{reply.answer}_"})
                visit.shown.pop(
                    name, None
                )  # the page shows what the user picked: send the value with its source
                return [messages(visit), *panel(visit)]

            return handler

        def new_conversation() -> list[Any]:
            visit = Visit()
            return [[], *panel(visit, fresh=True), visit]

        def load(visit: Visit) -> list[Any]:
            return [messages(visit), *panel(visit, fresh=True)]

        # ---- wiring ----------------------------------------------------------------------------------
        answer = {"concurrency_limit": limit, "concurrency_id": "answer", "show_progress": "hidden"}
        instant = {"concurrency_limit": None, "show_progress": "hidden"}
        turns = [
            gr.on(
                [textbox.submit, send.click],
                chat,
                inputs=[textbox, visit_state],
                outputs=[textbox, chatbot],
                api_name="chat",
                **answer,
            ),
            chatbot.example_select(
                chat_example,
                inputs=[visit_state],
                outputs=[textbox, chatbot],
                api_visibility="private",
                **answer,
            ),
            adopt.click(
                settle("adopt", "Let's go with that."),
                inputs=[visit_state],
                outputs=[chatbot],
                api_name="adopt",
                **answer,
            ),
            keep.click(
                settle("discard", "Keep the original."),
                inputs=[visit_state],
                outputs=[chatbot],
                api_name="keep_original",
                **answer,
            ),
        ]
        turns += [
            button.click(
                try_counterfactual(i),
                inputs=[visit_state],
                outputs=[chatbot],
                api_name=f"what_if_{i}",
                api_visibility="undocumented",
                **answer,
            )
            for i, button in enumerate(cf_buttons)
        ]
        for number, turn in enumerate(turns):
            turn.then(
                refresh,
                inputs=[visit_state],
                outputs=panel_outputs,
                **instant,
                **({"api_name": "panel"} if number == 0 else {"api_visibility": "private"}),
            )
        for name, dropdown in dropdowns.items():
            dropdown.input(
                set_field(name),
                inputs=[dropdown, visit_state],
                outputs=[chatbot, *panel_outputs],
                api_name=f"set_{name}",
                **instant,
            )
        restart.click(
            new_conversation,
            inputs=None,
            outputs=[chatbot, *panel_outputs, visit_state],
            api_name="new_conversation",
            **instant,
        )
        demo.load(
            load, inputs=[visit_state], outputs=[chatbot, *panel_outputs], api_visibility="private", **instant
        )

    demo.queue(default_concurrency_limit=None, max_size=None if limit is None else LLM_QUEUE_SIZE)
    return demo


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
    no share link, no monitoring endpoint. With `warm_up`, the knowledge index is built (first run) or opened
    before the server starts, so the first chat turn does not pay for it."""
    conversation = conversation or Conversation()
    if warm_up:
        warm(conversation)
    demo = build_app(conversation, answer_limit=answer_limit)
    _, url, _ = demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
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
