"""The guard holds Russian answers to the same rules: nothing the Russian explainer writes is flagged, and a
Russian answer that recommends another option, claims a false fact, cites a passage it was not given or
says something the evidence does not support is caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.guard_cases import BANK, CHATBOT, SEGMENTATION, TITLES, ref

from assistant import explain
from assistant.engine import decide
from assistant.guard import Evidence, Guard
from assistant.guard.russian import russian_reader, stem_ru
from assistant.lexicon.lint import check_russian
from assistant.lexicon.russian_claims import RU_CLAIMS, load_russian_claims, read_russian_claims
from assistant.profile import FIELDS
from assistant.types import AnswerContext as Context
from assistant.types import WhatIf


def _answers(profile: dict[str, Any], field: str, value: Any) -> list[tuple[str, Guard]]:
    """Every Russian deterministic answer for the profile, each with the guard of its turn (as the LLM
    writer builds it: `Evidence.from_context`, which takes the language from the context)."""
    d = decide(profile)
    ctx = Context(
        decision=d,
        titles=TITLES,
        passages=[ref(s) for s in d.sources[:4]],
        question_field=d.missing[0] if d.missing else None,
        lang="ru",
    )
    out = [(i, ctx, explain.answer(i, ctx)) for i in ("recommend", "why", "change_mind", "concept")]
    for target in ("custom", "foundation", "hybrid"):
        c = Context(**{**ctx.__dict__, "target": target})
        out.append(("why_not", c, explain.why_not(c)))
    w = WhatIf({field: value}, d, decide(d.profile.with_changes({field: value})))
    wctx = Context(**{**ctx.__dict__, "what_if": w, "passages": [ref(s) for s in w.after.sources[:4]]})
    out.append(("what_if", wctx, explain.what_if(wctx)))
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
    out.append(("describe", actx, explain.recommendation(actx)))
    result = []
    for intent, c, answer in out:
        shown = list(c.passages) + [ref(x.id) for x in answer.citations]
        evidence = Evidence.from_context(c, shown, intent)
        assert evidence.lang == "ru"
        result.append((answer.text, Guard(evidence)))
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
def test_the_russian_explainer_never_fails_the_guard(case: tuple[dict[str, Any], str, Any]) -> None:
    profile, field, value = case
    for text, g in _answers(profile, field, value):
        verdict = g.check(text)
        assert verdict.ok, (profile, text, verdict.findings)


@pytest.mark.parametrize("profile", [BANK, CHATBOT, SEGMENTATION, {}])
@pytest.mark.parametrize(("field", "value"), [("ml_team", False), ("labeled_data", "none"), ("edge", True)])
def test_russian_answers_for_known_projects_pass(profile: dict[str, Any], field: str, value: Any) -> None:
    for text, g in _answers(profile, field, value):
        assert g.check(text).ok, text


def _guard(profile: dict[str, Any], passages: list[str] | None = None, **kw: Any) -> Guard:
    d = decide(profile)
    ids = passages if passages is not None else list(d.sources[:4])
    ctx = Context(decision=d, titles=TITLES, passages=[ref(i) for i in ids], lang="ru", **kw)
    return Guard(Evidence.from_context(ctx, ctx.passages, "recommend"))


GOOD_BANK = (
    "Данные, которые не должны покидать вашу инфраструктуру, нельзя отправлять в API чужой модели [fm-cons]. "
    "На табличных данных небольшие модели под конкретную задачу обычно обходят фундаментальные модели "
    "[custom-pros]."
)


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("Я рекомендую фундаментальную модель для вашего проекта [custom-pros].", "recommendation"),
        ("Для вашего проекта лучше подойдёт гибрид обоих подходов.", "recommendation"),
        ("Фундаментальная модель — лучший выбор для вас.", "recommendation"),
        ("Не рекомендую собственную модель для вашего проекта.", "recommendation"),
        ("Кастомная модель здесь не подходит.", "recommendation"),
        ("У вас нет своей ML-команды, поэтому небольшие модели обходят фундаментальные.", "profile"),
        ("Ваши данные — изображения, это важно для небольших моделей.", "profile"),
        ("Вам нужна работа в реальном времени, поэтому модель должна быть небольшой.", "profile"),
        (
            "Небольшие модели обычно обходят фундаментальные модели на табличных данных [when-foundation].",
            "citations",
        ),
        ("Небольшие модели обычно обходят фундаментальные модели [https://example.com].", "citations"),
        ("Квантовые компьютеры скоро заменят блокчейн и нейросети в банковской отрасли.", "support"),
    ],
)
def test_russian_answers_that_contradict_the_rules_are_caught(text: str, check: str) -> None:
    g = _guard(BANK)
    assert g.check(GOOD_BANK).ok
    assert check in g.check(text).failed(), g.check(text).findings


def test_a_conditional_and_a_contrast_are_not_endorsements() -> None:
    g = _guard(BANK)
    assert g.check("Рекомендую собственную модель, а не фундаментальную модель [custom-pros].").ok
    assert g.check("Вместо фундаментальной модели стоит взять собственную модель [custom-pros].").ok
    # the rules say labels would change it to the hybrid: a conditional may say so
    assert g.check("Если бы у вас не было размеченных данных, рекомендация сменилась бы на гибрид.").ok


def test_the_stance_and_claim_examples_are_read_as_they_say() -> None:
    data = load_russian_claims()
    reader = russian_reader()
    assert data.stances and data.claims
    assert check_russian(data.claims, data.stances, reader, reader) == []
    assert [s.positive for s in reader.stances("Я не рекомендую фундаментальную модель.")] == [False]
    assert reader.claims("У вас нет ML-команды.")[0][:3] == ("ml_team", False, True)
    assert stem_ru("моделью") == stem_ru("модели") == stem_ru("модель") == stem_ru("моделей")
    assert stem_ru("данных") == stem_ru("данные")


def test_a_broken_russian_vocabulary_is_reported_with_file_and_line(tmp_path: Path) -> None:
    text = RU_CLAIMS.read_text(encoding="utf-8")
    text = text.replace(
        '  - "Рекомендую фундаментальную модель. => +foundation"', '  - "Рекомендую гибрид. => +custom"'
    )
    text = text.replace("      полн\\w* контрол\\w*", "      полн\\w* контрол(\\w*")
    text = text.replace("  hybrid_parts: |", "  hybrid_bits: |")
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    found, problems = read_russian_claims(path)
    said = [str(p) for p in problems]
    lines = text.splitlines()
    assert any(f"{path}:" in s and "hybrid_bits" in s for s in said), said
    assert any("hybrid_parts" in s and "needs at least one pattern" in s for s in said), said
    compiled = [str(p) for p in check_russian(found.claims, (), None, None)]
    assert any(f"{path}:" in s and "ru-claim-control-yes" in s for s in compiled), compiled
    stance_line = next(i for i, t in enumerate(lines, 1) if "Рекомендую гибрид. => +custom" in t)
    good, _ = read_russian_claims()
    reader = russian_reader()
    wrong = check_russian((), [s for s in found.stances if "гибрид. =>" not in s.text], reader, reader)
    assert wrong and f"{path}:{stance_line}:" in str(wrong[0]) and "read as +hybrid" in str(wrong[0])
    assert good.stances
