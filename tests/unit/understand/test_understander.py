"""The offline understander as a whole: API shape, invariants, speed, and the labelled-set thresholds
(assistant/understand/understander.py).

The utterances are the developers' own (see support.understand_cases); evals/extraction.yaml is only used
by the threshold test at the end.
"""

import subprocess
import sys

import pytest
from support.understand_cases import CASES, INJECTIONS, INTENT_CASES, U

from assistant.profile import FIELDS, parse_value
from assistant.types import Turn, Understander
from assistant.types import TurnContext as Context
from assistant.understand import INTENTS

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


def test_import_compiles_no_pattern():
    """Patterns compile on first use or in warm_up(), never at import (benchmarks/cold_bench.py times it)."""
    code = "import assistant.understand; from assistant.understand.patterns import compiled_count; "
    code += "print(compiled_count())"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "0"


# ----------------------------------------------------------------------------------------- labelled set


def test_labelled_set_thresholds():
    from assistant.evals.extraction_eval import evaluate

    report = evaluate()
    for name, scores in report["fields"].items():
        assert scores["precision"] >= 0.9, (name, scores, report["failures"])
        assert scores["recall"] >= 0.9, (name, scores, report["failures"])
    assert report["intent_accuracy"] >= 0.9, report["failures"]
