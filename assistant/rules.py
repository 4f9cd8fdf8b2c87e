"""Rules as data: load, validate and lint `knowledge/rules.yaml`.

A domain expert edits the YAML; every problem is reported with the file, line, rule id and field, so
nobody has to read Python to fix a typo.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputFileError, RulesError
from .files import RULES_LIMIT, check_yaml, read_text
from .profile import FIELDS, allowed, format_value
from .types import Option, Value

if TYPE_CHECKING:
    import yaml

PATTERNS: tuple[str, ...] = ("fm_labeling", "distillation", "bootstrapping", "feature_extraction")
PATTERN_LABELS = {
    "fm_labeling": "a foundation model as a labelling tool",
    "distillation": "knowledge distillation into a smaller model",
    "bootstrapping": "bootstrapping: start on a foundation model, move to a custom one",
    "feature_extraction": "foundation-model embeddings as features for a simpler model",
}
_RULE_KEYS = {"id", "when", "effect", "reason", "note", "sources"}
_EFFECT_KEYS = {"favor", "weight", "exclude", "pattern"}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    when: tuple[tuple[str, frozenset[Value]], ...]  # all must hold; each field matches any of its values
    reason: str
    sources: tuple[str, ...]
    favor: Option | None = None
    weight: float = 0.0
    exclude: Option | None = None
    pattern: str | None = None
    note: str = ""
    line: int = 0

    def matches(self, profile: Mapping[str, Value]) -> bool:
        return all(profile.get(name) in values for name, values in self.when)

    @property
    def condition(self) -> dict[str, list[Value]]:
        return {name: sorted(values, key=str) for name, values in self.when}

    def describe_effect(self) -> str:
        if self.exclude:
            return f"exclude {self.exclude}"
        suffix = f" ({self.pattern})" if self.pattern else ""
        return f"favor {self.favor} +{self.weight:g}{suffix}"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    rule: str | None
    field: str | None
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.rule:
            parts.append(f"rule {self.rule!r}")
        if self.field:
            parts.append(self.field)
        return f"{self.severity}: {': '.join(parts)}: {self.message}"


def _read_problem(exc: InputFileError, file: str) -> RulesError:
    """A reader's refusal (size, encoding, nesting, aliases, OS error) as a one-problem RulesError."""
    return RulesError([Problem(file, 0, None, None, str(exc).removeprefix(f"{file}: "))])


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    path: str
    sections: frozenset[str] = frozenset()

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _yaml_loader() -> type[yaml.SafeLoader]:
    """A SafeLoader that rejects duplicate keys (plain YAML silently keeps the last one) and
    remembers each mapping's line, so errors can point at the rule."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            mapping[key] = loader.construct_object(value_node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


def _as_values(name: str, raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, list) else [raw]


def _parse_rule(raw: Any, index: int, file: str, problems: list[Problem]) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(Problem(file, 0, None, None, f"entry {index + 1} is not a mapping"))
        return None
    line = raw.pop("__line__", 0)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        problems.append(Problem(file, line, None, "id", f"entry {index + 1} has no id"))
        return None
    before = len(problems)

    def bad(field_name: str | None, message: str) -> None:
        problems.append(Problem(file, line, rule_id, field_name, message))

    for key in sorted(set(raw) - _RULE_KEYS):
        bad(key, f"unknown key; a rule has {', '.join(sorted(_RULE_KEYS))}")

    when_raw = raw.get("when", {})
    when: list[tuple[str, frozenset[Value]]] = []
    if not isinstance(when_raw, dict):
        bad("when", "must be a mapping of profile field: value (or a list of values)")
        when_raw = {}
    when_raw.pop("__line__", None)
    for name, raw_values in when_raw.items():
        where = f"when.{name}"
        if name not in FIELDS:
            bad(where, f"unknown profile field; known fields: {', '.join(FIELDS)}")
            continue
        values = _as_values(name, raw_values)
        if not values:
            bad(where, "an empty list of values can never match, so the rule can never fire")
            continue
        ok: set[Value] = set()
        for value in values:
            if value not in FIELDS[name].values or isinstance(value, bool) != FIELDS[name].is_bool:
                bad(
                    where,
                    f"{format_value(value) if isinstance(value, bool) else value!r} is not a value of "
                    f"{name}; allowed: {allowed(name)}",
                )
            else:
                ok.add(value)
        when.append((name, frozenset(ok)))

    effect = raw.get("effect")
    favor = exclude = pattern = None
    weight = 0.0
    if not isinstance(effect, dict):
        bad(
            "effect",
            "missing; use {favor: OPTION, weight: N}, {exclude: OPTION} "
            "or {favor: hybrid, weight: N, pattern: PATTERN}",
        )
    else:
        effect.pop("__line__", None)
        for key in sorted(set(effect) - _EFFECT_KEYS):
            bad(f"effect.{key}", f"unknown key; an effect has {', '.join(sorted(_EFFECT_KEYS))}")
        favor, exclude, pattern = effect.get("favor"), effect.get("exclude"), effect.get("pattern")
        if (favor is None) == (exclude is None):
            bad("effect", "needs exactly one of favor or exclude")
        for key, value in (("favor", favor), ("exclude", exclude)):
            if value is not None and Option.parse(value) is None:
                bad(f"effect.{key}", f"{value!r} is not an option; allowed: {' | '.join(Option)}")
        if favor is not None:
            raw_weight = effect.get("weight")
            if isinstance(raw_weight, bool) or not isinstance(raw_weight, int | float) or raw_weight <= 0:
                bad("effect.weight", f"must be a positive number, got {raw_weight!r}")
            else:
                weight = float(raw_weight)
        elif "weight" in effect:
            bad("effect.weight", "an exclude effect takes no weight")
        if pattern is not None and pattern not in PATTERNS:
            bad("effect.pattern", f"{pattern!r} is not a hybrid pattern; allowed: {' | '.join(PATTERNS)}")
        if favor == "hybrid" and pattern is None:
            bad("effect.pattern", "a rule that favors hybrid must name the hybrid pattern it suggests")
        if pattern is not None and favor != "hybrid":
            bad("effect.pattern", "only a rule that favors hybrid can suggest a pattern")

    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        bad("reason", "missing; give one plain-English sentence")
        reason = ""
    note = raw.get("note", "")
    if not isinstance(note, str):
        bad("note", "must be text")
        note = ""
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        bad("sources", "must be a non-empty list of knowledge section ids")
        sources = []
    if len(problems) > before:
        return None
    return Rule(
        rule_id,
        tuple(when),
        reason.strip(),
        tuple(sources),
        Option.parse(favor),
        weight,
        Option.parse(exclude),
        pattern,
        note.strip(),
        line,
    )


def parse_rules(text: str, file: str, sections: Iterable[str] | None = None) -> RuleSet:
    """Parse and validate; raise RulesError listing every problem, not just the first."""
    import yaml

    try:
        check_yaml(text, file, InputFileError, max_nodes=20_000)  # aliases, nesting, size: before building
    except InputFileError as exc:
        raise _read_problem(exc, file) from None
    try:
        data = yaml.load(text, Loader=_yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise RulesError(
            [Problem(file, line, None, None, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    if not isinstance(data, list) or not data:
        raise RulesError([Problem(file, 0, None, None, "expected a non-empty list of rules")])
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data):
        rule = _parse_rule(raw, index, file, problems)
        if rule is None:
            continue
        if rule.id in seen:
            problems.append(
                Problem(file, rule.line, rule.id, "id", f"duplicate id (first used on line {seen[rule.id]})")
            )
            continue
        seen[rule.id] = rule.line
        rules.append(rule)
    known = frozenset(sections) if sections is not None else None
    if known is not None:
        for rule in rules:
            for source in rule.sources:
                if source not in known:
                    problems.append(
                        Problem(
                            file,
                            rule.line,
                            rule.id,
                            "sources",
                            f"section {source!r} does not exist in the knowledge base",
                        )
                    )
    if problems:
        raise RulesError(problems)
    return RuleSet(tuple(rules), file, known or frozenset())


def load_rules(path: Path, knowledge_dirs: Iterable[Path] | None = None) -> RuleSet:
    from .knowledge import load_sections

    path = Path(path)
    try:
        text = read_text(path, what="the rules file", limit=RULES_LIMIT)
    except InputFileError as exc:
        raise _read_problem(exc, str(path)) from None
    ids = None
    if knowledge_dirs is not None:
        ids = [s.id for s in load_sections(knowledge_dirs)]
    return parse_rules(text, str(path), ids)


def lint(ruleset: RuleSet) -> list[Problem]:
    """Problems that loading allows but an editor should see: contradictions and dead effects."""
    problems: list[Problem] = []
    file = ruleset.path
    by_condition: dict[tuple[tuple[str, frozenset[Value]], ...], list[Rule]] = {}
    for rule in ruleset.rules:
        by_condition.setdefault(tuple(sorted(rule.when, key=lambda c: c[0])), []).append(rule)
    for group in by_condition.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if (a.favor and a.favor == b.exclude) or (b.favor and b.favor == a.exclude):
                    favor, excl = (a, b) if a.favor and a.favor == b.exclude else (b, a)
                    problems.append(
                        Problem(
                            file,
                            excl.line,
                            excl.id,
                            "effect",
                            f"contradicts rule {favor.id!r}: same condition, one favors "
                            f"{favor.favor} and the other excludes it",
                        )
                    )
                elif a.favor and b.favor and a.favor != b.favor:
                    problems.append(
                        Problem(
                            file,
                            b.line,
                            b.id,
                            "effect",
                            f"pulls against rule {a.id!r} on the same condition "
                            f"({a.favor} vs {b.favor}); merge them or make the conditions differ",
                            "warning",
                        )
                    )
    excluders = [r for r in ruleset.rules if r.exclude]
    for rule in ruleset.rules:
        if not rule.favor:
            continue
        for excl in excluders:
            if excl.exclude == rule.favor and _implies(rule, excl):
                problems.append(
                    Problem(
                        file,
                        rule.line,
                        rule.id,
                        "effect",
                        f"can never change the outcome: whenever it fires, rule {excl.id!r} "
                        f"excludes {rule.favor}",
                        "warning",
                    )
                )
    return problems


def _implies(rule: Rule, other: Rule) -> bool:
    """True when every profile that fires `rule` also fires `other`."""
    mine = dict(rule.when)
    return all(name in mine and mine[name] <= values for name, values in other.when)
