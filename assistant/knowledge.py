"""The knowledge base: own-words Markdown guidance, one `## Title {#id}` heading per section.

Parsing is plain Python (no LangChain, no Chroma) because the rules loader needs the section ids
on the fast `recommend` path; retrieval builds its chunks from the same `Section` objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import KnowledgeError
from .files import KNOWLEDGE_LIMIT, load_yaml, read_text
from .sanitize import sanitize

_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[A-Za-z0-9][A-Za-z0-9_.-]*)\}\s*$")
_H2 = re.compile(r"^##\s")


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    text: str  # the section body, heading excluded
    source: str  # file name relative to its knowledge directory
    document: str  # the file's title
    attribution: str
    removed: tuple[str, ...] = ()  # sentences left out because they read as instructions to the assistant


def _front_matter(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            meta = load_yaml("\n".join(lines[1:end]), f"{path}: front matter", KnowledgeError) or {}
            if not isinstance(meta, dict):
                raise KnowledgeError(f"{path}: front matter must be a mapping")
            return {str(k): str(v) for k, v in meta.items()}, end + 1
    raise KnowledgeError(f"{path}: front matter starts with --- but never ends")


def parse_file(path: Path, root: Path | None = None) -> list[Section]:
    text = read_text(path, what="the knowledge file", limit=KNOWLEDGE_LIMIT, error=KnowledgeError)
    lines = text.splitlines()
    meta, start = _front_matter(lines, path)
    source = str(path.relative_to(root)) if root else path.name
    document = meta.get("title", path.stem)
    sections: list[Section] = []
    current: tuple[str, str] | None = None
    body: list[str] = []

    def flush() -> None:
        if current:
            clean, removed = sanitize("\n".join(body).strip())
            sections.append(
                Section(
                    current[0],
                    current[1],
                    clean.strip(),
                    source,
                    document,
                    meta.get("attribution", ""),
                    removed,
                )
            )

    for number, line in enumerate(lines[start:], start=start + 1):
        if line.startswith("# ") and not current:
            document = meta.get("title", line[2:].strip())
            continue
        if _H2.match(line):
            match = _HEADING.match(line)
            if not match:
                raise KnowledgeError(
                    f"{path}:{number}: section heading needs a stable id, "
                    f"e.g. '## Title {{#my-section}}': {line.strip()!r}"
                )
            flush()
            current, body = (match["id"], match["title"]), []
            continue
        if current:
            body.append(line)
    flush()
    return sections


# Subfolders holding the same sections in another language, under the same ids (knowledge/ru/). They are
# translations of the sections, not more of them, so the English knowledge set leaves them out.
TRANSLATIONS = frozenset({"ru"})


def knowledge_files(directory: Path) -> list[Path]:
    """The section files under `directory`, in load order (the retrieval manifest fingerprints the same)."""
    directory = Path(directory)
    return sorted(
        path
        for path in directory.rglob("*.md")
        if not TRANSLATIONS & set(path.relative_to(directory).parts[:-1])
    )


def translation_dirs(directories: Iterable[Path], lang: str) -> list[Path]:
    """Where the sections of `directories` are in `lang`: the directories themselves for English, else
    their `<lang>/` subfolders that exist (same section ids; retrieval indexes them apart)."""
    if lang == "en":
        return [Path(d) for d in directories]
    return [Path(d) / lang for d in directories if (Path(d) / lang).is_dir()]


def load_sections(directories: Iterable[Path]) -> list[Section]:
    """All sections of all `*.md` files, in a stable order; duplicate ids are an error."""
    sections: list[Section] = []
    seen: dict[str, str] = {}
    for directory in directories:
        directory = Path(directory)
        if not directory.is_dir():
            raise KnowledgeError(f"knowledge directory not found: {directory}")
        for path in knowledge_files(directory):
            for section in parse_file(path, directory):
                where = f"{directory.name}/{section.source}"
                if section.id in seen:
                    raise KnowledgeError(
                        f"{where}: section id {section.id!r} is already used in {seen[section.id]}"
                    )
                seen[section.id] = where
                sections.append(section)
    return sections


def section_index(directories: Iterable[Path]) -> dict[str, Section]:
    """Sections by id, parsed once per set of directories (the files are small; this is for lookups)."""
    return dict(_index(tuple(str(d) for d in directories)))


def sections_in(directories: Iterable[Path], lang: str = "en") -> dict[str, Section]:
    """Sections by id in `lang`: each translated section in place of its English one (same id; its source
    path keeps the language folder, "ru/choosing.md"); a section not translated stays English."""
    directories = tuple(directories)
    sections = section_index(directories)
    if lang == "en":
        return sections
    return sections | dict(_translated(tuple(str(d) for d in directories), lang))


@lru_cache(maxsize=8)
def _translated(directories: tuple[str, ...], lang: str) -> tuple[tuple[str, Section], ...]:
    out = []
    for directory in map(Path, directories):
        if (directory / lang).is_dir():
            out += [
                (s.id, s)
                for path in sorted((directory / lang).rglob("*.md"))
                for s in parse_file(path, directory)
            ]
    return tuple(out)


@lru_cache(maxsize=8)
def _index(directories: tuple[str, ...]) -> tuple[tuple[str, Section], ...]:
    return tuple((s.id, s) for s in load_sections(Path(d) for d in directories))
