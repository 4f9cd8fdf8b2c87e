"""Citations and support: an answer cites only the passages it was shown, and every sentence is covered by
the decision trace or the passages (lexical support, calibrated on labelled sentences)."""

from __future__ import annotations

import pytest
import yaml
from support.guard_cases import BANK, SECTIONS, failed, guard
from support.paths import ROOT

from assistant.guard import SUPPORT_THRESHOLD, content_words, support_score


def test_citations_must_point_at_provided_passages() -> None:
    g = guard(BANK, ["when-custom", "fm-cons"])
    assert failed(g, "A custom model is the default choice [when-custom].") == []
    assert failed(g, "A custom model is the default choice [when-custom#0].") == []
    assert failed(g, "A custom model is the default choice [when-custom, fm-cons].") == []
    for bad in (
        "A custom model is the default choice [made-up-section].",
        "A custom model is the default choice [example-mvp].",  # exists, but was not provided
        "A custom model is the default choice [1].",
        "A custom model is the default choice [the article](https://example.com).",
    ):
        assert failed(g, bad) == ["citations"], bad


# -------------------------------------------------------------------------------------------- (d) support


@pytest.mark.parametrize(
    "text",
    [
        "Python's scikit-learn library offers gradient boosting with excellent GPU benchmarks.",
        "Most companies in Europe switched to cloud providers in 2021 because of pricing changes.",
        "You can fine-tune BERT in two hours on a single laptop and deploy it with Kubernetes.",
        "A fact checker rejected your previous draft for these reasons.",
    ],
)
def test_unsupported_sentences_fail(text: str) -> None:
    assert failed(guard(BANK), text) == ["support"]


@pytest.mark.parametrize(
    "text",
    [
        "Your data must stay on your own infrastructure, so it cannot be sent to a third-party model API.",
        "A small task-specific model usually beats a foundation model on tabular data.",
        "You need full control to retrain, debug and explain the model without vendor lock-in.",
        "Here is why:",  # too short to score
    ],
)
def test_supported_sentences_pass(text: str) -> None:
    assert "support" not in failed(guard(BANK), text)


def test_support_score_uses_content_words() -> None:
    vocabulary = frozenset(content_words("Plenty of labelled data removes the main cost of training."))
    assert support_score("Labeled data is plentiful, which removes the training cost.", vocabulary)[0] >= 0.6
    assert support_score("Quantum annealing accelerates blockchain consensus.", vocabulary) == (0.0, 5)


def test_the_threshold_is_the_calibrated_one() -> None:
    from assistant.evals.calibrate_guard import MIN_PASSED, calibrate, evaluate, load

    examples = load(ROOT / "evals" / "guard_calibration.yaml")
    assert len(examples) >= 100
    assert {e.supported for e in examples} == {True, False}
    assert calibrate(examples)["threshold"] == SUPPORT_THRESHOLD  # re-run the script after editing the labels
    result = evaluate(examples, SUPPORT_THRESHOLD)
    assert result["supported_passed"] >= MIN_PASSED, result
    assert result["accuracy"] >= 0.9 and result["unsupported_caught"] >= 0.9, result


def test_calibration_file_is_valid_yaml_with_labels() -> None:
    data = yaml.safe_load((ROOT / "evals" / "guard_calibration.yaml").read_text(encoding="utf-8"))
    for scenario in data["scenarios"]:
        assert set(scenario["passages"]) <= set(SECTIONS)
        for item in scenario["sentences"]:
            assert isinstance(item["supported"], bool) and item["text"].strip()
