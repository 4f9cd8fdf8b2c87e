"""Take the README's screenshots: the app at laptop width after the bank credit-scoring conversation, and
after its first what-if button (the comparison box).

Run: .venv/bin/python -m assistant.ui.screenshot [docs/screenshot.png]  (also writes screenshot-what-if.png)

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
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(out: str = "docs/screenshot.png") -> None:
    if "MODELCHOICE_DATA_DIR" not in os.environ:
        scratch = tempfile.mkdtemp(prefix="modelchoice-shot-")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        os.environ["MODELCHOICE_DATA_DIR"] = scratch
    from playwright.sync_api import expect, sync_playwright

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
            page.goto(url)
            page.get_by_role("button", name="Bank credit scoring").click()
            card = page.locator("#mc-card .mc-card")
            expect(card).to_have_attribute("data-turns", "1", timeout=30_000)
            expect(card).to_have_attribute("data-recommendation", "custom")
            expect(page.locator("#mc-why")).to_contain_text("tabular")
            source = page.locator("#mc-why details.mc-src").first
            source.locator("summary").click()
            expect(source).to_have_attribute("open", "")
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=out)
            page.locator("#mc-cf-0").click()
            expect(card).to_have_attribute("data-turns", "2", timeout=30_000)
            expect(page.locator("#mc-whatif .mc-whatif")).to_be_visible()
            second = Path(out).with_name(f"{Path(out).stem}-what-if.png")
            page.screenshot(path=second)
            browser.close()
    finally:
        demo.close()
    print(f"wrote {out} and {second}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
