"""The vocabulary read outside the understander, as lexicon data (knowledge/lexicon/claims.yaml,
statements.yaml): the guard's answer claims, the LLM evidence cues and the eval generator's statements load,
pass their own check, are reported by file, line and entry when broken, and are what the three readers use.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from assistant.evals import generate

from assistant.guard import facts
from assistant.guard.facts import ClaimReader
from assistant.lexicon import (
    LEXICON_DIR,
    LexiconError,
    check,
    default_lexicon,
    load_lexicon,
    read_lexicon,
)
from assistant.llm import evidence
from assistant.llm.evidence import EvidenceReader
from assistant.profile import FIELDS
from assistant.understand.reader import CODE_FRAGMENTS, LexiconReader


def _copy(tmp_path: Path, file: str, *edits: tuple[str, str]) -> Path:
    """The shipped lexicon, in a temp folder, with `edits` (old, new) made to `file`."""
    folder = tmp_path / "lexicon"
    shutil.copytree(LEXICON_DIR, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return folder


def _lint(folder: Path) -> list[str]:
    lexicon = load_lexicon(folder)
    claims, evidence = ClaimReader(lexicon), EvidenceReader(lexicon)
    return [str(p) for p in check(lexicon, LexiconReader(), CODE_FRAGMENTS, claims=claims, evidence=evidence)]


# --- the shipped data ---------------------------------------------------------------------------------
def test_the_shipped_claims_evidence_and_statements_pass_the_check_with_their_readers():
    lexicon = default_lexicon()
    assert lexicon.claims and lexicon.evidence
    assert _lint(LEXICON_DIR) == []


def test_every_new_entry_has_examples_and_counterexamples_and_every_value_a_statement():
    lexicon = default_lexicon()
    for entry in [*lexicon.claims, *lexicon.evidence]:
        assert entry.examples and entry.counterexamples, entry.id
    assert set(lexicon.statements) == {(name, v) for name, spec in FIELDS.items() for v in spec.values}
    mentioned = {c.field for c in lexicon.evidence if c.kind == "mentions"}
    assert mentioned == set(FIELDS)


def test_claims_keep_their_order_no_ml_team_before_ml_team():
    ids = [c.id for c in default_lexicon().claims]
    assert ids.index("claim-ml-team-no") < ids.index("claim-ml-team-yes")
    assert facts.fact_claims("You have no ML team.")[0][:3] == ("ml_team", False, True)


# --- the three readers read the lexicon ----------------------------------------------------------------
def test_the_guard_reads_claims_from_the_lexicon(tmp_path):
    sentence = "Your ledgers are the main input."
    assert facts.fact_claims(sentence) == []
    folder = _copy(tmp_path, "claims.yaml", ("tabular|structured data|", "ledgers|tabular|structured data|"))
    reader = ClaimReader(load_lexicon(folder))
    assert [c[:3] for c in reader.claims(sentence)] == [("data_type", "tabular", True)]
    assert reader.claims("If you had ledgers, it would fit.") == []  # the mechanism stays in code


def test_the_evidence_check_reads_cues_from_the_lexicon(tmp_path):
    text = "we keep ledgers"
    assert not evidence.mentions("data_type", text)
    assert not evidence.states("data_type", "tabular", text)
    folder = _copy(
        tmp_path,
        "claims.yaml",
        ("tabular|table|spreadsheet|", "ledger|tabular|table|spreadsheet|"),  # mentions data_type
        ("tabular|tables?\\b|", "ledgers?|tabular|tables?\\b|"),  # states data_type=tabular
    )
    reader = EvidenceReader(load_lexicon(folder))
    assert reader.mentions("data_type", text)
    assert reader.states("data_type", "tabular", text)
    assert not reader.states("data_type", "tabular", "we keep no ledgers")  # negation stays in code


def test_the_module_tables_are_views_of_the_shipped_lexicon():
    lexicon = default_lexicon()
    for cue in lexicon.evidence_cues("mentions"):
        assert evidence.FIELD_CUES[cue.field].pattern == rf"\b(?:{cue.source})"
    assert len(evidence.VALUE_CUES) == len(lexicon.evidence_cues("states"))
    assert dict(generate.CLAUSES) == {key: s.text for key, s in lexicon.statements.items()}
    assert generate.CLAUSES[("ml_team", False)] == "we don't have an ML team"


def test_importing_the_readers_does_not_parse_the_lexicon():
    code = (
        "import assistant.guard.facts, assistant.llm.evidence, assistant.evals.generate\n"
        "from assistant.lexicon import default_lexicon\n"
        "assert default_lexicon.cache_info().currsize == 0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- broken data is named by file, line and entry ------------------------------------------------------
BROKEN = """\
claims:
  - id: claim-unknown-field
    field: colour
    value: blue
    patterns: |
      blue
    examples: ["your data is blue"]
    counterexamples: ["red"]
  - id: claim-bad-value
    field: budget
    value: enormous
    patterns: |
      enormous budget
    examples: ["your budget is enormous"]
    counterexamples: ["small"]
  - id: claim-no-counterexamples
    field: budget
    value: low
    patterns: |
      tight budget
    examples: ["your budget is tight"]
