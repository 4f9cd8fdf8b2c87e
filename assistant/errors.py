"""One error hierarchy: every failure the library reports is a `ModelchoiceError` with a fix-it message.

Front ends catch the base class and print the message; nothing else needs to know the subclasses. The
builtin bases (ValueError, RuntimeError) stay as mixins so older callers' `except ValueError` still work.
Dependency-free, like `types`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any


class ModelchoiceError(Exception):
    """Base of every error the library raises on purpose; `str(error)` is meant for the user."""


class SettingsError(ModelchoiceError, ValueError):
    """A bad setting; the message names the variable or flag."""


class ProfileError(ModelchoiceError, ValueError):
    """Bad profile input. The message names the field and the allowed values."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RulesError(ModelchoiceError, ValueError):
    """A rules file that cannot be used; the message names the file, line, rule and field.

    Takes a message or the list of every problem found (`problems`, one line each), so an editor
    sees all of them at once."""

    def __init__(self, problems: str | Sequence[object]) -> None:
        self.problems: list[Any] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class KnowledgeError(ModelchoiceError, ValueError):
    """A knowledge file that cannot be used; the message names the file and section."""


class SessionError(ModelchoiceError, ValueError):
    """A session file that cannot be read or written; the message says which file and why."""


class InputFileError(ModelchoiceError, ValueError):
    """An input file that cannot be read safely (size, encoding, nesting, permissions)."""


class OutputError(ModelchoiceError, OSError):
    """An output that cannot be written (it would overwrite an input, no space, no permission)."""


class SessionSaveError(OutputError):
    """The turn was answered but the session could not be saved. The CLI exits 1 (not 2): the input
    was fine, the answer was shown, and the session file on disk is left as it was."""


class RetrievalError(ModelchoiceError, ValueError):
    """The knowledge store or a search cannot be used; the message says what to do."""


class QueryError(RetrievalError):
    """A query that cannot be searched (empty, not text): no passages, but nothing is broken."""


class EmbeddingConfigError(RetrievalError):
    """An embedding setting that cannot be used."""


class LLMErrorKind(StrEnum):
    """Why an LLM call failed: short, safe to show, and the key of the user-facing notice."""

    TIMEOUT = "timeout"
    DEADLINE = "deadline"
    CONNECTION = "connection"
    HTTP = "http"
    BROKEN_STREAM = "broken_stream"
    BAD_RESPONSE = "bad_response"
    NO_MODEL = "no_model"
    NO_SERVER = "no_server"
    NOT_STARTED = "not_started"
    NO_KEY = "no_key"
    NO_LLM = "no_llm"
    ERROR = "error"


class LLMError(ModelchoiceError, RuntimeError):
    """The LLM could not produce an answer. `label` is "timeout", "http_429", ... (kind plus status)."""

    def __init__(self, kind: LLMErrorKind, detail: str = "", status: int | None = None) -> None:
        self.kind = kind
        self.status = status
        super().__init__(f"{self.label}: {detail}" if detail else self.label)

    @property
    def label(self) -> str:
        return f"http_{self.status}" if self.kind is LLMErrorKind.HTTP else str(self.kind)
