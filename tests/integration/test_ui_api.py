"""The web app through its HTTP API (gradio_client against launched apps): a whole conversation, concurrent
sessions that must not leak, any process serving any turn, and the limits (message, request, upload,
login)."""

from __future__ import annotations

import os
import re
import threading
import time
from typing import Any

import httpx
import pytest

# Gradio's queue calls a pandas option that pandas 3 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword is deprecated)")

pytest.importorskip("gradio")
gradio_client = pytest.importorskip("gradio_client")

from assistant.ui import page, state, whatif  # noqa: E402
from assistant.ui.cluster import free_port  # noqa: E402

from assistant import FIELDS, Conversation, Profile, Session, Settings, decide  # noqa: E402
from assistant.conversation import MAX_INPUT_CHARS  # noqa: E402

# The sections every exported decision record has (the browser test checks the same file).
RECORD_HEADINGS = (
    "## Project profile",
    "## Reasons",
    "## Counter-arguments",
    "## What would change it",
    "## Sources",
)

BANK = (
    "We are a bank and want to score credit applications from tabular customer data. "
    "The data must stay on our own infrastructure and we can't use third-party APIs. "
    "We have an in-house data science team and need full "
    "control to explain every decision."
)
SEGMENTATION = (
    "We need instance segmentation of product images in production, but we have no labelled data at all. "
    "We do have an ML team."
)
CHATBOT = (
    "We want a quick prototype of an internal support chatbot that answers employees' questions from our "
    "wiki. It's open-ended text, we have no ML engineers, using an external API like OpenAI is fine, and "
    "volume is low."
)


def ui_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose knowledge store lives in this test run's temp dir (shared by the UI test modules)."""
    data_dir = tmp_path_factory.getbasetemp() / "modelchoice-ui-data"
    os.environ["MODELCHOICE_DATA_DIR"] = str(data_dir)  # for anything that reads the process-wide settings
    return Settings.from_env().with_overrides(data_dir=data_dir, llm="none")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return ui_settings(tmp_path_factory)


def _launch(settings: Settings, **kwargs: Any) -> Any:
    from assistant.ui.app import launch

    return launch(Conversation(settings), port=free_port(), prevent_thread_lock=True, quiet=True, **kwargs)


@pytest.fixture(scope="module")
def app_url(settings: Settings) -> Any:
    demo, url = _launch(settings)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def other_url(settings: Settings) -> Any:
    """A second app process, as behind a load balancer (here: a second server in this process)."""
    demo, url = _launch(settings)
    yield url
    demo.close()


