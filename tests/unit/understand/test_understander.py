"""The offline understander as a whole: API shape, invariants, speed, and the labelled-set thresholds
(assistant/understand/understander.py).

The utterances are the developers' own (see support.understand_cases); evals/extraction.yaml is only used
by the threshold test at the end.
"""

import os
import subprocess
import sys
import time

import pytest
from support.understand_cases import CASES, INJECTIONS, INTENT_CASES, U

from assistant.profile import FIELDS, parse_value
from assistant.types import Turn, Understander
from assistant.types import TurnContext as Context
from assistant.understand import INTENTS, warm_up

# ----------------------------------------------------------------------------------------- API shape


def test_api_shape():
    assert isinstance(U, Understander)
    turn = U.understand("  We have   three data scientists  ")
    assert turn == Turn("describe", {"ml_team": True}, False, None, "We have three data scientists")
    assert turn.to_dict() == {
        "intent": "describe",
        "changes": {"ml_team": True},
        "hypothetical": False,
        "target": None,
    }
    assert set(INTENTS) >= {"describe", "injection", "help"} and len(INTENTS) == 14
    assert Context() == Context(None, False)


# ------------------------------------------------------------------------------------- invariants and speed


@pytest.mark.parametrize("text", [c[0] for c in CASES] + [c[0] for c in INTENT_CASES] + INJECTIONS)
def test_changes_are_always_schema_valid(text):
    turn = U.understand(text)
    assert turn.intent in INTENTS
    for name, value in turn.changes.items():
        assert name in FIELDS and parse_value(name, value) == value


@pytest.mark.slow  # a timing assertion
def test_speed_per_utterance():
    warm_up()
    texts = [c[0] for c in CASES] + [c[0] for c in INTENT_CASES]
    start = time.perf_counter()
    for _ in range(5):
        for text in texts:
            U.understand(text)
    per_call = (time.perf_counter() - start) / (5 * len(texts))
    assert per_call < 1e-3, per_call


@pytest.mark.slow  # a timing assertion (and two interpreters)
def test_import_is_cheap(tmp_path):
    """No pattern is compiled at import (they compile on first use or in warm_up()); with a bytecode cache
    the import takes a few ms (generous bound for loaded CI machines)."""
    code = (
        "import time, assistant.profile; t = time.perf_counter(); import assistant.understand; "
        "d = time.perf_counter() - t; from assistant.understand.patterns import compiled_count; "
        "print(d, compiled_count())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path)
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        for _ in range(2)
    ]  # the first run writes the bytecode cache
    seconds, compiled = runs[-1].stdout.split()
    assert compiled == "0"
    assert float(seconds) < 0.05


# ----------------------------------------------------------------------------------------- labelled set


def test_labelled_set_thresholds():
    from assistant.evals.extraction_eval import evaluate

    report = evaluate()
    for name, scores in report["fields"].items():
        assert scores["precision"] >= 0.9, (name, scores, report["failures"])
        assert scores["recall"] >= 0.9, (name, scores, report["failures"])
    assert report["intent_accuracy"] >= 0.9, report["failures"]