evidence:
  ml_team:
    mentions:
      patterns: |
        team
      examples: ["a team"]
      counterexamples: ["nothing"]
    states:
      true:
        patterns: |
          ml
        examples: ["ml"]
        counterexamples: ["no"]
  budget:
    mentions:
      patterns: |
        budget
      examples: ["a budget"]
      counterexamples: ["nothing"]
    states:
      low:
        colour: blue
        patterns: |
          tight
        examples: ["a tight budget"]
        counterexamples: ["a big budget"]
statements:
  budget:
    enormous: "our budget is enormous"
    low: ""
"""


def test_broken_sections_are_named_by_file_line_entry_and_part(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "one.yaml").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicon(folder)
    text = str(info.value)
    file = str(folder / "one.yaml")
    assert f"{file}:2: entry 'claim-unknown-field': field: unknown field 'colour'" in text
    assert f"{file}:9: entry 'claim-bad-value': value: " in text
    assert f"{file}:16: entry 'claim-no-counterexamples': counterexamples: expected a non-empty list" in text
    assert f"{file}:30: entry 'evidence-ml_team': states: a yes/no field is stated by its `polar` cue" in text
    assert f"{file}:43: entry 'evidence-budget-low': colour: unknown key" in text
    assert f"{file}:50: entry 'statement-budget-enormous': statements: " in text
    assert f"{file}:51: entry 'statement-budget-low': statements: expected a sentence" in text
    assert "ml_team: no polar evidence cue for this yes/no field" in text
    assert "control: no evidence cue that mentions this field" in text
    assert "budget: no evidence cue that states medium, high" in text
    missing = "statements: missing (every value of every field needs one)"
    for value in ("low", "medium", "high"):  # an empty one is no statement; named where its field is
        assert f"{file}:50: entry 'statement-budget-{value}': {missing}" in text
    assert f"{file}:49: entry 'statement-control-true': {missing}" in text  # no field: the section's line
    assert f"{folder}: what_ifs: no `what_ifs:` section" in text


def test_the_same_field_twice_is_named_with_both_files(tmp_path):
    folder = _copy(tmp_path, "statements.yaml")
    part = "evidence:\n  budget:\n    mentions:\n      patterns: |\n        money\n"
    (folder / "zz.yaml").write_text(part + '      examples: ["money"]\n      counterexamples: ["no"]\n')
    _, problems = read_lexicon(folder)
    first, again = folder / "claims.yaml", folder / "zz.yaml"
    assert [str(p) for p in problems] == [
        f"error: {again}:3: entry 'evidence-budget': defined twice (also in {first})"
    ]


# --- the check reads examples as the readers do ---------------------------------------------------------
def test_a_counterexample_read_as_the_claim_is_reported(tmp_path):
    edit = ('"Your data is text documents."', '"Your data sits in spreadsheets."')
    found = _lint(_copy(tmp_path, "claims.yaml", edit))
    assert len(found) == 1
    assert "claims.yaml:" in found[0]
    assert "entry 'claim-data-type-tabular': counterexamples: claiming data_type=tabular" in found[0]


def test_an_example_the_mechanism_does_not_read_as_a_claim_is_reported(tmp_path):
    """The pattern matches, but the sentence is not addressed to the user: no claim."""
    edit = ('"Your data is multimodal."', '"Multimodal data is harder."')
    found = _lint(_copy(tmp_path, "claims.yaml", edit))
    assert len(found) == 1
    assert found[0].endswith(
        "entry 'claim-data-type-multimodal': examples: not claiming data_type=multimodal: "
        "'Multimodal data is harder.'"
    )


def test_evidence_examples_and_statements_are_read_as_they_mean(tmp_path):
    folder = _copy(
        tmp_path,
        "claims.yaml",
        ('counterexamples: ["we have some labelled data"]', 'counterexamples: ["we have no labelled data"]'),
        ('        examples: ["we have some labelled data"]', '        examples: ["we have labelled data"]'),
    )
    found = _lint(folder)
    assert len(found) == 2
    assert "entry 'evidence-labeled_data-none': counterexamples: stating labeled_data=none" in found[0]
    assert "entry 'evidence-labeled_data-some': examples: not matched: 'we have labelled data'" in found[1]
    edit = ('"our data is images"', '"our data is audio recordings"')
    found = _lint(_copy(tmp_path / "s", "statements.yaml", edit))
    assert len(found) == 1
    assert (
        "statements.yaml:19: entry 'statement-data_type-image': statements: read as data_type=audio"
        in found[0]
    )


def test_without_their_readers_the_new_entries_are_only_matched(tmp_path):
    edits = [
        ('"Your data is multimodal."', '"Nothing here."'),
        ('"Your data is text documents."', '"Your data sits in spreadsheets."'),  # read as tabular: unchecked
    ]
    lexicon = load_lexicon(_copy(tmp_path, "claims.yaml", *edits))
    found = [str(p) for p in check(lexicon, None, CODE_FRAGMENTS)]
    assert len(found) == 1
    assert "entry 'claim-data-type-multimodal': examples: not matched: 'Nothing here.'" in found[0]
