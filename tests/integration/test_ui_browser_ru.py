"""The web app in Russian, in a real browser: the language control turns the labels, buttons, panel
headings, form and placeholders Russian, and the choice survives a form edit and a reload. (The Russian
conversation end to end, with screenshots, comes with the Russian explainer: `screenshot.main_ru`.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_ui_browser import (  # noqa: F401  (the fixtures, shared)
    LAPTOP,
    after_turn,
    app_url,
    browser,
    field_value,
    open_page,
    shot,
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


def expect_russian(page: Page) -> None:
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
    expect(page.locator("#mc-lang input[value='ru']")).to_be_checked()


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
