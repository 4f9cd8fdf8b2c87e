"""The what-if buttons' clauses as lexicon data (`what_ifs:` in knowledge/lexicon/statements.yaml): every
value of every field has one, a missing one is named by file and entry, `lexicon check` asks the understander
each "What if ...?" question, and ui/whatif.py words its buttons with them.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from assistant.ui import whatif

from assistant.lexicon import (
    LEXICON_DIR,
    LexiconError,
    LexiconView,
    check,
    default_lexicon,
    load_lexicon,
    what_if_question,
)
from assistant.profile import FIELDS
from assistant.understand.reader import CODE_FRAGMENTS, LexiconReader
from assistant.understand.understander import RuleBasedUnderstander


def _copy(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """The shipped lexicon, in a temp folder, with `edits` (old, new) made to statements.yaml."""
    folder = tmp_path / "lexicon"
    shutil.copytree(LEXICON_DIR, folder)
    path = folder / "statements.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return folder


def _what_if_problems(folder: Path) -> list[str]:
    lexicon = load_lexicon(folder)
    found = check(lexicon, LexiconReader(), CODE_FRAGMENTS, understander=RuleBasedUnderstander())
    return [str(p) for p in found if p.part == "what_ifs"]


# --- the shipped data ---------------------------------------------------------------------------------
def test_every_value_of_every_field_has_a_what_if_in_the_users_voice():
    what_ifs = default_lexicon().what_ifs
    assert set(what_ifs) == {(name, v) for name, spec in FIELDS.items() for v in spec.values}
    for (name, value), clause in what_ifs.items():
        assert clause.section == "what_ifs" and clause.file.endswith("statements.yaml")
        assert clause.id == f"what-if-{name}-{str(value).lower() if isinstance(value, bool) else value}"
        assert clause.text[:1].islower(), clause.text  # joined after "What if ", so lower case
        assert not re.search(r"\byou(r|rs)?\b", clause.text, re.IGNORECASE), clause.text


def test_the_shipped_what_ifs_are_read_as_their_change():
    lexicon = default_lexicon()
    reader = LexiconReader()
    assert [str(p) for p in check(lexicon, reader, CODE_FRAGMENTS, understander=reader.understander)] == []


# --- ui.whatif reads the lexicon ----------------------------------------------------------------------
def test_the_buttons_word_their_questions_with_the_lexicon(tmp_path, monkeypatch):
    assert dict(whatif.CLAUSES) == {key: c.text for key, c in default_lexicon().what_ifs.items()}
    assert whatif.question({"ml_team": False}) == what_if_question("we had no in-house ML team")
    edited = load_lexicon(_copy(tmp_path, ('"we had no in-house ML team"', '"nobody here knew ML"')))
    monkeypatch.setattr(whatif, "default_lexicon", lambda: edited)
    monkeypatch.setattr(whatif, "CLAUSES", LexiconView(whatif._clauses))
    assert whatif.question({"ml_team": False, "edge": True}) == (
        "What if nobody here knew ML and it had to run on the device itself?"
    )


def test_importing_the_what_ifs_does_not_parse_the_lexicon():
    code = (
        "from assistant.ui import whatif\n"
        "from assistant.lexicon import default_lexicon\n"
        "assert default_lexicon.cache_info().currsize == 0\n"
        "assert whatif.question({'edge': False}) == 'What if it could run on our servers?'\n"
        "assert default_lexicon.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- broken data ----------------------------------------------------------------------------------------
def test_a_missing_what_if_is_an_error_naming_the_file_and_entry(tmp_path):
    folder = _copy(tmp_path, ('    high: "our request volume were high"\n', ""))
    with pytest.raises(LexiconError) as info:
        load_lexicon(folder)
    file = folder / "statements.yaml"
    lines = file.read_text(encoding="utf-8").splitlines()
    volume = lines.index("  volume:", lines.index("what_ifs:")) + 2  # where the field's values start
    assert [str(p) for p in info.value.problems] == [
        f"error: {file}:{volume}: entry 'what-if-volume-high': what_ifs: "
        "missing (every value of every field needs one)"
    ]


def test_a_what_if_that_is_not_a_sentence_or_twice_is_an_error(tmp_path):
    folder = _copy(tmp_path, ('    false: "it could run on our servers"\n', '    false: ""\n'))
    (folder / "zz.yaml").write_text('what_ifs:\n  budget:\n    low: "money were short"\n', encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicon(folder)
    text = str(info.value)
    assert "statements.yaml:" in text and "entry 'what-if-edge-false': what_ifs: expected a sentence" in text
    assert f"{folder / 'zz.yaml'}:3: entry 'what-if-budget-low': what_ifs: written twice (also in " in text


def test_a_what_if_the_understander_misreads_is_a_lint_problem(tmp_path):
    edits = [
        ('    image: "our data were images"', '    image: "our data were audio recordings"'),  # another value
        ('    true: "it had to run on the device itself"', '    true: "hello there"'),  # no change at all
    ]
    found = _what_if_problems(_copy(tmp_path, *edits))
    assert len(found) == 2
    assert found[0].startswith("error: ") and "statements.yaml:" in found[0]
    assert found[0].endswith(
        "entry 'what-if-data_type-image': what_ifs: read as what_if with data_type=audio: "
        "'What if our data were audio recordings?'"
    )
    assert "entry 'what-if-edge-true': what_ifs: read as " in found[1]
    assert found[1].endswith("edge=None: 'What if hello there?'")


def test_without_an_understander_the_what_ifs_are_not_asked(tmp_path):
    lexicon = load_lexicon(_copy(tmp_path, ('"our data were images"', '"our data were audio recordings"')))
    assert [p for p in check(lexicon, LexiconReader(), CODE_FRAGMENTS) if p.part == "what_ifs"] == []
