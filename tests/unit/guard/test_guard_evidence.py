"""Citations and support: an answer cites only the passages it was shown, and every sentence is covered by
the decision trace or the passages (lexical support, its threshold calibrated per language on labelled
sentences)."""

from __future__ import annotations

import pytest
import yaml
from support.guard_cases import BANK, SECTIONS, failed, guard
from support.paths import ROOT

from assistant.engine import decide
from assistant.guard import SUPPORT_THRESHOLD, Evidence, Guard, content_words, reading_for, support_score
from assistant.knowledge import sections_in
from assistant.settings import Settings
from assistant.types import AnswerContext, PassageRef

# The labelled sentences each language's threshold is calibrated on (evals/calibrate_guard.py).
CALIBRATION = {"en": "guard_calibration.yaml", "ru": "guard_calibration-ru.yaml"}


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


@pytest.mark.parametrize("lang", sorted(CALIBRATION))
def test_the_threshold_is_the_calibrated_one(lang: str) -> None:
    from assistant.evals.calibrate_guard import MIN_PASSED, calibrate, evaluate, load

    examples = load(ROOT / "evals" / CALIBRATION[lang])
    assert {e.lang for e in examples} == {lang}  # scored with that language's evidence and reading
    assert len(examples) >= 150 if lang == "ru" else len(examples) >= 100
    assert {e.supported for e in examples} == {True, False}
    # re-run `evals/calibrate_guard.py --yaml evals/<file>` after editing the labels or the reading
    assert calibrate(examples)["threshold"] == SUPPORT_THRESHOLD[lang]
    result = evaluate(examples, SUPPORT_THRESHOLD[lang])
    assert result["supported_passed"] >= MIN_PASSED, result
    if lang == "en":
        assert result["accuracy"] >= 0.9 and result["unsupported_caught"] >= 0.9, result
    else:  # measured 0.883 / 0.781 when chosen
        assert result["accuracy"] >= 0.85 and result["unsupported_caught"] >= 0.75, result


def test_the_english_threshold_is_unchanged_and_each_language_has_its_own() -> None:
    assert set(SUPPORT_THRESHOLD) == {"en", "ru"}
    assert SUPPORT_THRESHOLD["en"] == 0.85
    assert SUPPORT_THRESHOLD["ru"] < SUPPORT_THRESHOLD["en"]
    english = guard(BANK, ["custom-pros", "fm-cons"])
    assert english.threshold == 0.85
    assert Guard(english.evidence, threshold=0.5).threshold == 0.5  # an explicit threshold still wins
    # an English sentence covered between the two thresholds is still flagged in English
    text = "Small task-specific models beat foundation models on tabular data in Gartner reports."
    score, _ = support_score(text, english.evidence.vocabulary)
    assert SUPPORT_THRESHOLD["ru"] <= score < SUPPORT_THRESHOLD["en"]
    assert failed(english, text) == ["support"]


def _russian_guard(profile: dict[str, object], ids: list[str]) -> Guard:
    """The guard of a Russian turn as the LLM writer builds it: Russian passages and titles, lang "ru"."""
    sections = sections_in(Settings().knowledge_dirs, "ru")
    refs = [PassageRef(f"{i}#0", i, sections[i].title, sections[i].source, sections[i].text) for i in ids]
    titles = {sid: s.title for sid, s in sections.items()}
    ctx = AnswerContext(decision=decide(profile), titles=titles, passages=refs, lang="ru")
    return Guard(Evidence.from_context(ctx, refs, "recommend"))


def test_a_russian_answer_is_held_to_the_russian_threshold() -> None:
    g = _russian_guard(BANK, ["custom-pros", "fm-cons"])
    assert g.threshold == SUPPORT_THRESHOLD["ru"]
    text = (
        "На табличных данных небольшие модели под конкретную задачу обычно обходят фундаментальные модели, "
        "как показал Gartner."
    )
    score, _ = support_score(text, g.evidence.vocabulary, reading_for("ru").content_words)
    assert SUPPORT_THRESHOLD["ru"] <= score < SUPPORT_THRESHOLD["en"]
    assert "support" not in failed(g, text)
    assert failed(Guard(g.evidence, threshold=SUPPORT_THRESHOLD["en"]), text) == ["support"]
    assert failed(g, "Квантовые компьютеры скоро заменят блокчейн и нейросети в банковской отрасли.") == [
        "support"
    ]


def test_the_calibrator_builds_russian_evidence_from_the_russian_passages() -> None:
    from assistant.evals.calibrate_guard import evidence

    scenario = {"profile": BANK, "intent": "why", "passages": ["example-credit-scoring"]}
    ru, en = evidence(scenario, 700, "ru"), evidence(scenario, 700, "en")
    assert (ru.lang, en.lang) == ("ru", "en")
    read = reading_for("ru").content_words
    assert set(read("конфиденциальностью скоринг")) <= ru.vocabulary  # words of the Russian passage
    assert not set(read("конфиденциальностью скоринг")) <= en.vocabulary


@pytest.mark.parametrize("lang", sorted(CALIBRATION))
def test_calibration_file_is_valid_yaml_with_labels(lang: str) -> None:
    data = yaml.safe_load((ROOT / "evals" / CALIBRATION[lang]).read_text(encoding="utf-8"))
    assert data.get("lang", "en") == lang
    sections = sections_in(Settings().knowledge_dirs, lang)
    labels = []
    for scenario in data["scenarios"]:
        assert set(scenario["passages"]) <= set(SECTIONS)
        if lang != "en":  # every passage has its translation, so the LLM saw it in the answer's language
            assert all(sections[p].source.startswith(f"{lang}/") for p in scenario["passages"])
        for item in scenario["sentences"]:
            assert isinstance(item["supported"], bool) and item["text"].strip()
            labels.append(item["supported"])
    if lang == "ru":
        assert len(data["scenarios"]) >= 12 and len(labels) >= 150
        assert 0.4 <= sum(labels) / len(labels) <= 0.6  # about half supported
