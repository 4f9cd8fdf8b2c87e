"""Issue 13's answer measures hold for the deterministic explainer, offline, on whole conversations: no raw
scores or rule ids in prose, the first sentence answers the question asked, no recommendation while too
little is known, the prior only when nothing else fired, little repetition between consecutive answers;
and every counterfactual sentence reads in the direction the rules push."""

from __future__ import annotations

import random

import pytest
from assistant.evals.checks import (
    AnswerMeasures,
    addresses_intent,
    first_sentence,
    leaks_internals,
    misuses_prior,
    recommends_too_early,
    repeated_sentences,
)
from support.guard_cases import BANK, CHATBOT, TITLES, ref

from assistant import explain
from assistant.engine import MIN_KNOWN_FACTS, decide, default_rules
from assistant.profile import FIELDS
from assistant.session import Session
from assistant.types import AnswerContext as Context
from assistant.types import Option, WhatIf

RULE_IDS = {r.id for r in default_rules()}
CONVERSATION = [
    "quick internal HR chatbot prototype, no ML engineers, OpenAI API is fine",
    "Wouldn't an off-the-shelf LLM be easier?",
    "why not a custom model?",
    "what if our data were strictly confidential and could not leave our servers?",
    "keep the original",
    "what if we had to handle 2 million requests a day?",
    "what are the hybrid patterns?",
    "why?",
    "what would change your mind?",
]


@pytest.fixture
def replies(memory_conversation):
    session = Session()
    out = []
    for text in CONVERSATION:
        previous = session.history[-1]["answer"] if session.history else ""
        out.append((memory_conversation.respond(session, text), previous))
    return out


def test_a_conversation_meets_every_measure(replies) -> None:
    measures = AnswerMeasures()
    for reply, previous in replies:
        measures.add(reply, previous, RULE_IDS, conversation=True)
    figures = measures.metrics()
    assert figures["answers_leaking_internals"] == 0, measures.leaking
    assert figures["answers_off_intent"] == 0, measures.off_intent
    assert figures["default_prior_misused"] == 0, measures.prior_misused
    assert figures["recommendations_too_early"] == 0, measures.too_early
    assert figures["repeated_sentence_rate"] <= 0.10
    assert 30 <= figures["answer_words_median"] <= 150


def test_each_intent_opens_with_its_own_answer(replies) -> None:
    by_text = {reply.turn.text: reply for reply, _ in replies}
    easier = by_text["Wouldn't an off-the-shelf LLM be easier?"]
    assert easier.turn.intent == "why_not" and first_sentence(easier.answer).startswith("Yes:")
    why_not = by_text["why not a custom model?"]
    assert first_sentence(why_not.answer) == "Why not a custom model?"
    changes = by_text[CONVERSATION[3]]
    assert first_sentence(changes.answer).endswith(
        "that would change it from a foundation model to **a custom model**."
    )
    stays = by_text[CONVERSATION[5]]
    assert ", it would still be **a foundation model**, because " in first_sentence(stays.answer)
    concept = by_text["what are the hybrid patterns?"]
    assert first_sentence(concept.answer).startswith("**Hybrid approaches overview**")
    assert concept.answer.count("\n- ") == 4  # the four patterns, as a list
    for reply, _ in replies:
        assert addresses_intent(reply)[0], reply.answer


def test_a_vague_opener_gets_a_lean_and_two_questions(memory_conversation) -> None:
    session = Session()
    reply = memory_conversation.respond(session, "We need to classify support tickets.")
    assert reply.decision.undecided
    assert "**Lean so far: a custom model.**" in reply.answer
    assert "One question that could change the answer" in reply.answer
    assert "It would also help to know" in reply.answer
    assert not recommends_too_early(reply)
    assert session.asked_field == explain.decisive_fields(reply.decision)[0]


def test_the_checks_catch_what_they_should() -> None:
    assert leaks_internals("It scores 1 against 3 for a foundation model.", RULE_IDS)
    assert leaks_internals("Confidence 0% for now.", RULE_IDS)
    assert leaks_internals("Rule strict-privacy fired.", RULE_IDS) == ["strict-privacy"]
    assert not leaks_internals("Sources: Strengths of custom models [custom-pros].", RULE_IDS)
    assert repeated_sentences(
        "One two three four. Five six seven eight.", "One two three four. New words here now."
    ) == (
        1,
        2,
    )


