"""The guard holds Russian answers to the same rules: nothing the Russian explainer writes is flagged, and a
Russian answer that recommends another option, claims a false fact, cites a passage it was not given or
says something the evidence does not support is caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.guard_cases import BANK, CHATBOT, SEGMENTATION, TITLES, explainer_answers, ref

from assistant.engine import decide
from assistant.guard import Evidence, Guard
from assistant.guard.russian import russian_reader, stem_ru
from assistant.lexicon.lint import check_russian
from assistant.lexicon.russian_claims import RU_CLAIMS, load_russian_claims, read_russian_claims
from assistant.types import AnswerContext as Context


@pytest.mark.parametrize("profile", [BANK, CHATBOT, SEGMENTATION, {}])
@pytest.mark.parametrize(("field", "value"), [("ml_team", False), ("labeled_data", "none"), ("edge", True)])
def test_russian_answers_for_known_projects_pass(profile: dict[str, Any], field: str, value: Any) -> None:
    for text, g in explainer_answers(profile, field, value, "ru"):
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
