"""The repetition check and streaming: loops, repeats and stuttering fail; a stream is judged sentence by
sentence, so a violation is reported as soon as its sentence completes."""

from __future__ import annotations

from support.guard_cases import BANK, CHATBOT, failed, guard

from assistant.guard import StreamCheck, sentences


def test_runaway_repetition_fails() -> None:
    g = guard(CHATBOT)
    reason = "A foundation model gets you working results without a dataset or a training pipeline."
    assert "repetition" in failed(g, f"{reason} {reason}")
    loop = "the foundation model is good for your prototype and " * 4
    assert "repetition" in failed(g, loop + ".")
    assert "repetition" in failed(g, "A foundation model model model model model works.")
    assert "repetition" in failed(g, "A foundation model works " + "very " * 3 + "well, " * 300 + ".")


def test_a_looping_unfinished_sentence_is_caught_while_streaming() -> None:
    check = StreamCheck(guard(CHATBOT))
    text = "A foundation model gets you working results"
    for _ in range(40):
        text += " and working results and working results"
        if check.feed(text):
            break
    assert "repetition" in {f.check for f in check.findings}
    assert len(text) < 1000  # caught long before the character cap


# ------------------------------------------------------------------------------------ streaming behaviour


def test_stream_check_reports_a_violation_as_soon_as_its_sentence_completes() -> None:
    g = guard(BANK)
    body = (
        "A custom model fits tabular data well. A foundation model is the best choice. "
        "Your data must stay on your own infrastructure."
    )
    check = StreamCheck(g)
    found_at = None
    for end in range(1, len(body) + 1):
        if check.feed(body[:end]):
            found_at = end
            break
    assert found_at is not None and body[:found_at].endswith("best choice. Y")
    whole = g.check(body)
    assert [f.check for f in whole.findings] == ["recommendation"]


def test_sentences_keep_citations_and_split_lists() -> None:
    assert sentences("First one. [when-custom] Second one.\n- item\n1. other") == [
        "First one [when-custom].",
        "Second one.",
        "item",
        "other",
    ]
