"""Take the README's screenshots: the app at laptop width after the bank credit-scoring conversation, and
after its first what-if button (the comparison box); and the same in Russian after a Russian conversation.

Run: .venv/bin/python -m assistant.ui.screenshot [docs/screenshot.png]  (also writes screenshot-what-if.png)
     .venv/bin/python -m assistant.ui.screenshot --ru [SCRIPT.txt|-] [docs/screenshot-ru.png]
     (SCRIPT: one message per line, sent in turn with the page switched to Русский; default: the Russian
     bank case. Also writes screenshot-ru-what-if.png.)

Uses Debian's chromium through Playwright (never `playwright install`) and a throwaway knowledge store unless
MODELCHOICE_DATA_DIR is set, so the user's data is not touched.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def _browser_page() -> Iterator[Any]:
    """A laptop-width page on a fresh app (a throwaway knowledge store unless MODELCHOICE_DATA_DIR is set)."""
    if "MODELCHOICE_DATA_DIR" not in os.environ:
        scratch = tempfile.mkdtemp(prefix="modelchoice-shot-")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        os.environ["MODELCHOICE_DATA_DIR"] = scratch
    from playwright.sync_api import sync_playwright

    from assistant import Conversation

    from .app import launch

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo, url = launch(Conversation(), port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1366, "height": 960}, device_scale_factor=1)
            page.set_default_timeout(30_000)
            page.goto(url)
            yield page
            browser.close()
    finally:
        demo.close()


def _shots(page: Any, out: str, converse: Callable[[Any], int]) -> Path:
    """Hold the conversation (`converse` returns the turns it took), open the first reason's source, take
    `out`; click the first what-if button and take `<out>-what-if.png` (returned)."""
    from playwright.sync_api import expect

    turns = converse(page)
    card = page.locator("#mc-card .mc-card")
    source = page.locator("#mc-why details.mc-src").first
    source.locator("summary").click()
    expect(source).to_have_attribute("open", "")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=out)
    page.locator("#mc-cf-0").click()
    expect(card).to_have_attribute("data-turns", str(turns + 1))
    expect(page.locator("#mc-whatif .mc-whatif")).to_be_visible()
    second = Path(out).with_name(f"{Path(out).stem}-what-if.png")
    page.screenshot(path=second)
    return second


def main(out: str = "docs/screenshot.png") -> None:
    from playwright.sync_api import expect

    def bank(page: Any) -> int:
        page.get_by_role("button", name="Bank credit scoring").click()
        card = page.locator("#mc-card .mc-card")
        expect(card).to_have_attribute("data-turns", "1")
        expect(card).to_have_attribute("data-recommendation", "custom")
        expect(page.locator("#mc-why")).to_contain_text("tabular")
        return 1

    with _browser_page() as page:
        second = _shots(page, out, bank)
    print(f"wrote {out} and {second}")


def main_ru(script: Sequence[str] = (), out: str = "docs/screenshot-ru.png") -> None:
    """The Russian screenshots: the page switched to Русский, then each line of `script` sent as a chat
    message (default: the Russian bank case, the page's first example)."""
    from playwright.sync_api import expect

    from .render import words

    lines = [line.strip() for line in script if line.strip()] or [words("ru")("example.bank.text")]

    def converse(page: Any) -> int:
        page.locator("#mc-lang label", has_text="Русский").click()
        expect(page.locator("#mc-send")).to_have_text(words("ru")("send"))
        card = page.locator("#mc-card .mc-card")
        for turn, line in enumerate(lines, start=1):
            page.locator("#mc-input textarea").fill(line)
            page.locator("#mc-input textarea").press("Enter")
            expect(card).to_have_attribute("data-turns", str(turn))
        return len(lines)

    with _browser_page() as page:
        second = _shots(page, out, converse)
    print(f"wrote {out} and {second}")


def _cli(args: list[str]) -> None:
    if args[:1] != ["--ru"]:
        main(*args[:1])
        return
    rest = args[1:]
    given = rest[0] if rest and rest[0] not in ("", "-") else None  # "-": the default script
    script = Path(given).read_text(encoding="utf-8").splitlines() if given else []
    main_ru(script, *rest[1:2])


if __name__ == "__main__":
    _cli(sys.argv[1:])
