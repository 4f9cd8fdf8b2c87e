import textwrap

import pytest

from assistant.engine import default_rules
from assistant.rules import RulesError, lint, parse_rules

SECTIONS = ["when-custom", "fm-pros", "fm-cons"]


def load(text: str):
    return parse_rules(textwrap.dedent(text), "rules.yaml", SECTIONS)


def problems(text: str) -> str:
    with pytest.raises(RulesError) as info:
        load(text)
    return str(info.value)


def test_shipped_rules_load_and_lint_clean():
    ruleset = default_rules()
    assert len(ruleset) >= 25
    assert [p for p in lint(ruleset) if p.severity == "error"] == []


def test_valid_rule_parses_with_any_of_values():
    ruleset = load("""
        - id: r1
          when: {data_type: [text, image], ml_team: false}
          effect: {favor: foundation, weight: 2}
          reason: Because.
          sources: [fm-pros]
    """)
    rule = ruleset.rules[0]
    assert rule.matches({"data_type": "image", "ml_team": False})
    assert not rule.matches({"data_type": "image"})  # unknown never matches
    assert not rule.matches({"data_type": "tabular", "ml_team": False})


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ("when: {colour: red}", ["rule 'r1'", "when.colour", "unknown profile field"]),
        (
            "when: {privacy: secret}",
            ["when.privacy", "'secret' is not a value of privacy", "none | sensitive | strict"],
        ),
        ("when: {ml_team: maybe}", ["when.ml_team", "true | false"]),
        ("when: {task: []}", ["can never fire"]),
    ],
)
def test_condition_errors_name_rule_and_field(body, needles):
    text = problems(f"""
        - id: r1
          {body}
          effect: {{favor: custom, weight: 1}}
          reason: Because.
          sources: [when-custom]
    """)
    assert "rules.yaml:2" in text
    for needle in needles:
        assert needle in text


@pytest.mark.parametrize(
    ("effect", "needle"),
    [
        ("{favor: gpt4, weight: 1}", "effect.favor: 'gpt4' is not an option"),
        ("{favor: custom}", "effect.weight: must be a positive number"),
        ("{favor: custom, weight: -1}", "effect.weight"),
        ("{favor: custom, exclude: hybrid, weight: 1}", "exactly one of favor or exclude"),
        ("{favor: hybrid, weight: 1}", "must name the hybrid pattern"),
        ("{favor: custom, weight: 1, pattern: distillation}", "only a rule that favors hybrid"),
        ("{favor: hybrid, weight: 1, pattern: magic}", "'magic' is not a hybrid pattern"),
        ("{exclude: foundation, weight: 2}", "an exclude effect takes no weight"),
    ],
)
def test_effect_errors(effect, needle):
    text = problems(f"""
        - id: r1
          when: {{task: narrow}}
          effect: {effect}
          reason: Because.
          sources: [when-custom]
    """)
    assert needle in text


def test_missing_section_duplicate_id_and_duplicate_key_are_reported_together():
    text = problems("""
        - id: r1
          when: {task: narrow}
          effect: {favor: custom, weight: 1}
          reason: Because.
          sources: [no-such-section]
        - id: r1
          when: {task: narrow}
          effect: {favor: custom, weight: 1}
          reason: Again.
          sources: [when-custom]
    """)
    assert "rule 'r1': sources: section 'no-such-section' does not exist" in text
    assert "duplicate id (first used on line 2)" in text
    dup_key = problems("""
        - id: r1
          when: {task: narrow, task: open_ended}
          effect: {favor: custom, weight: 1}
          reason: Because.
          sources: [when-custom]
    """)
    assert "duplicate key 'task'" in dup_key


def test_missing_reason_and_unknown_key():
    text = problems("""
        - id: r1
          when: {task: narrow}
          effect: {favor: custom, weight: 1}
          sources: [when-custom]
          weight: 3
    """)
    assert "reason: missing" in text and "weight: unknown key" in text


def test_lint_finds_contradictions_and_dead_effects():
    ruleset = load("""
        - id: favor-fm
          when: {task: open_ended}
          effect: {favor: foundation, weight: 2}
          reason: A.
          sources: [fm-pros]
        - id: exclude-fm
          when: {task: open_ended}
          effect: {exclude: foundation}
          reason: B.
          sources: [fm-cons]
        - id: favor-custom-same
          when: {task: open_ended}
          effect: {favor: custom, weight: 1}
          reason: C.
          sources: [when-custom]
        - id: narrower-fm
          when: {task: open_ended, edge: true}
          effect: {favor: foundation, weight: 1}
          reason: D.
          sources: [fm-pros]
    """)
    found = {(p.rule, p.severity, p.message.split(":")[0]) for p in lint(ruleset)}
    messages = "\n".join(str(p) for p in lint(ruleset))
    assert "rule 'exclude-fm': effect: contradicts rule 'favor-fm'" in messages
    assert "pulls against rule 'favor-fm'" in messages
    assert "rule 'narrower-fm': effect: can never change the outcome" in messages
    assert ("exclude-fm", "error", "contradicts rule 'favor-fm'") in found


def test_rules_file_read_error_is_clear(tmp_path):
    from assistant.rules import load_rules

    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "nope.yaml")
