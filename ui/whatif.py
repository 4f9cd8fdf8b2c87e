"""Which what-ifs the panel offers, in which order, and how they are worded.

The rules engine lists every single change that would flip the recommendation. A button is a question the
user asks, so it is worded in the user's voice ("What if our data had to stay on our own
infrastructure?"), and it must never contradict what the user said: a fact they stated (in the chat, the
form or a profile file) is not offered as a what-if; an HR chatbot over text data never gets "tabular
data". What is left is ordered by relevance: fields still unknown before assumed ones, and among them the
constraints a project most often runs into (privacy, third-party APIs, load, latency, budget) before
descriptions of the project itself (its data, its task). The clauses are data: the lexicon's `what_ifs`,
and in Russian knowledge/wording/ru/fields.yaml (`wording.what_if_question`). Pure functions, no Gradio.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from assistant import FIELDS, Counterfactual, Decision, FactSource, Session, Value, wording
from assistant.lexicon import LexiconView, default_lexicon, what_if_question

MAX_OFFERED = 6
PER_FIELD = 2  # at most this many values of one field, so the buttons cover several questions

# The order in which a what-if is worth asking: constraints that commonly appear late first, the
# description of the project (which the user rarely gets wrong) last.
RELEVANCE = (
    "privacy",
    "external_api_ok",
    "volume",
    "latency",
    "budget",
    "labeled_data",
    "ml_team",
    "control",
    "stage",
    "edge",
    "task",
    "data_type",
)
# Within a field, the more plausible change first: constraints that tighten, resources that grow.
PLAUSIBLE_VALUES: dict[str, tuple[Value, ...]] = {
    "privacy": ("strict", "sensitive", "none"),
    "external_api_ok": (False, True),
    "volume": ("high", "medium", "low"),
    "latency": ("realtime", "interactive", "relaxed"),
    "budget": ("low", "medium", "high"),
    "labeled_data": ("plenty", "some", "none"),
    "ml_team": (False, True),
    "control": (True, False),
    "stage": ("production", "prototype"),
    "edge": (True, False),
}


def _clauses() -> dict[tuple[str, Value], str]:
    return {key: clause.text for key, clause in default_lexicon().what_ifs.items()}


# "What if ...?" clauses in the user's voice, one per field and value: the lexicon's `what_ifs`
# (knowledge/lexicon/statements.yaml, where `lexicon check` asks the understander each question), loaded on
# first use, not at import.
CLAUSES: Mapping[tuple[str, Value], str] = LexiconView(_clauses)


def stated(session: Session) -> frozenset[str]:
    """The fields the user told us (chat, form or a profile file); assumed values are not theirs."""
    return frozenset(name for name, fact in session.facts.items() if fact.source != FactSource.ASSUMED)


def offered(decision: Decision, said: Collection[str] = (), limit: int = MAX_OFFERED) -> list[Counterfactual]:
    """The what-ifs worth a button, most relevant first: none changes a field in `said`."""
    candidates = [cf for cf in decision.counterfactuals if cf.field not in said]

    def rank(cf: Counterfactual) -> tuple[int, int, int]:
        values = PLAUSIBLE_VALUES.get(cf.field) or FIELDS[cf.field].values
        value_rank = values.index(cf.value) if cf.value in values else len(values)
        field_rank = RELEVANCE.index(cf.field) if cf.field in RELEVANCE else len(RELEVANCE)
        return (cf.current is not None, field_rank, value_rank)

    out: list[Counterfactual] = []
    per_field: dict[str, int] = {}
    for cf in sorted(candidates, key=rank):
        if len(out) >= limit:
            break
        if per_field.get(cf.field, 0) < PER_FIELD:
            per_field[cf.field] = per_field.get(cf.field, 0) + 1
            out.append(cf)
    return out


def question(changes: Mapping[str, Value], lang: str = "en") -> str:
    """The chat line a what-if sends: 'What if we had no in-house ML team?', «А если ...?» in Russian."""
    if lang != "en":
        return wording.what_if_question(changes, lang)
    clauses = [CLAUSES[(name, value)] for name, value in changes.items()]
    return what_if_question(_join(clauses))


def label(cf: Counterfactual, lang: str = "en") -> str:
    """A button: the question, and where it would lead."""
    return f"{question({cf.field: cf.value}, lang)} → {wording.option_short(cf.recommendation, lang)}"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
