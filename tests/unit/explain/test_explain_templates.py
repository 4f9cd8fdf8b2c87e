"""The explainer's wording as data: every template renders, the pieces the LLM writer frames its text with
are those templates, and the guard's frame vocabulary covers every word the explainer itself writes."""

from __future__ import annotations

from string import Formatter

import pytest
from support.guard_cases import BANK, CHATBOT, TITLES, ref

from assistant import explain
from assistant.engine import decide
from assistant.guard import content_words, frame_vocabulary
from assistant.profile import FIELDS
from assistant.types import AnswerContext as Context
from assistant.types import WhatIf


def _sample(name: str) -> dict[str, object]:
    """A value for every field of the template: a number where it has a format spec, else a word."""
    values: dict[str, object] = {}
    for _, field, spec, _ in Formatter().parse(explain.TEMPLATES[name]):
        if field:
            values[field] = 0.75 if spec else f"<{field}>"
    return values


@pytest.mark.parametrize("name", sorted(explain.TEMPLATES))
def test_every_template_renders_with_its_fields(name: str) -> None:
    values = _sample(name)
    assert tuple(values) == explain.fields_of(name)
    text = explain.render(name, **values)
    assert text.strip() and "{" not in text and "}" not in text
    for field, value in values.items():
        if isinstance(value, str):
            assert value in text, (name, field)


def test_a_missing_field_is_an_error() -> None:
    with pytest.raises(KeyError):
        explain.render("currently")
    with pytest.raises(KeyError):
        explain.render("no-such-template")


def test_phrases_and_questions_cover_every_field() -> None:
    assert {(name, value) for name, f in FIELDS.items() for value in f.values} == set(explain.PHRASES)
    assert set(explain.QUESTIONS) == set(FIELDS)


def test_the_guard_frame_vocabulary_covers_the_explainers_own_words() -> None:
    vocabulary = frame_vocabulary()
    texts = [explain.literal_text(name) for name in explain.TEMPLATES]
    texts += [*explain.PHRASES.values(), *explain.QUESTIONS.values()]
    missing = {w for text in texts for w in content_words(text)} - vocabulary
    assert not missing


def test_the_llm_frame_pieces_are_the_templates() -> None:
    d = decide(BANK)
    label = explain.option(d.recommendation)
    assert explain.currently(d) == explain.render("currently", option=label)
    assert explain.for_your_project(d) == explain.render("for_your_project", option=label)
    assert explain.for_your_project(decide({})) == ""
    assert explain.changed_from(decide(CHATBOT)) == "That changes my answer: it was a foundation model."
    assert explain.updated({"ml_team": False, "budget": None}) == (
        "Done: I've updated your profile (no in-house ML team)."
    )
    assert explain.TEMPLATES["what_if.pending"] == explain.WHAT_IF_PENDING
    head = explain.why_not_head(d, "foundation")
    assert head.startswith("Why not a foundation model? What holds it back here: ")
    assert d.supporting()[0].reason in head and not any(ch.isdigit() for ch in head)  # reasons, no scores


def test_answers_are_assembled_from_the_templates() -> None:
    d = decide(BANK)
    ctx = Context(decision=d, titles=TITLES, passages=[ref(s) for s in d.sources[:4]], notice="A notice.")
    answer = explain.recommendation(ctx).text
    assert answer.startswith("_A notice._\n\n")
    assert explain.headline(d) in answer
    assert answer.endswith(explain.sources_line(explain.recommendation(ctx).citations))
    w = WhatIf({"ml_team": False}, d, decide(d.profile.with_changes({"ml_team": False})))
    what_if = explain.what_if(Context(decision=d, titles=TITLES, what_if=w)).text
    assert explain.WHAT_IF_PENDING in what_if
    assert explain.reset(ctx).text == f"_A notice._\n\n{explain.TEMPLATES['reset']}"


def test_every_wording_of_a_sentence_has_the_same_fields() -> None:
    for name in explain.TEMPLATES:
        if "~" in name:
            continue
        names = explain.variants(name)
        assert all(set(explain.fields_of(n)) == set(explain.fields_of(name)) for n in names), names
    assert len(explain.variants("headline.undecided")) >= 2


def test_pick_is_deterministic_and_avoids_the_previous_answer() -> None:
    d = decide(BANK)
    ctx = Context(decision=d, titles=TITLES, turn=5)
    assert explain.pick("headline.high", ctx, option="x", facts="y") == explain.render(
        "headline.high", option="x", facts="y"
    )  # nothing said before: the first wording
    for turn in range(6):
        first = explain.render("headline.high", option="x", facts="y")
        later = Context(decision=d, titles=TITLES, turn=turn, previous_answer=f"Earlier. {first}")
        chosen = explain.pick("headline.high", later, option="x", facts="y")
        assert chosen != first and chosen == explain.pick("headline.high", later, option="x", facts="y")
