"""The browser's copy of a conversation: round trip, untrusted input, bounds."""

import json

from assistant.ui import state

from assistant import Session


def _session_with_turns(conversation, texts):
    session = Session()
    for text in texts:
        conversation.respond(session, text)
    return session


def test_a_copy_round_trips_the_session_and_what_the_page_shows(memory_conversation):
    session = _session_with_turns(memory_conversation, ["tabular data, strict privacy", "why?"])
    visit = state.Visit(session, {"cf0": True}, turns=2)
    copy = json.loads(json.dumps(state.dump(visit)))  # what the browser stores is plain JSON
    back = state.load(copy)
    assert back.session.facts == session.facts
    assert back.session.history == session.history
    assert back.shown == {"cf0": True} and back.turns == 2


def test_nothing_or_garbage_starts_a_new_conversation():
    for raw in (
        None,
        {},
        "",
        "text",
        [1, 2],
        {"v": 99},
        {"v": 1, "session": "x"},
        {"v": 1, "session": {"v": 9}},
    ):
        visit = state.load(raw)
        assert visit.session.facts == {} and visit.session.history == [] and visit.turns == 0


def test_a_tampered_fact_is_refused_not_trusted():
    raw = state.fresh()
    raw["session"]["facts"] = {"privacy": {"value": "on the moon", "source": "chat", "turn": 1}}
    assert state.load(raw).session.facts == {}


def test_fresh_is_a_valid_empty_copy():
    raw = state.fresh()
    assert raw["v"] == state.STATE_VERSION and state.load(raw).session.history == []


def test_the_copy_keeps_at_most_the_last_turns(monkeypatch):
    monkeypatch.setattr(state, "MAX_TURNS_KEPT", 3)
    session = Session()
    for i in range(5):
        session.record({"user": f"q{i}", "intent": "help", "answer": "a", "citations": []})
    visit = state.Visit(session, turns=5)
    copy = state.dump(visit)
    assert [t["user"] for t in copy["session"]["history"]] == ["q2", "q3", "q4"]
    assert copy["turns"] == 5  # the count the card shows goes on


def test_the_copy_stays_under_its_size_limit(monkeypatch):
    monkeypatch.setattr(state, "MAX_STATE_CHARS", 5_000)
    session = Session()
    for i in range(10):
        session.record({"user": "x" * 1_000, "intent": "help", "answer": f"a{i}", "citations": []})
    copy = state.dump(state.Visit(session))
    assert len(json.dumps(copy, ensure_ascii=False, separators=(",", ":"))) <= 5_000
    assert copy["session"]["history"][-1]["answer"] == "a9"  # the newest turns are kept
    assert state.load(copy).session.history == session.history
