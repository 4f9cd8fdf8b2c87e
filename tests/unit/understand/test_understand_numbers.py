"""Quantities and request rates (assistant/understand/numbers.py).

The utterances are the developers' own (see support.understand_cases).
"""

import pytest
from support.understand_cases import fields

from assistant.understand import quantities, requests_per_day


@pytest.mark.parametrize(
    ("text", "per_day"),
    [
        ("2 million requests a day", 2e6),
        ("2M/day", 2e6),
        ("50 requests per second", 4_320_000),
        ("1.5 million calls a month", 50_000),
        ("about 5k queries a day", 5_000),
        ("10,000 requests daily", 1e4),
        ("half a million hits a day", 5e5),
        ("a couple hundred requests a day", 200),
        ("3 req/s", 259_200),
        ("120 requests an hour", 2_880),
        ("7,000 calls per week", 1_000),
        ("9999 requests per day", 9999),
    ],
)
def test_request_rates(text, per_day):
    assert requests_per_day(text.lower()) == pytest.approx(per_day)


@pytest.mark.parametrize(
    "text",
    [
        "we have 2 million images",
        "30 fps",
        "a team of 5",
        "under 30 ms",
        "$500 a month on GPUs",
        "3 times a week",
        "we label 200 examples a day",
        "thousands of hours of footage",
        "24/7 operation",
    ],
)
def test_not_request_rates(text):
    assert requests_per_day(text.lower()) is None


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("9,999 requests a day", "low"),
        ("10,000 requests a day", "medium"),
        ("999,999 requests a day", "medium"),
        ("1,000,000 requests a day", "high"),
    ],
)
def test_volume_thresholds(text, level):
    assert fields(text) == {"volume": level}


def test_quantity_words():
    values = [q[0] for q in quantities("a few hundred users, tens of thousands of rows, 2.5k calls, a dozen")]
    assert values == [300, 30_000, 2_500, 12]
