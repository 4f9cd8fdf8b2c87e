"""The guard's text utilities, as documented for reuse (BM25 may share `tokenize`, `stem`, `STOPWORDS`)."""

from __future__ import annotations

import pytest

from assistant.guard import STOPWORDS, clauses, content_words, normalize, stem, tokenize, words


def test_normalize_lowers_straightens_and_expands() -> None:
    assert normalize("It\u2019s **not** what we\u2019d do \u2014 we can\u2019t; it won\u2019t work") == (
        "it's not what we would do  -  we can not; it will not work"
    )


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("labelled", "label"),
        ("labeled", "label"),
        ("labels", "label"),
        ("modelling", "model"),
        ("models", "model"),
        ("costly", "cost"),
        ("costs", "cost"),
        ("policies", "policy"),
        ("classes", "class"),
        ("makes", "make"),
        ("planned", "plan"),
        ("pass", "pass"),
        ("api", "api"),
        ("gpus", "gpu"),
    ],
)
def test_stem_is_a_light_suffix_stripper(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_tokenize_drops_stop_words_and_single_characters_and_stems_the_rest() -> None:
    text = "We have plenty of labelled data_type rows, and it's 2 GPUs in café."
    assert words(text) == [
        "we", "have", "plenty", "of", "labelled", "data", "type", "rows", "and", "it", "s", "2", "gpus", "in",
        "caf",
    ]  # fmt: skip
    assert tokenize(text) == ["plenty", "label", "data", "type", "row", "gpu", "caf"]
    assert content_words(text) == tokenize(text)
    assert tokenize(text, stopwords=()) == [
        "we", "have", "plenty", "of", "label", "data", "type", "row", "and", "it", "gpu", "in", "caf",
    ]  # fmt: skip
    assert {"recommend", "option", "project", "the"} <= STOPWORDS


def test_clauses_split_at_contrasts() -> None:
    assert clauses(normalize("A custom model fits; a foundation model is quick, but it costs more")) == [
        "a custom model fits",
        " a foundation model is quick",
        " it costs more",
    ]
