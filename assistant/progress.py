"""A one-line progress bar on stderr (no dependency; prints only suite boundaries when not a terminal)."""

from __future__ import annotations

import sys


class Progress:
    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.tty = sys.stderr.isatty()
        self.suite = ""

    def update(self, label: str, done: int, total: int) -> None:
        suite = label.split(":", 1)[0]
        if suite != self.suite:
            self.suite = suite
            if not self.tty:
                sys.stderr.write(f"eval: {suite}...\n")
        if self.tty:
            filled = int(self.width * done / max(total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {suite:<14}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
