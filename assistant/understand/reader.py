"""How the understander reads the lexicon's examples: the `lexicon.Reader` that `lexicon check` uses.

Why its own module: the linter in `assistant.lexicon` must not import the understander (which imports the
lexicon), so the meaning of an example, the fact, the answer, the intent or the language the understander
reads into it, is supplied from here.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..types import TurnContext, Value
from .fields import extract_fields
from .language import detect_language
from .replies import read_answer, reply_polarity
from .text import clean_text
from .understander import RuleBasedUnderstander

__all__ = ["CODE_FRAGMENTS", "LexiconReader"]

# Fragments the code builds patterns from (so the linter does not call them unused)
CODE_FRAGMENTS = (
    "BUDGET_LOW",
    "BUDGET_MEDIUM",
    "BUDGET_HIGH",
    "LABELS_PLENTY_WORDS",
    "LABELS_SOME_WORDS",
    "MAKE_VERB",
    "WRITERS",
)


class LexiconReader:
    """Reads an example as the offline understander does (patterns alone)."""

    def __init__(self) -> None:
        self.understander = RuleBasedUnderstander()

    def normalize(self, text: str) -> str:
        return clean_text(text).lower().replace("\n", " . ")

    def fields(self, text: str) -> Mapping[str, Value]:
        return extract_fields(self.normalize(text))

    def answer(self, field: str, text: str) -> Mapping[str, Value] | None:
        flat = self.normalize(text)
        return read_answer(field, flat, reply_polarity(flat, False))

    def intent(self, text: str, pending: bool) -> tuple[str, str | None]:
        turn = self.understander.understand(text, TurnContext(pending_what_if=pending))
        return str(turn.intent), str(turn.target) if turn.target else None

    def language(self, text: str) -> str | None:
        found = detect_language(clean_text(text).lower())
        return found.code if found else None