def test_the_prior_and_the_lean_are_said_only_when_they_should_be() -> None:
    lone = decide({"stage": "production", "budget": "high"})  # only the prior favors custom
    ctx = Context(decision=lone, titles=TITLES, passages=[ref("when-custom")])
    text = explain.recommendation(ctx).text
    prior = next(r.reason for r in lone.fired_rules if r.is_prior)
    assert (prior in text) == all(r.is_prior for r in lone.fired_rules)
    empty = decide({})
    assert empty.undecided and len(empty.profile) < MIN_KNOWN_FACTS
    answer = explain.recommendation(Context(decision=empty, titles=TITLES)).text
    assert prior in answer and "Lean so far" in answer and "My recommendation" not in answer


def _contexts(rng: random.Random) -> Context:
    names = rng.sample(list(FIELDS), rng.randint(0, len(FIELDS)))
    d = decide({n: rng.choice(FIELDS[n].values) for n in names})
    return Context(decision=d, titles=TITLES, passages=[ref(s) for s in d.sources[:3]])


@pytest.mark.slow
def test_no_answer_prints_scores_rule_ids_or_a_recommendation_too_early() -> None:
    rng = random.Random(13)
    for _ in range(400):
        ctx = _contexts(rng)
        d = ctx.decision
        target = rng.choice(list(Option))
        for answer in (
            explain.recommendation(ctx),
            explain.why(ctx),
            explain.change_mind(ctx),
            explain.why_not(Context(**{**ctx.__dict__, "target": target})),
        ):
            assert not leaks_internals(answer.text, RULE_IDS), answer.text
            fake = type("R", (), {"answer": answer.text, "decision": d, "what_if": None})()
            assert not recommends_too_early(fake), answer.text  # type: ignore[arg-type]
            assert not misuses_prior(fake), answer.text  # type: ignore[arg-type]


def test_counterfactual_sentences_read_in_the_direction_the_rules_push() -> None:
    """A "with X, it would be Y" clause only where a rule that starts with X favors Y (or rules today's
    answer out); otherwise the clause says what today's answer rests on."""
    rng = random.Random(7)
    rules = {r.id: r for r in default_rules()}
    seen_release = 0
    for _ in range(300):
        names = rng.sample(list(FIELDS), rng.randint(1, len(FIELDS)))
        d = decide({n: rng.choice(FIELDS[n].values) for n in names})
        for cf in d.counterfactuals:
            clause = explain.counterfactual_clause(cf, d)
            after = decide(d.profile.with_changes({cf.field: cf.value}), counterfactuals=False)
            started = {r.id for r in after.fired_rules} - {r.id for r in d.fired_rules}
            pushing = {
                i
                for i in started
                if rules[i].favor == cf.recommendation or rules[i].exclude == d.recommendation
            }
            if clause.startswith("with "):
                assert pushing or cf.current is None, (d.profile, cf, clause)
                assert explain.phrase(cf.field, cf.value) in clause
            else:
                seen_release += 1
                assert not pushing and cf.current is not None
                stopped = {r.id for r in d.fired_rules} - {r.id for r in after.fired_rules}
                assert any(rules[i].favor == d.recommendation for i in stopped), (d.profile, cf)
                assert clause.startswith(f"it rests on {explain.phrase(cf.field, cf.current)}: without that")
    assert seen_release  # the backwards-reading case exists and is worded the other way


def test_counterfactuals_are_ordered_by_relevance() -> None:
    d = decide(CHATBOT)
    ranked = explain.ranked_counterfactuals(d)
    tiers = [explain.relevance(cf)[0] for cf in ranked]
    assert tiers == sorted(tiers)
    assert all(cf.current is None for cf in ranked[: tiers.count(0)])
    bank = decide(BANK)
    nature = [cf for cf in explain.ranked_counterfactuals(bank) if cf.field in ("data_type", "task")]
    others = [cf for cf in explain.ranked_counterfactuals(bank) if cf.pushes and cf.current is not None]
    if nature and others:
        order = explain.ranked_counterfactuals(bank)
        assert max(order.index(c) for c in others if c.field not in ("data_type", "task")) < min(
            order.index(c) for c in nature if c.pushes
        )


def test_consecutive_answers_vary_their_wording_deterministically() -> None:
    d = decide(BANK)
    w = WhatIf({"volume": "high"}, d, decide(d.profile.with_changes({"volume": "high"})))
    first = explain.what_if(Context(decision=d, titles=TITLES, what_if=w, turn=2)).text
    again = explain.what_if(Context(decision=d, titles=TITLES, what_if=w, turn=2)).text
    assert first == again  # same input, same answer
    second = explain.what_if(
        Context(decision=d, titles=TITLES, what_if=w, turn=3, previous_answer=first)
    ).text
    assert explain.WHAT_IF_PENDING in first and explain.WHAT_IF_PENDING not in second
