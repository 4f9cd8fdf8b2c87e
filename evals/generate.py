"""Conversations generated from the rules: for each rule, two profiles that differ only in a field the rule
decides on, with different recommendations. The eval describes the first in words, asks a what-if for the
second, and checks the answer names the new recommendation and cites the rule's sources.

The search is deterministic (seeded per rule) and prefers the sparsest profile that works.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from assistant.engine import decide
from assistant.lexicon import LexiconView, default_lexicon
from assistant.profile import FIELDS, Profile, Value
from assistant.rules import Rule, RuleSet


def _clauses() -> dict[tuple[str, Value], str]:
    return {key: statement.text for key, statement in default_lexicon().statements.items()}


# One plain sentence per fact, in the everyday wording the offline extractor is built for: the lexicon's
# `statements` (knowledge/lexicon/statements.yaml, where `lexicon check` makes sure the understander reads
# each as its fact), loaded on first use.
CLAUSES: Mapping[tuple[str, Value], str] = LexiconView(_clauses)


@dataclass(frozen=True)
class GeneratedCase:
    rule: str
    field: str
    base: Profile  # described first; the rule does not fire
    changed: Profile  # the what-if; the rule fires
    before: str
    after: str
    sources: tuple[str, ...]

    @property
    def describe(self) -> str:
        parts = [CLAUSES[(name, value)] for name, value in self.base.items()]
        return ". ".join(p[0].upper() + p[1:] for p in parts) + "."

    @property
    def what_if(self) -> str:
        return f"What if {CLAUSES[(self.field, self.changed[self.field])]}?"


def _candidates(rule: Rule, rng: random.Random, tries: int) -> Iterator[dict[str, Value]]:
    """Profiles that satisfy the rule's condition, from sparse to richer."""
    required = {name: sorted(values, key=str)[0] for name, values in rule.when}
    yield dict(required)
    others = [n for n in FIELDS if n not in required]
    for attempt in range(tries):
        size = 1 + min(attempt // 200, 5)
        extra = {n: rng.choice(FIELDS[n].values) for n in rng.sample(others, min(size, len(others)))}
        for name, values in rule.when:
            extra[name] = rng.choice(sorted(values, key=str))
        yield {**required, **extra}


def case_for(rule: Rule, rules: RuleSet, tries: int = 3000) -> GeneratedCase | None:
    if not rule.when:
        return None  # an unconditional rule has no field to toggle; it fires in every case instead
    rng = random.Random(zlib.crc32(rule.id.encode()))
    for fired in _candidates(rule, rng, tries):
        after = decide(fired, rules, counterfactuals=False)
        if not (rule.favor == after.recommendation or rule.exclude):
            continue
        for name, values in rule.when:
            for off in [*[v for v in FIELDS[name].values if v not in values], None]:
                base = {k: v for k, v in fired.items() if k != name}
                if off is not None:
                    base[name] = off
                before = decide(base, rules, counterfactuals=False)
                if before.recommendation != after.recommendation and rule.id not in {
                    r.id for r in before.fired_rules
                }:
                    return GeneratedCase(
                        rule.id,
                        name,
                        Profile(base),
                        Profile(fired),
                        before.recommendation,
                        after.recommendation,
                        rule.sources,
                    )
    return None


def generate_cases(rules: RuleSet) -> list[GeneratedCase]:
    return [case for rule in rules if (case := case_for(rule, rules)) is not None]
