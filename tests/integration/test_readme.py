"""The README's CLI examples are produced by scripts/readme_cli.py; this fails when they drift."""

import subprocess
import sys

from support.paths import ROOT


def test_readme_cli_examples_match_what_the_commands_print():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_cli.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
