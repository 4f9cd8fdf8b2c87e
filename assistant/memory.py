"""An in-memory `Retriever` over the knowledge sections: no Chroma, no embedding model, no I/O after load.

Shipped in the package (as httpx ships `MockTransport`) so callers and tests can run whole turns without
the retrieval stack: results are deterministic, boosted sections first, then by shared words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .knowledge import Section, section_index
from .types import PassageRef

_WORD = re.compile(r"[a-z]{4,}")


class MemoryRetriever:
    """Ranks whole sections: sections named in `boost_sections` first (in that order), then by how many
    words of four letters or more they share with the query, then by their order in the knowledge files."""

    def __init__(self, knowledge_dirs: Iterable[Path] | None = None) -> None:
        if knowledge_dirs is None:
            from .settings import get_settings

            knowledge_dirs = get_settings().knowledge_dirs
        self.sections: dict[str, Section] = section_index(knowledge_dirs)
        self._words = {sid: set(_WORD.findall(s.text.lower())) for sid, s in self.sections.items()}

    def search(self, query: str, k: int = 4, boost_sections: Sequence[str] = ()) -> list[PassageRef]:
        words = set(_WORD.findall(query.lower()))
        boosted = list(boost_sections)

        def rank(section: Section) -> tuple[int, int]:
            boost = boosted.index(section.id) if section.id in boosted else len(boosted)
            return boost, -len(words & self._words[section.id])

        chosen = sorted(self.sections.values(), key=rank)[:k]
        return [PassageRef(f"{s.id}#0", s.id, s.title, s.source, s.text, 1.0) for s in chosen]
