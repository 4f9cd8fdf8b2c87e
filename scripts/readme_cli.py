"""Keep the README's CLI examples true: re-run every marked command and write (or check) its output.

A block in README.md looks like this (the commands run in order, in one scratch directory that has the
repository's `examples/`, with one private data directory, so a `--session` conversation carries on):

    <!-- cli -->
    ```console
    $ modelchoice recommend examples/bank-credit-scoring.yaml
    ...output, rewritten by this script...
    ```

    python scripts/readme_cli.py           # rewrite the outputs in README.md
    python scripts/readme_cli.py --check   # exit 1 with a diff when the README no longer matches
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- cli -->\n```console\n)(.*?)(```)", re.S)
EXE = Path(sys.executable).parent / "modelchoice"


def _run(command: str, cwd: Path, env: dict[str, str]) -> str:
    args = shlex.split(command)
    if args[0] != "modelchoice":
        raise SystemExit(f"readme_cli: only modelchoice commands can be shown: {command!r}")
    result = subprocess.run(  # one stream, so notices show where they were printed
        [str(EXE), *args[1:]],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    return result.stdout


def render(text: str) -> str:
    """README text with every marked block's output regenerated."""
    with tempfile.TemporaryDirectory(prefix="readme-cli-") as scratch:
        cwd = Path(scratch)
        (cwd / "examples").symlink_to(ROOT / "examples")
        env = {
            **os.environ,
            "MODELCHOICE_DATA_DIR": str(cwd / "data"),
            "MODELCHOICE_LLM": "none",
            "NO_COLOR": "1",
            "COLUMNS": "110",
        }
        _run("modelchoice ingest", cwd, env)  # as on a machine that has run before: no one-off build notice

        def block(match: re.Match[str]) -> str:
            commands = [line[2:] for line in match.group(2).splitlines() if line.startswith("$ ")]
            body = "".join(f"$ {c}\n{_run(c, cwd, env).rstrip()}\n" for c in commands)
            return match.group(1) + body + match.group(3)

        return BLOCK.sub(block, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Fail (exit 1) if README.md is out of date.")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            diff = difflib.unified_diff(
                current.splitlines(), fresh.splitlines(), "README.md", "README.md (fresh)", lineterm=""
            )
            print("\n".join(diff))
            print("README.md's CLI examples are stale: run `python scripts/readme_cli.py`", file=sys.stderr)
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
