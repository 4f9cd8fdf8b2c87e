"""The guard: crafted bad answers for each check must fail, good answers must pass, and nothing the
deterministic explainer writes may ever be flagged (it is the fallback, and the rules' own words)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import explain
from assistant.engine import decide
from assistant.guard import (
    CHECKS,
    SUPPORT_THRESHOLD,
    Evidence,
    Guard,
    StreamCheck,
    content_words,
    sentences,
    stances,
    support_score,
)
from assistant.knowledge import section_index
from assistant.profile import FIELDS
from assistant.settings import Settings
from assistant.types import AnswerContext as Context
from assistant.types import PassageRef, WhatIf

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = section_index(Settings().knowledge_dirs)
TITLES = {sid: s.title for sid, s in SECTIONS.items()}

BANK = {
    "data_type": "tabular",
    "task": "narrow",
    "stage": "production",
    "ml_team": True,
    "privacy": "strict",
    "external_api_ok": False,
    "control": True,
}  # -> custom
CHATBOT = {
    "data_type": "text",
    "task": "open_ended",
    "stage": "prototype",
    "ml_team": False,
    "external_api_ok": True,
    "latency": "interactive",
    "volume": "low",
}  # -> foundation
SEGMENTATION = {
    "data_type": "image",
    "task": "narrow",
    "labeled_data": "none",
    "ml_team": True,
    "stage": "production",
}  # -> hybrid (foundation model as a labelling tool)
TEXT_TEAM = {"data_type": "text", "ml_team": True}  # -> custom; without the ML team -> foundation


def ref(section: str) -> PassageRef:
    s = SECTIONS[section]
    return PassageRef(f"{section}#0", section, s.title, s.source, s.text)


def guard(
    profile: dict[str, Any],
    passages: list[str] | None = None,
    *,
    what_if: dict[str, Any] | None = None,
    previous: dict[str, Any] | None = None,
    intent: str = "recommend",
) -> Guard:
    decision = decide(profile)
    w = WhatIf(what_if, decision, decide(decision.profile.with_changes(what_if))) if what_if else None
    focus = w.after if w else decision
    ids = passages if passages is not None else focus.sources[:4]
    prev = decide(previous) if previous is not None else None
    return Guard(Evidence.build(decision, [ref(i) for i in ids], intent=intent, what_if=w, previous=prev))


def failed(g: Guard, text: str) -> list[str]:
    return g.check(text).failed()


def test_checks_are_the_documented_five() -> None:
    assert CHECKS == ("recommendation", "profile", "citations", "support", "repetition")


# ------------------------------------------------------------------------------------- (a) recommendation


@pytest.mark.parametrize(
    "text",
    [
        "A foundation model is the best choice.",
        "A foundation model is the best choice for your project.",
        "I recommend a foundation model.",
        "You should use a foundation model such as GPT-4 through its API.",
        "I'd go with a hybrid approach here.",
        "Knowledge distillation is the way to go.",
        "Using a foundation model makes the most sense.",
        "The best option is a foundation model.",
        "My recommendation: a foundation model.",
        "A custom model is not a good fit here.",  # denies the computed option
        "A custom model isn't the best option for you.",
        "Avoid a custom model.",
        "I would not recommend a custom model.",
        "You don't need a custom model; a foundation model works best.",
        "If you had a generous budget, a foundation model would be the better choice.",  # not in the trace
    ],
)
def test_endorsing_another_option_or_denying_the_computed_one_fails(text: str) -> None:
    assert "recommendation" in failed(guard(BANK), text)


@pytest.mark.parametrize(
    "text",
    [
        "I would not recommend a foundation model.",
        "A custom model, not a foundation model, is the right choice.",
        "Rather than a foundation model, I recommend a custom model.",
        "A custom model is the best choice for your project.",
        "My recommendation: **a custom model**.",
        "I don't recommend a foundation model here.",
        "A foundation model is not the right choice for this project.",
        "Should you use a foundation model?",  # a question endorses nothing
        "Foundation models can be expensive at high volume.",  # a general statement, no endorsement
    ],
)
def test_negations_contrasts_and_counterfactuals_pass(text: str) -> None:
    g = guard(BANK, ["when-custom", "fm-cons", "custom-pros"])
    assert "recommendation" not in failed(g, text), g.check(text).findings


def test_counterfactual_endorsements_must_be_in_the_trace() -> None:
    text = "If you had no ML team, a foundation model would be the better choice."
    assert "recommendation" not in failed(guard(TEXT_TEAM), text)  # dropping the team flips it: in the trace
    assert "recommendation" in failed(guard(BANK), text)  # it would not flip the bank's decision


def test_hybrid_descriptions_may_name_their_parts() -> None:
    g = guard(SEGMENTATION)
    ok = (
        "I recommend using a foundation model such as SAM to label the images, then training a smaller model."
    )
    assert "recommendation" not in failed(g, ok)
    assert failed(g, "A custom model is the best choice.") == ["recommendation"]
    assert failed(g, "I recommend a foundation model.") == ["recommendation"]


def test_what_if_accepts_the_old_recommendation_correctly_attributed() -> None:
    g = guard(TEXT_TEAM, what_if={"ml_team": False}, intent="what_if")
    for text in (
        "With no ML team, my recommendation would change from a custom model to a foundation model.",
        "Currently I recommend a custom model.",
        "Today a custom model is the best choice, but with no ML team a foundation model would be.",
        "With no ML team, a foundation model would be the best choice.",
    ):
        assert "recommendation" not in failed(g, text), (text, g.check(text).findings)
    for text in (
        "With no ML team, I would still recommend a custom model.",
        "With no ML team, a custom model would still be the best choice.",
        "Currently I recommend a foundation model.",
    ):
        assert failed(g, text) == ["recommendation"], text


def test_a_changed_answer_may_mention_the_previous_recommendation() -> None:
    g = guard(BANK, previous={"data_type": "text"}, intent="describe")
    assert decide({"data_type": "text"}).recommendation != "custom" or True
    assert "recommendation" not in failed(g, "That changes my answer: it was a foundation model.")


def test_stances_read_clauses_and_negation() -> None:
    assert [
        (s.option, s.positive)
        for s in stances("You don't need a custom model; a foundation model works best.")
    ] == [("custom", False), ("foundation", True)]
    assert stances("It would become my recommendation with an open-ended task.") == []


# ------------------------------------------------------------------------------------------- (b) profile


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Since you have an in-house ML team, a foundation model is quick to adopt.", "the profile has"),
        ("You have plenty of labelled data, so training is cheap.", "not told me"),
        ("Your data must not leave your infrastructure.", "not told me"),
        ("Because your data is tabular, small models work well.", "the profile has"),
        ("You need real-time latency for this.", "the profile has"),
        ("Your budget is tight.", "not told me"),
    ],
)
def test_contradicting_or_invented_profile_facts_fail(text: str, message: str) -> None:
    g = guard(CHATBOT)
    verdict = g.check(text)
    assert "profile" in verdict.failed() and message in str(verdict.findings)


@pytest.mark.parametrize(
    "text",
    [
        "Without an in-house ML team, your software engineers can still build on a foundation model.",
        "You don't have an ML team, so a foundation model through its API is the practical route.",
        "Your text data is where foundation models are at their strongest.",
        "If you had plenty of labelled data, a custom model could be trained.",  # conditional: no claim
        "Do you have plenty of labelled data?",  # a question: no claim
        "A bank with plenty of labelled data would train its own model.",  # not about the user
    ],
)
def test_profile_consistent_statements_pass(text: str) -> None:
    assert "profile" not in failed(guard(CHATBOT), text)


def test_negated_facts_that_the_profile_has_fail() -> None:
    assert "profile" in failed(guard(BANK), "Your data is not tabular.")


def test_what_if_facts_may_state_the_hypothetical_value() -> None:
    g = guard(TEXT_TEAM, what_if={"ml_team": False}, intent="what_if")
    for text in (
        "You would have no ML team, and your text data suits a foundation model.",
        "With no ML team on your side, a foundation model is the practical route.",
    ):
        assert "profile" not in failed(g, text)


# ----------------------------------------------------------------------------------------- (c) citations


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


# ----------------------------------------------------------------------------------------- (e) repetition


def test_runaway_repetition_fails() -> None:
    g = guard(CHATBOT)
    reason = "A foundation model gets you working results without a dataset or a training pipeline."
    assert "repetition" in failed(g, f"{reason} {reason}")
    loop = "the foundation model is good for your prototype and " * 4
    assert "repetition" in failed(g, loop + ".")
    assert "repetition" in failed(g, "A foundation model model model model model works.")
    assert "repetition" in failed(g, "A foundation model works " + "very " * 3 + "well, " * 300 + ".")


def test_a_looping_unfinished_sentence_is_caught_while_streaming() -> None:
    check = StreamCheck(guard(CHATBOT))
    text = "A foundation model gets you working results"
    for _ in range(40):
        text += " and working results and working results"
        if check.feed(text):
            break
    assert "repetition" in {f.check for f in check.findings}
    assert len(text) < 1000  # caught long before the character cap


# ------------------------------------------------------------------------------------ streaming behaviour


def test_stream_check_reports_a_violation_as_soon_as_its_sentence_completes() -> None:
    g = guard(BANK)
    body = (
        "A custom model fits tabular data well. A foundation model is the best choice. "
        "Your data must stay on your own infrastructure."
    )
    check = StreamCheck(g)
    found_at = None
    for end in range(1, len(body) + 1):
        if check.feed(body[:end]):
            found_at = end
            break
    assert found_at is not None and body[:found_at].endswith("best choice. Y")
    whole = g.check(body)
    assert [f.check for f in whole.findings] == ["recommendation"]


def test_sentences_keep_citations_and_split_lists() -> None:
    assert sentences("First one. [when-custom] Second one.\n- item\n1. other") == [
        "First one [when-custom].",
        "Second one.",
        "item",
        "other",
    ]


# ----------------------------------------------------------------------- the deterministic explainer passes


def _answers(profile: dict[str, Any], field: str, value: Any) -> list[tuple[str, Guard]]:
    d = decide(profile)
    passages = [ref(s) for s in d.sources[:4]]
    ctx = Context(
        decision=d, titles=TITLES, passages=passages, question_field=d.missing[0] if d.missing else None
    )
    out = []
    for intent, answer in [
        ("recommend", explain.recommendation(ctx)),
        ("why", explain.why(ctx)),
        ("change_mind", explain.change_mind(ctx)),
        ("concept", explain.concept(ctx)),
    ]:
        out.append((answer.text, intent, ctx, answer))
    for target in ("custom", "foundation", "hybrid"):
        answer = explain.why_not(Context(**{**ctx.__dict__, "target": target}))
        out.append((answer.text, "why_not", ctx, answer))
    w = WhatIf({field: value}, d, decide(d.profile.with_changes({field: value})))
    wctx = Context(**{**ctx.__dict__, "what_if": w, "passages": [ref(s) for s in w.after.sources[:4]]})
    out.append((explain.what_if(wctx).text, "what_if", wctx, explain.what_if(wctx)))
    after = decide(d.profile.with_changes({field: value}))
    actx = Context(
        **{
            **ctx.__dict__,
            "decision": after,
            "changes": {field: value},
            "previous": d,
            "passages": [ref(s) for s in after.sources[:4]],
        }
    )
    out.append((explain.recommendation(actx).text, "describe", actx, explain.recommendation(actx)))
    result = []
    for text, intent, c, answer in out:
        shown = list(c.passages) + [ref(x.id) for x in answer.citations]
        result.append((text, Guard(Evidence.from_context(c, shown, intent))))
    return result


@st.composite
def profiles(draw: Any) -> tuple[dict[str, Any], str, Any]:
    names = draw(st.lists(st.sampled_from(list(FIELDS)), unique=True, max_size=len(FIELDS)))
    profile = {n: draw(st.sampled_from(FIELDS[n].values)) for n in names}
    field = draw(st.sampled_from(list(FIELDS)))
    return profile, field, draw(st.sampled_from(FIELDS[field].values))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_the_deterministic_explainer_never_fails_the_guard(case: tuple[dict[str, Any], str, Any]) -> None:
    profile, field, value = case
    for text, g in _answers(profile, field, value):
        verdict = g.check(text)
        assert verdict.ok, (profile, text, verdict.findings)


# ------------------------------------------------------------------------------------- calibration, speed


def test_the_threshold_is_the_calibrated_one() -> None:
    from assistant.evals.calibrate_guard import MIN_PASSED, calibrate, evaluate, load

    examples = load(ROOT / "evals" / "guard_calibration.yaml")
    assert len(examples) >= 100
    assert {e.supported for e in examples} == {True, False}
    assert calibrate(examples)["threshold"] == SUPPORT_THRESHOLD  # re-run the script after editing the labels
    result = evaluate(examples, SUPPORT_THRESHOLD)
    assert result["supported_passed"] >= MIN_PASSED, result
    assert result["accuracy"] >= 0.9 and result["unsupported_caught"] >= 0.9, result


def test_guard_overhead_is_under_5_ms_per_answer() -> None:
    g = guard(CHATBOT, ["when-foundation", "example-mvp", "fm-pros"])
    answer = (
        "Without an in-house ML team, your software engineers can still build on a foundation "
        "model through its API [when-foundation]. For a prototype, a foundation model gets you "
        "working results without a dataset or a training pipeline [example-mvp]. Foundation models "
        "are at their strongest on unstructured data such as text [fm-pros]. Relying on an external "
        "model API is acceptable to you."
    )
    samples = []
    for _ in range(30):
        started = time.perf_counter()
        Guard(g.evidence).check(answer)
        samples.append((time.perf_counter() - started) * 1000)
    assert statistics.median(samples) < 5.0


def test_calibration_file_is_valid_yaml_with_labels() -> None:
    data = yaml.safe_load((ROOT / "evals" / "guard_calibration.yaml").read_text(encoding="utf-8"))
    for scenario in data["scenarios"]:
        assert set(scenario["passages"]) <= set(SECTIONS)
        for item in scenario["sentences"]:
            assert isinstance(item["supported"], bool) and item["text"].strip()
