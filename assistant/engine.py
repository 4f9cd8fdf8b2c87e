"""The deterministic decision: profile in, recommendation and its full trace out.

Pure functions over a `RuleSet`; no I/O after the rules are loaded, so the same profile always gives
the same `Decision`, and the chat, the UI, the evals and the guard can all trust one source of truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from .profile import FIELDS, Profile
from .rules import Rule, RuleSet
from .types import OPTION_ORDER, Counterfactual, Decision, FiredRule, Option, Value

# Tie-break order: the article's default first, then the hybrid that keeps a custom model in the loop.
_PREFERENCE = {Option.CUSTOM: 0, Option.HYBRID: 1, Option.FOUNDATION: 2}
# A margin of this many points gives confidence 0.5 before the penalty for unknown fields.
_MARGIN_SCALE = 2.0
# Below this many known facts there is no recommendation yet, only a lean (one fact never decides a project).
MIN_KNOWN_FACTS = 2


def _score(
    rules: tuple[Rule, ...], profile: Mapping[str, Value]
) -> tuple[Option, dict[Option, float], list[Rule]]:
    """The hot loop, shared by `decide` and the counterfactual search."""
    scores = dict.fromkeys(OPTION_ORDER, 0.0)
    excluded: set[Option] = set()
    fired: list[Rule] = []
    get = profile.get
    for rule in rules:
        for name, values in rule.when:  # inlined Rule.matches: this loop is the engine's hot path
            if get(name) not in values:
                break
        else:
            fired.append(rule)
            if rule.exclude:
                excluded.add(rule.exclude)
            elif rule.favor:  # a valid rule has exactly one of favor or exclude
                scores[rule.favor] += rule.weight
    candidates = [o for o in OPTION_ORDER if o not in excluded] or list(OPTION_ORDER)
    best = min(candidates, key=lambda o: (-scores[o], _PREFERENCE[o]))
    return best, scores, fired


@lru_cache(maxsize=1024)
def _fired(rule: Rule) -> FiredRule:
    return FiredRule(
        rule.id,
        rule.favor,
        rule.weight,
        rule.reason,
        rule.sources,
        rule.exclude,
        rule.pattern,
        rule.note,
        tuple(name for name, _ in rule.when),
    )


def _patterns(fired: list[Rule]) -> tuple[str, ...]:
    weights: dict[str, float] = {}
    for rule in fired:
        if rule.pattern:
            weights[rule.pattern] = weights.get(rule.pattern, 0.0) + rule.weight
    return tuple(sorted(weights, key=lambda p: -weights[p]))


def decide(
    profile: Profile | Mapping[str, object], rules: RuleSet | None = None, *, counterfactuals: bool = True
) -> Decision:
    """Compute the recommendation; `counterfactuals=False` skips the what-would-change-it search."""
    if not isinstance(profile, Profile):
        profile = Profile(profile)
    ruleset = rules if rules is not None else default_rules()
    data = profile.to_dict()
    best, scores, fired = _score(ruleset.rules, data)
    excluded = tuple(o for o in OPTION_ORDER if any(r.exclude == o for r in fired))

    flips: list[Counterfactual] = []
    missing: list[str] = []
    if counterfactuals:
        before = {rule.id for rule in fired}
        for name, spec in FIELDS.items():
            current = data.get(name)
            flipped = False
            for value in spec.values:
                if value == current:
                    continue
                data[name] = value
                outcome, _, now = _score(ruleset.rules, data)
                if outcome != best:
                    drivers = tuple(
                        r.id for r in now if r.id not in before and (r.favor == outcome or r.exclude == best)
                    )
                    flips.append(Counterfactual(name, value, outcome, current, drivers))
                    flipped = True
            if current is None:
                del data[name]
                if flipped:
                    missing.append(name)
            else:
                data[name] = current

    ranked = sorted((scores[o] for o in OPTION_ORDER if o not in excluded or o == best), reverse=True)
    margin = ranked[0] - (ranked[1] if len(ranked) > 1 else 0.0)
    confidence = margin / (margin + _MARGIN_SCALE)
    if counterfactuals:
        # Each unknown field that could still flip the answer costs confidence, up to half of it.
        confidence *= 1.0 - 0.5 * len(missing) / len(FIELDS)

    return Decision(
        undecided=is_undecided(data, best, fired, excluded, tuple(flips) if counterfactuals else None),
        recommendation=best,
        hybrid_patterns=_patterns(fired) if best is Option.HYBRID else (),
        scores={str(o): round(scores[o], 3) for o in OPTION_ORDER},
        confidence=round(confidence, 3),
        fired_rules=tuple(map(_fired, fired)),
        excluded=excluded,
        counterfactuals=tuple(flips),
        missing=tuple(missing),
        profile=profile,
    )


def is_undecided(
    profile: Mapping[str, Value],
    best: Option,
    fired: list[Rule],
    excluded: tuple[Option, ...],
    counterfactuals: tuple[Counterfactual, ...] | None,
) -> bool:
    """Too little is known to recommend, defined from the rules: fewer than MIN_KNOWN_FACTS facts; or no
    rule fired but the unconditional ones (the article's default prior is all there is); or the unknown
    fields could still flip the answer to each of the two other options (the answer is open in all
    directions; an excluded option narrows it, so that case is decided). `counterfactuals=None` (not
    searched) skips the last test."""
    if len(profile) < MIN_KNOWN_FACTS:
        return True
    if all(not rule.when for rule in fired):
        return True
    if counterfactuals is None:
        return False
    if excluded:
        return False
    reachable = {cf.recommendation for cf in counterfactuals if cf.current is None}
    return all(o in reachable for o in OPTION_ORDER if o is not best)


@lru_cache(maxsize=8)
def _load_default(rules_path: str, knowledge: tuple[str, ...]) -> RuleSet:
    from .rules import load_rules

    return load_rules(Path(rules_path), [Path(k) for k in knowledge])


def default_rules() -> RuleSet:
    """The configured rule set, validated against the configured knowledge, loaded once per process."""
    from .settings import get_settings

    settings = get_settings()
    return _load_default(str(settings.rules_file), tuple(str(k) for k in settings.knowledge_dirs))
