"""Off-topic work and world questions, and prompting an existing model as the alternative
(assistant/understand/intents.py: `_world_question`, the why_not_prompting set), in both languages."""

import pytest

from assistant.understand import understand


@pytest.mark.parametrize(
    "text",
    [
        "help me write a birthday greeting",
        "write a python parser for this CSV",
        "write a function that reverses a string",
        "why is the sky blue?",
        "why do cats purr?",
        "помоги составить поздравление",
        "почини мне регулярку для телефонных номеров на питоне",
        "напиши парсер на питоне",
        "почему небо голубое",
    ],
)
def test_unrelated_work_and_world_questions_are_off_topic(text):
    assert understand(text).intent == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we want a model that writes product descriptions", "describe"),
        ("we want to write a parser for scanned invoices with ML", "describe"),
        ("our app translates support tickets", "describe"),
        ("what is RAG?", "concept"),
        ("can you help me decide?", "recommend"),
        ("why is the score lower now?", "why"),
        ("why does that matter?", "why"),
        ("why do we need labels?", "why"),
        ("мы хотим модель, которая пишет описания товаров", "describe"),
    ],
)
def test_project_talk_with_the_same_words_stays_on_topic(text, expected):
    assert understand(text).intent == expected


@pytest.mark.parametrize(
    "text",
    [
        "couldn't we get by with prompts?",
        "why train anything if ChatGPT exists?",
        "зачем обучать, если есть ChatGPT",
        "а промптами никак не обойтись?",
    ],
)
def test_prompting_an_existing_model_is_why_not_foundation(text):
    turn = understand(text)
    assert (turn.intent, turn.target) == ("why_not", "foundation")


def test_prompting_stated_as_a_fact_is_no_question():
    assert understand("we get by with prompts today").intent != "why_not"
