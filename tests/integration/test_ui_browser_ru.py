"""The web app in Russian, in a real browser: the language control turns the labels, buttons, panel
headings, form and placeholders Russian, and the choice survives a form edit and a reload; and a new user
who simply writes Russian (the control left on Auto) goes through the bank credit-scoring case, a typed
what-if, adopt (typed, then with a what-if button and the adopt button) and the record's export, all in
Russian. Screenshots of each step of that conversation go to test-artifacts/ui-ru-*.png (CI keeps the
folder); the README's Russian screenshots come from `screenshot.main_ru`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_ui_browser import (  # noqa: F401  (the fixtures, shared)
    LAPTOP,
    ROOT,
    after_turn,
    app_url,
    bot_messages,
    browser,
    card,
    field_value,
    open_page,
    send,
    shot,
    streaming_url,
    ui_settings,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword is deprecated)")

from playwright.sync_api import Browser, Page, expect  # noqa: E402


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:  # noqa: F811
    page, outside = open_page(browser, app_url, LAPTOP)
    yield page
    page.context.close()
    assert outside == [], f"requests left the machine: {outside}"


def expect_russian(page: Page, setting: str = "ru") -> None:
    expect(page.locator("#mc-send")).to_have_text("Отправить")
    expect(page.locator("#mc-new")).to_have_text("Новый разговор")
    expect(page.locator("#mc-export")).to_have_text("Скачать протокол решения (.md)")
    expect(page.locator("#mc-input textarea")).to_have_attribute(
        "placeholder", "Опишите свой проект или задайте вопрос"
    )
    expect(page.locator("#mc-why-box")).to_contain_text("Почему")
    expect(page.locator("#mc-profile")).to_contain_text("Профиль проекта")
    expect(page.locator("#mc-field-data_type")).to_contain_text("Тип данных")
    expect(page.locator("#mc-card .mc-kicker")).to_have_text("Рекомендация")
    expect(page.locator("#mc-footer")).to_contain_text("Советы пересказаны")
    expect(page.locator(f"#mc-lang input[value='{setting}']")).to_be_checked()


def test_russian_labels_and_the_choice_survives_an_edit_and_a_reload(page: Page) -> None:
    expect(page.locator("#mc-send")).to_have_text("Send")
    page.locator("#mc-lang label", has_text="Русский").click()
    expect_russian(page)
    expect(page.locator("#mc-chat")).to_contain_text("Кредитный скоринг в банке")  # the examples
    shot(page, "ru-01-language")

    page.locator("#mc-field-volume input").click()
    page.get_by_role("option", name="низкий", exact=True).click()
    after_turn(page, 1)
    assert field_value(page, "volume") == "низкий"
    expect(page.locator("#mc-field-volume")).to_contain_text("задано здесь")
    expect_russian(page)

    page.reload()
    after_turn(page, 1)
    expect_russian(page)
    shot(page, "ru-02-reloaded")

    page.locator("#mc-lang label", has_text="English").click()
    expect(page.locator("#mc-send")).to_have_text("Send")
    expect(page.locator("#mc-field-data_type")).to_contain_text("Data type")


# --- a Russian conversation, the language left on Auto ------------------------------------------------------
ARTIFACTS = ROOT / "test-artifacts"
BANK_RU = (
    "Мы банк. Хотим сделать скоринг заёмщиков по истории их транзакций, она у нас хранится в таблицах. "
    "Клиентские данные не могут покидать наш дата-центр, и у нас есть своя data science команда."
)
WHAT_IF_RU = "А если бы у нас не было своей ML-команды?"
ADOPT_RU = "Да, принимаем"
RECORD_HEADINGS_RU = (
    "## Профиль проекта",
    "## Доводы",
    "## Контраргументы",
    "## Что могло бы изменить решение",
    "## Источники",
)
_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)|https?://\S+")


def cyrillic_share(text: str) -> float:
    """The share of Cyrillic among the letters of `text`, Markdown links and URLs left out."""
    letters = [ch for ch in _LINK.sub(" ", text) if ch.isalpha()]
    return sum("\u0400" <= ch <= "\u04ff" for ch in letters) / max(1, len(letters))


def ru_shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-ru-{name}.png"), full_page=True)


def answered(page: Page, turns: int) -> str:
    """The last answer once the turn is over (streamed in full: the panel comes with its last update)."""
    after_turn(page, turns)
    text = bot_messages(page).last.inner_text()
    assert "Источники:" in text, text  # the answer's last line, so it is all there
    return text


def form(page: Page) -> dict[str, str]:
    from assistant.ui.page import FIELD_NAMES

    return {name: field_value(page, name) for name in FIELD_NAMES}


def test_a_new_user_writing_russian_goes_through_the_bank_case_in_russian(
    browser: Browser,  # noqa: F811
    streaming_url: str,  # noqa: F811
) -> None:
    from assistant.ui import whatif
    from assistant.ui.render import choices, words

    from assistant import Profile, decide, wording

    page, outside = open_page(browser, streaming_url, LAPTOP)
    expect(page.locator("#mc-send")).to_have_text("Send")  # a new user: the page starts in English
    expect(page.locator("#mc-lang input[value='auto']")).to_be_checked()

    # 1. The bank case, written in Russian: a Russian answer for a custom model, and the page turns Russian.
    send(page, BANK_RU)
    answer = answered(page, 1)
    assert cyrillic_share(answer) > 0.8, answer
    assert re.search(r"собственн|кастомн", answer, re.IGNORECASE), answer
    expect(card(page)).to_have_attribute("data-recommendation", "custom")
    expect_russian(page, setting="auto")  # switched by what the user wrote, the control still on Auto
    expect(card(page).locator(".mc-option")).to_have_text(wording.option_title("custom", "ru"))
    expect(page.locator("#mc-field-ml_team input")).to_have_value("есть")
    expect(page.locator("#mc-field-ml_team")).to_contain_text("из чата")
    expect(page.locator("#mc-field-privacy input")).to_have_value("строгая")
    for panel in ("#mc-card", "#mc-why", "#mc-change"):
        assert cyrillic_share(page.locator(panel).inner_text()) > 0.8, panel
    ru_shot(page, "01-bank")

    # 2. A typed what-if: answered in Russian, compared in the panel; the saved profile and card stay.
    before = card(page).inner_text(), form(page)
    send(page, WHAT_IF_RU)
    answer = answered(page, 2)
    assert cyrillic_share(answer) > 0.8, answer
    assert "нет своей ML-команды" in answer and "прежн" in answer, answer  # the recommendation would stay
    comparison = page.locator("#mc-whatif .mc-whatif")
    expect(comparison).to_be_visible()
    expect(comparison).to_have_attribute("data-before", "custom")
    expect(comparison).to_have_attribute("data-after", "custom")
    expect(comparison).to_contain_text(words("ru")("whatif.keeps"))
    expect(page.locator("#mc-adopt")).to_have_text(words("ru")("adopt"))
    assert (card(page).inner_text(), form(page)) == before  # a what-if leaves the card and the form alone
    expect(card(page)).to_have_attribute("data-turns", "2")
    ru_shot(page, "02-what-if")

    # 3. Adopted in words: the profile takes the change, the card shows the new result, in Russian.
    confidence = card(page).get_attribute("data-confidence")
    send(page, ADOPT_RU)
    answer = answered(page, 3)
    assert cyrillic_share(answer) > 0.8, answer
    assert "профиль обновлён" in answer, answer
    expect(comparison).to_have_count(0)
    expect(page.locator("#mc-field-ml_team input")).to_have_value("нет")
    expect(card(page)).to_have_attribute("data-recommendation", "custom")
    assert card(page).get_attribute("data-confidence") != confidence  # no team: a less certain custom model
    assert cyrillic_share(card(page).inner_text()) > 0.8
    expect_russian(page, setting="auto")
    ru_shot(page, "03-adopted")

    # 3b. A what-if button (worded in Russian, as the user would ask), adopted with the adopt button.
    profile = Profile(
        {
            "data_type": "tabular",
            "task": "narrow",
            "ml_team": False,
            "privacy": "strict",
            "external_api_ok": False,
        }
    )
    first = whatif.offered(decide(profile), set(profile))[0]
    button = page.locator("#mc-cf-0")
    expect(button).to_have_text(whatif.label(first, "ru"))
    assert button.inner_text().startswith("А если"), button.inner_text()
    button.click()
    answer = answered(page, 4)
    assert cyrillic_share(answer) > 0.8, answer
    expect(page.locator("#mc-chat")).to_contain_text(whatif.question({first.field: first.value}, "ru"))
    expect(comparison).to_have_attribute("data-after", first.recommendation)
    assert cyrillic_share(comparison.inner_text()) > 0.8, comparison.inner_text()
    ru_shot(page, "04-what-if-button")
    page.locator("#mc-adopt").click()
    answer = answered(page, 5)
    assert cyrillic_share(answer) > 0.8, answer
    expect(card(page)).to_have_attribute("data-recommendation", first.recommendation)
    expect(card(page).locator(".mc-option")).to_have_text(wording.option_title(first.recommendation, "ru"))
    label = dict((v, t) for t, v in choices(first.field, "ru"))[str(first.value).lower()]
    expect(page.locator(f"#mc-field-{first.field} input")).to_have_value(label)
    assert cyrillic_share(card(page).inner_text()) > 0.8
    ru_shot(page, "05-adopted-button")

    # 4. The decision record, exported: in Russian.
    with page.expect_download() as download_info:
        page.locator("#mc-export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    record = Path(download.path()).read_text(encoding="utf-8")
    (ARTIFACTS / "ui-ru-record.md").write_text(record, encoding="utf-8")
    assert record.startswith("# Протокол решения"), record[:200]
    for heading in RECORD_HEADINGS_RU:
        assert heading in record, heading
    assert f"**{wording.option_title(first.recommendation, 'ru').lower()}**" in record.lower()
    assert "| ML-команда | нет |" in record
    assert "](knowledge/ru/" in record  # the cited passages are the Russian ones
    assert cyrillic_share(record) > 0.8, cyrillic_share(record)
    page.locator("#mc-sources-box").get_by_text(words("ru")("panel.sources")).click()
    expect(page.locator("#mc-sources li").first).to_be_visible()
    assert cyrillic_share(page.locator("#mc-sources").inner_text()) > 0.8  # the Russian passages
    ru_shot(page, "06-exported")
    page.context.close()
    assert outside == [], f"requests left the machine: {outside}"
