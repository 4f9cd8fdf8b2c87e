"""What goes into the store: section chunks and their small "retrieval units", built from the knowledge
files, plus the sentences the sanitiser left out of them (which `ingest` reports as warnings).

Chunks are built from `knowledge.Section` objects (the same parser the rules loader uses, text already
sanitised there), so a chunk keeps its stable section id without re-parsing headings; only a long section
is split further, by langchain-text-splitters' RecursiveCharacterTextSplitter. A chunk is what search
returns.

Small-to-big dense retrieval: each chunk is also stored as a few small retrieval units: its paragraphs,
each list item or table row prefixed with the sentence that introduces the list, that sentence with the
whole list, and the heading alone. all-MiniLM-L6-v2 mean-pools over the text, so a whole section blurs into
"about foundation models"; one paragraph or list item keeps its meaning. Dense search ranks units and
returns their parent chunk (max over its units). Measured on evals/retrieval.yaml (see
evals/retrieval_eval.py): dense recall@3 0.78 (one vector per section, title included) -> 0.88, MRR
0.73 -> 0.80. Prefixing every unit with the heading measured worse (headings pull all units of a file
together); the heading as a unit of its own is what makes "downsides of foundation models" find
"Weaknesses of foundation models".

Pure Python: no Chroma, no embedding model (langchain-text-splitters only for long sections).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..knowledge import load_sections

MAX_CHUNK_CHARS = 1200  # all-MiniLM-L6-v2 reads 256 word pieces (~1,000-1,200 characters of English)
CHUNK_OVERLAP = 150
CHUNKING_VERSION = "3"  # part of every chunk hash: changing how chunks are built re-embeds them


@dataclass(frozen=True)
class Chunk:
    """One record in the collection: a section chunk (kind 'chunk') or one of its retrieval units ('unit')."""

    id: str
    section: str
    title: str
    source: str
    document: str
    attribution: str
    directory: str
    text: str
    kind: str = "chunk"
    parent: str = ""  # the chunk id a unit belongs to (a chunk's own id for chunks)

    @property
    def embed_text(self) -> str:
        return f"{self.title}\n\n{self.text}" if self.kind == "chunk" else self.text

    @property
    def text_hash(self) -> str:
        """Changes when the embedded text does: only then is the record re-embedded."""
        return hashlib.sha256(json.dumps([CHUNKING_VERSION, self.embed_text]).encode("utf-8")).hexdigest()

    @property
    def hash(self) -> str:
        """Changes when anything stored does (text or metadata)."""
        payload = json.dumps(
            [
                self.text_hash,
                self.kind,
                self.text,
                self.section,
                self.title,
                self.source,
                self.document,
                self.attribution,
                self.directory,
                self.parent,
            ]
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def metadata(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "parent": self.parent or self.id,
            "section": self.section,
            "title": self.title,
            "source": self.source,
            "document": self.document,
            "attribution": self.attribution,
            "directory": self.directory,
            "hash": self.hash,
            "text_hash": self.text_hash,
        }


@dataclass(frozen=True)
class DroppedSentence:
    """A sentence of a knowledge file that reads as an instruction to the assistant, left out by the
    sanitiser (assistant/knowledge.py `sanitize`); `ingest` lists them so their author can fix the file."""

    file: str
    section: str
    sentence: str

    def __str__(self) -> str:
        return (
            f"{self.file} [{self.section}]: left out a sentence that reads as an instruction to the "
            f"assistant: {self.sentence[:200]!r}"
        )


def _split(text: str) -> list[str]:
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=MAX_CHUNK_CHARS, chunk_overlap=CHUNK_OVERLAP)
    return [part for part in splitter.split_text(text) if part.strip()] or [text]


_ITEM = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|\|)")


def _is_list(block: str) -> bool:
    return all(_ITEM.match(line) for line in block.splitlines() if line.strip())


def _item_text(line: str) -> str:
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
    if text.startswith("|"):  # a table row: cells joined; the |---| separator row has no words
        text = " | ".join(cell.strip() for cell in text.strip("|").split("|"))
    return text if re.search(r"\w", text) else ""


def retrieval_units(title: str, text: str) -> list[str]:
    """The small texts that stand for a chunk in dense search (see the module docstring)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    units: list[str] = []
    for number, block in enumerate(blocks):
        if _is_list(block):
            lead = blocks[number - 1] if number and not _is_list(blocks[number - 1]) else title
            units.append(f"{lead}\n{block}")
            units.extend(f"{lead} {item}" for item in map(_item_text, block.splitlines()) if item)
        units.append(block)
    units.append(title)  # the heading on its own: "downsides of X" finds "Weaknesses of X"
    return list(dict.fromkeys(units))


def build_chunks(directories: Sequence[Path]) -> list[Chunk]:
    """Every record to store: the sections of each knowledge directory (long ones split by size, ids
    '<section id>#<n>'), each followed by its retrieval units (ids '<chunk id>/<content hash>')."""
    load_sections(directories)  # validates: missing directories, malformed files, duplicate ids across dirs
    records: list[Chunk] = []
    for directory in directories:
        for section in load_sections([directory]):
            base = (
                section.id,
                section.title,
                section.source,
                section.document,
                section.attribution,
                str(directory),
            )
            for index, part in enumerate(_split(section.text or section.title)):
                chunk = Chunk(f"{section.id}#{index}", *base, part)
                records.append(chunk)
                for unit in retrieval_units(section.title, part):
                    digest = hashlib.sha1(unit.encode("utf-8")).hexdigest()[:12]
                    records.append(Chunk(f"{chunk.id}/{digest}", *base, unit, kind="unit", parent=chunk.id))
    return records


def dropped_sentences(directories: Sequence[Path]) -> list[DroppedSentence]:
    """The sentences the sanitiser left out of the sections of these directories, in file order."""
    return [
        DroppedSentence(f"{Path(directory).name}/{section.source}", section.id, sentence)
        for directory in directories
        for section in load_sections([directory])
        for sentence in section.removed
    ]
