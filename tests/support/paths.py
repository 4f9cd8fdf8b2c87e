"""Where things are, for tests that run the real CLI in a subprocess or read the repository's data."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).parent / "modelchoice")
EVALS = ROOT / "evals"
EXAMPLES = ROOT / "examples"
