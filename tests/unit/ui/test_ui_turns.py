"""The page's events as plain functions: one event per turn, nothing kept between events, clear limits.

No Gradio here: the events are called directly with what the browser would send (the conversation copy).
"""

import subprocess
import sys
from collections.abc import Iterator

import pytest
from assistant.ui import page, render, state, whatif
from assistant.ui.turns import SKIP, Turns

from assistant import Conversation, MemoryRetriever, ModelchoiceError, Reply, decide
from assistant.conversation import MAX_INPUT_CHARS

BANK = (
    "We are a bank scoring credit applications from tabular customer data. The data must stay on our own "
    "infrastructure and we can't use third-party APIs. We have a data science team."
)
SEGMENTATION = "Segmentation of product photos in production, no labelled data at all, we have an ML team."
IMAGES = "We classify product images."  # few facts: several unknown fields would change the answer
WIDTH = 3 + len(page.PANEL_KEYS) + len(page.CHROME_KEYS)  # box, chat, panel, words around it, copy
SORRY = render.words("en")("error.sorry")


@pytest.fixture(scope="module")
def turns(memory_conversation):
    return Turns(memory_conversation, memory_conversation.sections)


def last(outputs: Iterator[list[object]]) -> list[object]:
    *_, final = outputs
    return final


def panel(outputs: list[object]) -> dict[str, object]:
    values = outputs[2 : 2 + len(page.PANEL_KEYS)]
    return dict(zip(page.PANEL_KEYS, values, strict=True))


def value(item: object) -> object:
    return item["value"] if isinstance(item, dict) and item.get("__type__") == "update" else item


