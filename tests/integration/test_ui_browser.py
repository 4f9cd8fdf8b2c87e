"""The web app in a real browser (Playwright driving Debian's chromium, headless): streamed answers, the card,
the form, the what-if buttons (worded as the user would ask), the export, a reload that keeps the
conversation, the chat's clear button clearing the session, a phone-width layout, no request leaving the
machine and none at all while the page sits idle.

Screenshots of each step go to test-artifacts/screenshots/ (CI keeps that folder).
"""

from __future__ import annotations

import atexit
import datetime as dt
import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Gradio's queue calls a pandas option that pandas 3 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword is deprecated)")

CHROMIUM = "/usr/bin/chromium"
pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (scripts/bootstrap --test installs it)", allow_module_level=True)

from assistant.ui import whatif  # noqa: E402
from assistant.ui.cluster import free_port  # noqa: E402
from assistant.ui.screenshot import CHROMIUM_ARGS  # noqa: E402
from playwright.sync_api import Browser, Page, expect  # noqa: E402
from support.paths import ROOT  # noqa: E402
from test_ui_api import RECORD_HEADINGS  # noqa: E402

from assistant import Conversation, Profile, Reply, Settings, decide  # noqa: E402
from assistant.understand import RuleBasedUnderstander  # noqa: E402

SHOTS = ROOT / "test-artifacts" / "screenshots"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT = 30_000  # ms; generous for a busy 2-core CI machine, never slept

BANK = (
    "We are a bank and want to score credit applications from tabular customer data. "
    "The data must stay on our own infrastructure and we can't use third-party APIs. "
    "We have an in-house data science team and need full "
    "control to explain every decision."
)
IMAGES = "We classify product images."  # few facts: several unknown fields would change the answer


