"""knowledge/ru/ holds the same sections in Russian, under the same ids: a translation, not more knowledge."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.knowledge import knowledge_files, load_sections, parse_file
from assistant.retrieval.manifest import snapshot
from assistant.settings import DEFAULT_KNOWLEDGE

RU = Path(DEFAULT_KNOWLEDGE) / "ru"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def test_the_english_set_leaves_the_translation_out():
    files = knowledge_files(Path(DEFAULT_KNOWLEDGE))
    assert files and not any("ru" in f.relative_to(DEFAULT_KNOWLEDGE).parts for f in files)
    sections = load_sections([Path(DEFAULT_KNOWLEDGE)])
    assert len({s.id for s in sections}) == len(sections)


def test_every_english_file_has_a_russian_one_with_the_same_ids_in_the_same_order():
    for english in knowledge_files(Path(DEFAULT_KNOWLEDGE)):
        russian = RU / english.relative_to(DEFAULT_KNOWLEDGE)
        assert russian.is_file(), f"no Russian version of {english.name}"
        assert [s.id for s in parse_file(russian, RU)] == [s.id for s in parse_file(english)], russian.name


def test_russian_sections_are_russian_and_credit_the_article():
    for path in sorted(RU.glob("*.md")):
        if path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        assert "Do You Really Need a Foundation Model?" in text.split("---")[1], path.name
        for section in parse_file(path, RU):
            letters = re.findall(r"[^\W\d_]", section.text)
            assert sum(bool(CYRILLIC.match(c)) for c in letters) / len(letters) > 0.7, section.id


def test_a_translation_folder_does_not_change_the_retrieval_fingerprint(tmp_path: Path):
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n# A\n\n## One {#one}\nText.\n", encoding="utf-8")
    before = snapshot([tmp_path])["dirs"]
    (tmp_path / "ru").mkdir()
    (tmp_path / "ru" / "a.md").write_text(
        "---\ntitle: А\n---\n# А\n\n## Один {#one}\nТекст.\n", encoding="utf-8"
    )
    assert snapshot([tmp_path])["dirs"] == before
    assert [s.id for s in load_sections([tmp_path])] == ["one"]