class View:
    """What a browser would show for one session, built from the API's outputs by component label.

    Like the page, it keeps what it was sent: an output that did not change may come back as a bare update,
    and a field's provenance (its `info`) is sent when it changes; the fields start as the page is served
    ("not known yet"). Every event takes the conversation copy as its last input and returns the new one as
    its last output, as the page's browser state does; `client` may be swapped for one on another process.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
        self.labels = {name: [r["label"] for r in spec["returns"]] for name, spec in endpoints.items()}
        self.values: dict[str, Any] = {}
        self.infos: dict[str, str] = {spec.label: "not known yet" for spec in FIELDS.values()}
        self.kept: Any = None

    def do(self, endpoint: str, *args: Any) -> View:
        result = self.client.predict(*args, self.kept, api_name=endpoint)
        labels = self.labels.get(endpoint) or self.labels["/adopt"]  # the what-if buttons: as adopt
        values = list(result) if len(labels) > 1 else [result]
        for label, raw in zip(labels, values, strict=True):
            if isinstance(raw, dict) and raw.get("__type__") == "update":
                if "value" in raw:
                    self.values[label] = raw["value"]
                if "info" in raw:
                    self.infos[label] = raw["info"]
            elif isinstance(raw, dict) and "session" in raw:
                self.kept = raw
            else:
                self.values[label] = raw
        return self

    def export(self) -> str:
        return str(self.client.predict(self.kept, api_name="/export_record"))

    def value(self, label: str) -> Any:
        return self.values[label]

    def info(self, label: str) -> str:
        return self.infos.get(label, "")

    @property
    def session(self) -> Session:
        return state.load(self.kept).session

    @property
    def messages(self) -> list[tuple[str, str]]:
        return [(m["role"], text_of(m["content"])) for m in self.value("Chat")]

    @property
    def recommendation(self) -> str:
        match = re.search(r'data-recommendation="(\w+)"', self.value("Recommendation"))
        assert match, self.value("Recommendation")
        return match.group(1)

    def field(self, name: str) -> str:
        return self.value(FIELDS[name].label)

    def profile(self) -> Profile:
        return Profile({n: self.field(n) for n in FIELDS if self.field(n) != "unknown"})


def text_of(content: Any) -> str:
    """Chat message content arrives as a string or as a list of parts."""
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))


def test_a_whole_conversation(app_url: str) -> None:
    client = gradio_client.Client(app_url, verbose=False)
    page_ = View(client)

    # Describe: the answer arrives, the card and the form follow the chat, in the same event.
    view = page_.do("/chat", SEGMENTATION)
    assert [role for role, _ in view.messages] == ["user", "assistant"]
    assert "hybrid" in view.messages[-1][1]
    assert view.recommendation == "hybrid"
    assert view.field("data_type") == "image" and view.info(FIELDS["data_type"].label) == "from the chat"
    assert view.field("labeled_data") == "none"
    assert view.field("volume") == "unknown" and view.info(FIELDS["volume"].label) == "not known yet"
    assert "labelling tool" in view.value("Recommendation")  # the hybrid pattern
    assert "<li" in view.value("Sources")  # the passages behind the answer

    # Why: the reasons, recommendation unchanged; no bracketed section ids in what the chat shows.
    view = page_.do("/chat", "why?")
    assert view.recommendation == "hybrid"
    assert not re.search(r"\[(?:hybrid-fm-labeling|example-segmentation-no-labels)\]", view.messages[-1][1])

    # A form edit recomputes at once and leaves a note in the chat.
    view = page_.do("/set_volume", "low")
    assert view.field("volume") == "low" and view.info(FIELDS["volume"].label) == "set here"
    assert view.messages[-1][0] == "assistant" and "Form updated" in view.messages[-1][1]
    # Taking back a stated fact (the form's "unknown") makes it a question a what-if may ask again.
    view = page_.do("/set_labeled_data", "unknown")
    assert view.field("labeled_data") == "unknown"
    profile = view.profile()
    assert view.recommendation == decide(profile).recommendation

    # A what-if button runs a what-if: a comparison, the profile untouched; it never changes what was said.
    offers = whatif.offered(decide(profile), whatif.stated(view.session))
    assert offers, "the profile should leave unknown fields that change the answer"
    expected = offers[0]
    assert expected.field not in whatif.stated(view.session)
    view = page_.do("/what_if_0")
    comparison = view.value("What-if comparison")
    assert f'data-after="{expected.recommendation}"' in comparison
    assert view.messages[-2] == ("user", whatif.question({expected.field: expected.value}))
    assert view.profile() == profile

    # Keep original: the comparison goes, nothing changes.
    view = page_.do("/keep_original")
    assert view.value("What-if comparison") == ""
    assert view.profile() == profile

    # Again, and adopt: now the form changes.
    page_.do("/what_if_0")
    view = page_.do("/adopt")
    assert view.value("What-if comparison") == ""
    profile = profile.with_changes({expected.field: expected.value})
    assert view.profile() == profile
    assert view.recommendation == expected.recommendation == decide(profile).recommendation

    # Typing it works the same way: a what-if in words, then "let's go with that".
    view = page_.do("/chat", "what if we had plenty of labelled data?")
    assert view.value("What-if comparison") != ""
    assert view.profile() == profile
    view = page_.do("/chat", "let's go with that")
    assert view.field("labeled_data") == "plenty" and view.value("What-if comparison") == ""

    # Export: the decision record of exactly this session, built when asked for.
    record = view.export()
    assert record.startswith("# Decision record")
    for heading in RECORD_HEADINGS:
        assert heading in record
    assert "| Request volume | low | set in the form" in record
    assert "| Labelled data | plenty | stated in chat" in record

    # New conversation: a clean slate, the copy too.
    view = page_.do("/new_conversation")
    assert view.messages == [] and view.profile() == Profile()
    assert view.session.facts == {} and view.session.history == []
    client.close()


def test_concurrent_sessions_do_not_leak(app_url: str) -> None:
    scripts = {
        "bank": [BANK, "why?", "what would change your mind?"],
        "chatbot": [CHATBOT, "why?", "what would change your mind?"],
    }
    barrier = threading.Barrier(len(scripts))
    results: dict[str, View] = {}
    errors: list[BaseException] = []

    def user(name: str) -> None:
        try:
            client = gradio_client.Client(app_url, verbose=False)
            page_ = View(client)
            barrier.wait()
            for text in scripts[name]:
                results[name] = page_.do("/chat", text)
            client.close()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=user, args=(name,)) for name in scripts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    bank, chatbot = results["bank"], results["chatbot"]
    assert bank.recommendation == "custom"
    assert chatbot.recommendation == "foundation"
    assert bank.field("data_type") == "tabular" and chatbot.field("data_type") == "text"
    assert bank.field("external_api_ok") == "false" and chatbot.field("external_api_ok") == "true"
    bank_text = " ".join(text for _, text in bank.messages)
    chatbot_text = " ".join(text for _, text in chatbot.messages)
    assert "chatbot" not in bank_text and "bank" not in chatbot_text
    assert len(bank.messages) == len(chatbot.messages) == 6


def test_any_process_serves_any_turn(app_url: str, other_url: str) -> None:
    """The conversation travels with each event: turns alternate between two servers and nothing is lost."""
    clients = [gradio_client.Client(url, verbose=False) for url in (app_url, other_url)]
    view = View(clients[0])
    for number, text in enumerate(
        [BANK, "why?", "what would change your mind?", "why not a foundation model?"]
    ):
        view.client = clients[number % 2]
        view.do("/chat", text)
    assert len(view.messages) == 8 and len(view.session.history) == 4
    assert view.recommendation == "custom" == decide(view.profile()).recommendation
    assert 'data-turns="4"' in view.value("Recommendation")
    for client in clients:
        client.close()


def test_chat_messages_are_what_gradios_chatbot_would_send() -> None:
    """The app skips Gradio's postprocessing for speed; its messages must be exactly what it would produce."""
    import gradio as gr

    texts = ["Plain", "  indented\n    lines\n", "**bold** and `code`\n\n- a\n- b", "_Form updated: x._"]
    expected = gr.Chatbot().postprocess([{"role": "assistant", "content": t} for t in texts]).model_dump()
    assert [page.message("assistant", t) for t in texts] == expected