def shot(page: Page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


class SlowWriter:
    """Stands in for the LLM explainer: streams the deterministic answer in a few pieces, then the Reply."""

    def write(self, reply: Reply, ctx: Any, question: str) -> Iterator[str | Reply]:
        words = reply.answer.split(" ")
        step = max(1, len(words) // 5)
        for end in range(step, len(words), step):
            time.sleep(0.2)
            yield " ".join(words[:end])
        yield reply


# test_ui_browser_ru.py imports these fixtures, which registers them a second time: the servers and the
# browser are kept here, once per process (two sync Playwright instances cannot run in one thread).
_SHARED: dict[str, Any] = {}


def _once(key: str, make: Any) -> Any:
    if key not in _SHARED:
        _SHARED[key] = make()
    return _SHARED[key]


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    def make() -> Settings:
        data_dir = tmp_path_factory.getbasetemp() / "modelchoice-ui-data"
        os.environ["MODELCHOICE_DATA_DIR"] = str(data_dir)
        return Settings.from_env().with_overrides(data_dir=data_dir, llm="none")

    return _once("settings", make)


def _launch(conversation: Conversation) -> str:
    from assistant.ui.app import launch

    demo, url = launch(conversation, port=free_port(), prevent_thread_lock=True, quiet=True)
    atexit.register(demo.close)
    return url


@pytest.fixture(scope="session")
def app_url(ui_settings: Settings) -> str:
    """The app as users run it by default: deterministic answers. Launched once for all browser tests."""
    return _once("app", lambda: _launch(Conversation(ui_settings)))


@pytest.fixture(scope="session")
def streaming_url(ui_settings: Settings) -> str:
    """The same app with a writer that streams its answers, as the LLM path does."""
    return _once("streaming", lambda: _launch(Conversation(ui_settings, writer=SlowWriter())))


def _browser() -> Browser:
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    atexit.register(playwright.stop)
    atexit.register(browser.close)  # runs first
    return browser


@pytest.fixture(scope="session")
def browser() -> Browser:
    return _once("browser", _browser)


def open_page(browser: Browser, url: str, viewport: dict[str, int]) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    outside: list[str] = []
    page.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None
    )
    page.goto(url)
    expect(page.locator("#mc-card .mc-card")).to_be_visible()
    return page, outside


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    page, outside = open_page(browser, app_url, LAPTOP)
    yield page
    page.context.close()
    assert outside == [], f"requests left the machine: {outside}"


def card(page: Page) -> Any:
    return page.locator("#mc-card .mc-card")


def after_turn(page: Page, turns: int) -> Any:
    """The card once the panel shows the state after `turns` turns and form edits (no guessing, no sleeps)."""
    expect(card(page)).to_have_attribute("data-turns", str(turns))
    return card(page)


def bot_messages(page: Page) -> Any:
    return page.locator("#mc-chat .bot-row .message-content")


def send(page: Page, text: str) -> None:
    page.locator("#mc-input textarea").fill(text)
    page.locator("#mc-input textarea").press("Enter")


def choose(page: Page, field: str, label: str) -> None:
    page.locator(f"#mc-field-{field} input").click()
    page.get_by_role("option", name=label, exact=True).click()


def field_value(page: Page, field: str) -> str:
    return page.locator(f"#mc-field-{field} input").input_value()


def test_describe_streams_the_answer_and_updates_the_card(browser: Browser, streaming_url: str) -> None:
    page, outside = open_page(browser, streaming_url, LAPTOP)
    shot(page, "01-start")
    send(page, BANK)
    expect(page.locator("#mc-input textarea")).to_have_value("")  # the input is cleared at once
    last = bot_messages(page).last
    seen: list[str] = []
    deadline = time.monotonic() + TIMEOUT / 1000
    while time.monotonic() < deadline:  # read the answer as it grows (polling, not sleeping on a guess)
        text = last.inner_text() if bot_messages(page).count() else ""
        if text and (not seen or text != seen[-1]):
            seen.append(text)
            if len(seen) == 2:
                shot(page, "02-streaming", full_page=False)
        if "Sources:" in text:
            break
        page.wait_for_timeout(40)
    assert len(seen) >= 3, f"the answer did not stream: {seen}"
    assert all(len(a) < len(b) for a, b in itertools.pairwise(seen))
    expect(after_turn(page, 1)).to_have_attribute("data-recommendation", "custom")
    expect(page.locator("#mc-field-data_type")).to_contain_text("from the chat")
    assert field_value(page, "data_type") == "tabular"
    expect(page.locator("#mc-why")).to_contain_text("tabular")
    shot(page, "03-answer-and-card")
    page.context.close()
    assert outside == []


def test_form_edit_changes_the_card(page: Page) -> None:
    page.get_by_role("button", name="Segmentation with no training data").click()
    expect(after_turn(page, 1)).to_have_attribute("data-recommendation", "hybrid")
    # A change that flips the answer, found by the engine for the profile the chat just built.
    from assistant.ui.app import EXAMPLES

    profile = Profile(
        RuleBasedUnderstander().understand(dict(EXAMPLES)["Segmentation with no training data"]).changes
    )
    flip = next(c for c in decide(profile).counterfactuals if c.current is not None)
    from assistant.ui.render import choices

    label = next(text for text, value in choices(flip.field) if value == str(flip.value).lower())
    expect(page.locator(f"#mc-field-{flip.field}")).to_contain_text("from the chat")
    notes_before = page.locator("#mc-chat").get_by_text("Form updated").count()
    choose(page, flip.field, label)
    expect(after_turn(page, 2)).to_have_attribute("data-recommendation", flip.recommendation)
    expect(page.locator(f"#mc-field-{flip.field}")).to_contain_text("set here")
    expect(page.locator("#mc-chat").get_by_text("Form updated")).to_have_count(notes_before + 1)
    shot(page, "04-form-edit")


def test_counterfactual_runs_a_what_if(page: Page) -> None:
    from assistant.ui.render import choices, form_value

    profile = Profile(RuleBasedUnderstander().understand(IMAGES).changes)
    first = whatif.offered(decide(profile), set(profile))[0]  # what the first button stands for
    labels = {f: dict((v, t) for t, v in choices(f)) for f in profile}

    def expect_form(values: Profile) -> None:
        for name in profile:
            expect(page.locator(f"#mc-field-{name} input")).to_have_value(
                labels[name][form_value(values[name])]
            )

    send(page, IMAGES)
    recommendation = decide(profile).recommendation
    expect(after_turn(page, 1)).to_have_attribute("data-recommendation", recommendation)
    expect_form(profile)
    button = page.locator("#mc-cf-0")
    # In the user's voice, and only about what the user has not said.
    expect(button).to_have_text(whatif.label(first))
    for index in range(whatif.MAX_OFFERED):
        other = page.locator(f"#mc-cf-{index}")
        if other.is_visible():
            text = other.inner_text()
            assert text.startswith("What if ") and " your " not in f" {text.lower()} ", text
    button.click()
    after_turn(page, 2)
    comparison = page.locator("#mc-whatif .mc-whatif")
    expect(comparison).to_be_visible()
    expect(comparison).to_have_attribute("data-before", recommendation)
    expect(comparison).to_have_attribute("data-after", first.recommendation)
    expect(comparison).to_contain_text("Now")
    expect(page.locator("#mc-chat")).to_contain_text(whatif.question({first.field: first.value}))
    expect(card(page)).to_have_attribute("data-recommendation", recommendation)
    expect_form(profile)  # a what-if leaves the form alone
    shot(page, "05-what-if")

    page.locator("#mc-keep").click()
    after_turn(page, 3)
    expect(comparison).to_have_count(0)
    expect(page.locator("#mc-adopt")).to_be_hidden()  # the box goes with its comparison
    expect_form(profile)

    page.locator("#mc-cf-0").click()
    after_turn(page, 4)
    expect(comparison).to_be_visible()
    page.locator("#mc-adopt").click()
    expect(after_turn(page, 5)).to_have_attribute("data-recommendation", first.recommendation)
    expect(comparison).to_have_count(0)
    labels[first.field] = dict((v, t) for t, v in choices(first.field))
    expect(page.locator(f"#mc-field-{first.field} input")).to_have_value(
        labels[first.field][form_value(first.value)]
    )  # adopt changed the form
    expect(page.locator(f"#mc-field-{first.field}")).to_contain_text("from the chat")
    shot(page, "06-adopted")


def test_export_decision_record(page: Page) -> None:
    send(page, BANK)
    expect(after_turn(page, 1)).to_have_attribute("data-recommendation", "custom")
    expect(page.locator("#mc-field-privacy input")).to_have_value("strict")
    with page.expect_download() as download_info:
        page.locator("#mc-export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    record = Path(download.path()).read_text(encoding="utf-8")
    assert record.startswith("# Decision record")
    assert "**a custom model**" in record
    assert dt.date.today().isoformat() in record
    for heading in RECORD_HEADINGS:
        assert heading in record
    assert "| Privacy | strict | stated in chat" in record
    page.locator("#mc-sources-box").get_by_text("Sources of the last answer").click()
    expect(page.locator("#mc-sources li").first).to_be_visible()
    shot(page, "07-export-and-sources")


def test_a_reload_keeps_the_conversation_and_clear_clears_it(page: Page) -> None:
    send(page, BANK)
    expect(after_turn(page, 1)).to_have_attribute("data-recommendation", "custom")
    send(page, "why?")
    after_turn(page, 2)
    page.reload()  # the conversation lives in the browser: any app process shows it again
    expect(after_turn(page, 2)).to_have_attribute("data-recommendation", "custom")
    expect(bot_messages(page)).to_have_count(2)
    expect(page.locator("#mc-field-privacy input")).to_have_value("strict")
    expect(page.locator("#mc-field-privacy")).to_contain_text("from the chat")
    shot(page, "11-after-reload")

    page.locator("#mc-chat button[aria-label='Clear']").click()  # the chat's trash button
    expect(after_turn(page, 0)).to_have_attribute("data-recommendation", "custom")
    expect(page.locator("#mc-field-privacy input")).to_have_value("unknown")
    expect(bot_messages(page)).to_have_count(0)
    page.reload()  # cleared for good: the session went with the chat
    expect(after_turn(page, 0))
    expect(page.locator("#mc-field-privacy input")).to_have_value("unknown")
    expect(bot_messages(page)).to_have_count(0)
    shot(page, "12-cleared")

    send(page, BANK)
    after_turn(page, 1)
    page.locator("#mc-new").click()  # "New conversation" does the same
    after_turn(page, 0)
    expect(page.locator("#mc-field-privacy input")).to_have_value("unknown")


def test_examples_look_clickable_and_an_idle_page_sends_nothing(page: Page) -> None:
    example = page.get_by_role("button", name="Bank credit scoring")
    style = example.evaluate(
        "e => { const s = getComputedStyle(e); return [s.cursor, s.borderTopWidth, s.borderTopStyle]; }"
    )
    assert style[0] == "pointer" and style[1] != "0px" and style[2] != "none", style
    shot(page, "00-examples", full_page=False)
    example.click()
    after_turn(page, 1)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.wait_for_timeout(3000)  # a page left open: no timer, no heartbeat, no polling
    assert requests == []


def test_phone_width(browser: Browser, app_url: str) -> None:
    page, outside = open_page(browser, app_url, PHONE)
    page.get_by_role("button", name="Real-time video on a phone").click()
    expect(after_turn(page, 1)).to_have_attribute("data-recommendation", "custom")
    expect(page.locator("#mc-field-edge input")).to_have_value("yes")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px at phone width"
    shot(page, "08-phone", full_page=False)
    card(page).scroll_into_view_if_needed()
    shot(page, "09-phone-card", full_page=False)
    shot(page, "10-phone-full")
    page.context.close()
    assert outside == []
