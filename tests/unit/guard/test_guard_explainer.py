"""Nothing the deterministic explainer writes may ever be flagged (it is the fallback, and the rules' own
words), and the guard stays cheap enough to run on every streamed sentence."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.guard_cases import CHATBOT, TITLES, guard, ref

from assistant import explain
from assistant.engine import decide
from assistant.guard import Evidence, Guard
from assistant.profile import FIELDS
from assistant.types import AnswerContext as Context
from assistant.types import WhatIf


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


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_the_deterministic_explainer_never_fails_the_guard(case: tuple[dict[str, Any], str, Any]) -> None:
    profile, field, value = case
    for text, g in _answers(profile, field, value):
        verdict = g.check(text)
        assert verdict.ok, (profile, text, verdict.findings)


@pytest.mark.slow
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