def test_the_page_opens_no_heartbeat_and_the_queue_does_not_poll(app_url: str) -> None:
    config = httpx.get(f"{app_url}config").json()
    assert config["connect_heartbeat"] is False  # no stream per open tab
    from assistant.ui.quiet import _shim
    from gradio import queueing

    assert queueing.asyncio is _shim
    start = time.process_time()
    time.sleep(3)
    assert time.process_time() - start < 0.06  # Gradio alone would use ~80 ms polling in 3 s


def test_limits_say_what_they_are(app_url: str) -> None:
    client = gradio_client.Client(app_url, verbose=False)
    with pytest.raises(Exception, match=f"limit is {MAX_INPUT_CHARS:,}"):
        client.predict("x" * (MAX_INPUT_CHARS + 1), None, api_name="/chat")
    client.close()
    from assistant.ui.limits import MAX_BODY_BYTES

    big = b"x" * (MAX_BODY_BYTES + 1)
    response = httpx.post(
        f"{app_url}gradio_api/queue/join", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "larger than this app accepts" in response.json()["detail"]
    upload = httpx.post(f"{app_url}gradio_api/upload", files={"files": ("big.txt", b"x" * 2_000_000)})
    assert upload.status_code == 413


def test_failed_logins_are_throttled_per_client(settings: Settings) -> None:
    demo, url = _launch(settings, warm_up=False, auth=("alice", "correct horse"))
    try:
        login = f"{url}login"

        def attempt(password: str, client: str) -> int:
            data = {"username": "alice", "password": password}
            return httpx.post(login, data=data, headers={"X-Real-IP": client}).status_code

        assert [attempt("guess", "192.0.2.1") for _ in range(5)] == [400] * 5
        assert attempt("correct horse", "192.0.2.1") == 429  # refused whatever it sends, for a minute
        assert attempt("correct horse", "192.0.2.2") == 200  # another client is not affected
        assert httpx.get(f"{url}config").status_code == 401  # and nothing is served without a login
    finally:
        demo.close()


def test_conversation_what_if_is_pending_until_adopted(settings: Settings) -> None:
    """The library method the what-if buttons use: compare without touching the profile; adopt applies it."""
    conversation = Conversation(settings)
    session = Session()
    conversation.respond(session, BANK)
    before = session.profile
    reply = conversation.what_if(session, {"ml_team": False}, "What if we had no in-house ML team?")
    assert reply.what_if is not None and reply.turn.intent == "what_if"
    assert session.profile == before and session.pending is not None
    assert session.history[-1]["user"] == "What if we had no in-house ML team?"
    *_, adopted = conversation.stream_action(session, "adopt", text="Adopt")
    assert session.profile == before.with_changes({"ml_team": False})
    assert session.pending is None and adopted.turn.intent == "adopt"
    conversation.what_if(session, {"ml_team": True})
    list(conversation.stream_action(session, "discard"))
    assert session.pending is None and session.profile["ml_team"] is False


def test_panel_html_is_escaped_and_plain_worded(settings: Settings) -> None:
    """No raw ids or markup from the data reach the page: citations lose their ids, text is escaped."""
    from assistant.ui import render

    sections = Conversation(settings).sections
    answer = "Sources: Strengths of custom models [custom-pros]; Other [not-a-section]."
    assert render.chat_text(answer, sections) == "Sources: Strengths of custom models; Other [not-a-section]."
    escaped = render.esc('<b onclick="x">{{a}}</b>')
    assert escaped == "&lt;b onclick=&quot;x&quot;&gt;&#123;&#123;a&#125;&#125;&lt;/b&gt;"
    assert "<script>" not in render.markdown("<script>alert(1)</script> **bold**")
    card = render.card(decide({"data_type": "tabular", "privacy": "strict"}), 2, 3)
    assert 'data-recommendation="custom"' in card and 'data-turns="3"' in card
    assert all(f'data-option="{o}"' in card for o in ("custom", "foundation", "hybrid"))
    why = render.why(decide({"data_type": "tabular"}), sections)
    assert "custom-pros" not in re.sub(r'data-section="[^"]*"', "", why)  # titles, not ids, are shown
