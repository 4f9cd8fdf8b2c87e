"""An in-memory `Retriever` over the knowledge sections: no Chroma, no embedding model, no I/O after load.

Shipped in the package (as httpx ships `MockTransport`) so callers and tests can run whole turns without
the retrieval stack: results are deterministic, boosted sections first, then by shared words. It is also
the conversation's fallback when the store cannot be reached, so a Russian question is matched against the
Russian sections (knowledge/ru/) by Snowball stems: Russian inflects, and 'модели' must meet 'моделей'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .knowledge import Section, section_index, translation_dirs
from .types import PassageRef
from .words import tokenize_ru

_WORD = re.compile(r"[a-z]{4,}")


def _words(text: str, lang: str) -> set[str]:
    if lang == "ru":  # stems of three letters or more (a Russian stem is shorter than its word)
        return {token for token in tokenize_ru(text) if len(token) >= 3}
    return set(_WORD.findall(text.lower()))


class MemoryRetriever:
    """Ranks whole sections: sections named in `boost_sections` first (in that order), then by how many
    words (English: of four letters or more; Russian: stems) they share with the query, then by their order
    in the knowledge files. `lang="ru"` ranks the Russian sections (the English ones if there are none)."""

    def __init__(self, knowledge_dirs: Iterable[Path] | None = None) -> None:
        if knowledge_dirs is None:
            from .settings import get_settings

            knowledge_dirs = get_settings().knowledge_dirs
        self.knowledge_dirs = tuple(knowledge_dirs)
        self.sections: dict[str, Section] = section_index(self.knowledge_dirs)
        self._words = {sid: _words(s.text, "en") for sid, s in self.sections.items()}
        self._translated: dict[str, tuple[dict[str, Section], dict[str, set[str]]]] = {}

    def _in(self, lang: str) -> tuple[dict[str, Section], dict[str, set[str]]]:
        """The sections in `lang` and their words (the translation folders are read on first use)."""
        if lang == "en":
            return self.sections, self._words
        if lang not in self._translated:
            dirs = translation_dirs(self.knowledge_dirs, lang)
            sections = section_index(dirs) if dirs else self.sections
            words = {sid: _words(s.text, lang) for sid, s in sections.items()} if dirs else self._words
            self._translated[lang] = (sections, words)
        return self._translated[lang]

    def search(
        self, query: str, k: int = 4, boost_sections: Sequence[str] = (), lang: str = "en"
    ) -> list[PassageRef]:
        sections, section_words = self._in(lang)
        words = _words(query, lang if section_words is not self._words else "en")
        boosted = list(boost_sections)

        def rank(section: Section) -> tuple[int, int]:
            boost = boosted.index(section.id) if section.id in boosted else len(boosted)
            return boost, -len(words & section_words[section.id])

        chosen = sorted(sections.values(), key=rank)[:k]
        return [PassageRef(f"{s.id}#0", s.id, s.title, s.source, s.text, 1.0) for s in chosen]