def test_the_ui_logic_imports_no_gradio():
    code = (
        "import sys, assistant.ui.turns, assistant.ui.cluster, assistant.ui.limits, assistant.ui.state;"
        "assert 'gradio' not in sys.modules, 'gradio imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_turn_returns_the_answer_the_panel_and_the_new_copy_at_once(turns):
    outputs = last(turns.chat(BANK, None))
    assert len(outputs) == WIDTH
    box, chat, *_, copy = outputs
    assert box == ""  # the input box is cleared
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert chat[0]["content"][0]["text"] == BANK
    shown = panel(outputs)
    assert 'data-recommendation="custom"' in shown["card"] and 'data-turns="1"' in shown["card"]
    assert value(shown["privacy"]) == "strict"
    assert state.load(copy).session.profile["privacy"] == "strict"
    assert "<li" in shown["sources"]  # the sections the answer cited


def test_the_next_turn_continues_from_the_copy_alone(turns, memory_conversation):
    first = last(turns.chat(BANK, None))
    other = Turns(memory_conversation, memory_conversation.sections)  # think: another app process
    second = last(other.chat("why?", first[-1]))
    assert [m["role"] for m in second[1]] == ["user", "assistant", "user", "assistant"]
    assert state.load(second[-1]).session.profile == state.load(first[-1]).session.profile
    assert 'data-turns="2"' in panel(second)["card"]


def test_an_empty_message_changes_nothing(turns):
    assert last(turns.chat("   ", None)) == [SKIP] * WIDTH


def test_a_message_over_the_limit_is_refused_with_the_limit(turns):
    with pytest.raises(ModelchoiceError, match=f"limit is {MAX_INPUT_CHARS:,}"):
        last(turns.chat("x" * (MAX_INPUT_CHARS + 1), None))
    with pytest.raises(ModelchoiceError, match="text"):
        last(turns.chat(["not", "text"], None))


def test_what_if_buttons_stand_for_the_offers_of_the_copy(turns):
    copy = last(turns.chat(IMAGES, None))[-1]
    visit = state.load(copy)
    first = whatif.offered(decide(visit.session.profile), whatif.stated(visit.session))[0]
    outputs = last(turns.what_if(0, copy))
    assert len(outputs) == WIDTH
    assert outputs[1][-2]["content"][0]["text"] == whatif.question({first.field: first.value})
    after = state.load(outputs[-1]).session
    assert after.profile == visit.session.profile and after.pending is not None  # nothing adopted yet
    assert f'data-after="{first.recommendation}"' in panel(outputs)["comparison"]
    adopted = last(turns.settle("adopt", outputs[-1]))
    assert adopted[1][-2]["content"][0]["text"] == "Let's go with that."
    assert state.load(adopted[-1]).session.profile[first.field] == first.value
    assert panel(adopted)["comparison"] == ""
    assert last(turns.what_if(page.CHOICES + 1, copy)) == [SKIP] * WIDTH


def test_a_form_edit_applies_at_once_and_notes_it(turns):
    copy = last(turns.chat(SEGMENTATION, None))[-1]
    outputs = turns.set_field("volume", "low", copy)
    shown = panel(outputs)
    assert shown["volume"]["value"] == "low" and shown["volume"]["info"] == "set here"  # type: ignore[index]
    assert outputs[1][-1]["content"][0]["text"].startswith("_Form updated")
    again = turns.set_field("volume", "low", outputs[-1])  # Gradio may fire `input` twice
    assert again == [SKIP] * WIDTH
    with pytest.raises(ModelchoiceError):
        turns.set_field("volume", "enormous", copy)


def test_a_property_is_sent_only_when_it_changes(turns):
    outputs = last(turns.chat(IMAGES, None))
    buttons = [panel(outputs)[f"cf{i}"] for i in range(page.CHOICES)]
    assert any(isinstance(b, dict) and b.get("visible") for b in buttons)  # buttons appear: updates
    follow = last(turns.chat("why?", outputs[-1]))
    assert all(isinstance(panel(follow)[f"cf{i}"], str) for i in range(page.CHOICES))  # then plain values
    assert isinstance(panel(follow)["data_type"], str)


def test_a_reload_shows_the_kept_conversation_on_a_fresh_page(turns):
    copy = last(turns.chat(BANK, None))[-1]
    outputs = turns.load(copy)
    assert len(outputs[1]) == 2
    privacy = panel(outputs)["privacy"]
    assert privacy["value"] == "strict" and privacy["info"] == "from the chat"  # type: ignore[index]


def test_new_conversation_clears_the_session(turns):
    copy = last(turns.chat(BANK, None))[-1]
    outputs = turns.new(copy)
    assert outputs[1] == []
    assert state.load(outputs[-1]).session.facts == {}
    assert value(panel(outputs)["privacy"]) == "unknown"


def test_the_record_is_built_when_asked_for(turns):
    copy = last(turns.chat(BANK, None))[-1]
    record = turns.export(copy)
    assert record.startswith("# Decision record") and "| Privacy | strict | stated in chat" in record


class StreamingWriter:
    def write(self, reply, ctx, question):
        yield reply.answer[:10]
        yield reply.answer[:20]
        yield reply


class BrokenWriter:
    def write(self, reply, ctx, question):
        yield "half an answer"
        raise RuntimeError("the backend fell over")


def _streaming(app_settings, writer) -> Turns:
    conversation = Conversation(
        app_settings, retriever=MemoryRetriever(app_settings.knowledge_dirs), writer=writer
    )
    return Turns(conversation, conversation.sections)


def test_a_streamed_answer_shows_the_line_then_grows_and_the_panel_comes_last(app_settings):
    turns = _streaming(app_settings, StreamingWriter())
    frames = list(turns.chat(BANK, None))
    assert len(frames) >= 3
    first, *middle, final = frames
    assert [m["role"] for m in first[1]] == ["user"] and first[-1] is None  # the copy is not changed yet
    assert all(frame[-1] is None for frame in middle)
    assert 'data-turns="1"' in panel(final)["card"] and state.load(final[-1]).session.history


def test_a_failing_backend_is_answered_and_kept_not_thrown(app_settings):
    turns = _streaming(app_settings, BrokenWriter())
    final = last(turns.chat(BANK, None))
    assert final[1][-1]["content"][0]["text"] == SORRY
    kept = state.load(final[-1]).session
    assert kept.history[-1]["intent"] == "error" and kept.facts == {}  # the half-done turn changed nothing


def test_replies_carry_no_gradio_objects(turns):
    outputs = last(turns.chat(BANK, None))
    for item in outputs:
        assert isinstance(item, (str, list, dict)), type(item)
    assert isinstance(Reply, type)
