"""All configuration in one typed object: environment variables first, then CLI flags on top.

Nothing here imports a heavy library; everything that talks to the network is off unless configured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from .types import LANGUAGES

# The shipped rules and knowledge: `knowledge/` in the repository, package data `assistant.data` in a wheel.
DEFAULT_KNOWLEDGE = Path(str(files("assistant.data")))
LLM_PROVIDERS = ("none", "local", "openai")
RETRIEVAL_METHODS = ("fusion", "dense", "bm25")


class SettingsError(ValueError):
    """A bad setting; the message names the variable or flag."""


def _user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "modelchoice"


def _env_paths(name: str) -> list[Path]:
    return [Path(p).expanduser() for p in os.environ.get(name, "").split(os.pathsep) if p.strip()]


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None


@dataclass(frozen=True)
class Settings:
    # Data that a domain expert edits.
    rules_file: Path = DEFAULT_KNOWLEDGE / "rules.yaml"
    knowledge_dirs: tuple[Path, ...] = (DEFAULT_KNOWLEDGE,)
    # Retrieval.
    data_dir: Path = field(default_factory=_user_data_dir)
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8001 for a shared `chroma run` server
    collection: str = "modelchoice-knowledge"
    embedding: str = (
        "local"  # local | st:/path/to/sentence-transformers-model | openai:text-embedding-3-small
    )
    retrieval: str = "fusion"
    # LLM (off by default: nothing leaves the machine unless configured).
    llm: str = "none"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    local_model_path: Path | None = None
    llm_timeout: float = 30.0  # seconds per request, and the stall limit between streamed tokens
    llm_max_retries: int = 1
    llm_max_tokens: int = 400
    llm_max_chars: int = 4000  # streamed characters per answer; a longer (endless) stream is cut off
    llm_deadline: float = 30.0  # seconds for a whole LLM turn (retries included); then the standard answer
    # Answers: "auto" answers in the language of each message; "en" / "ru" always in that language.
    language: str = "auto"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        extra = _env_paths("MODELCHOICE_KNOWLEDGE")
        settings = cls(
            rules_file=Path(env("MODELCHOICE_RULES") or DEFAULT_KNOWLEDGE / "rules.yaml").expanduser(),
            knowledge_dirs=(DEFAULT_KNOWLEDGE, *extra),
            data_dir=Path(data_dir).expanduser()
            if (data_dir := env("MODELCHOICE_DATA_DIR"))
            else _user_data_dir(),
            chroma_url=env("MODELCHOICE_CHROMA_URL") or None,
            embedding=env("MODELCHOICE_EMBEDDING") or "local",
            retrieval=env("MODELCHOICE_RETRIEVAL") or "fusion",
            llm=env("MODELCHOICE_LLM") or "none",
            openai_api_key=env("OPENAI_API_KEY") or None,
            openai_base_url=env("OPENAI_BASE_URL") or None,
            openai_model=env("MODELCHOICE_OPENAI_MODEL") or env("OPENAI_MODEL") or "gpt-4o-mini",
            local_model_path=Path(model) if (model := env("MODELCHOICE_LOCAL_MODEL")) else None,
            llm_timeout=_env_float("MODELCHOICE_LLM_TIMEOUT", 30.0),
            llm_max_retries=int(_env_float("MODELCHOICE_LLM_MAX_RETRIES", 1)),
            llm_max_tokens=int(_env_float("MODELCHOICE_LLM_MAX_TOKENS", 400)),
            llm_max_chars=int(_env_float("MODELCHOICE_LLM_MAX_CHARS", 4000)),
            llm_deadline=_env_float("MODELCHOICE_LLM_DEADLINE", 30.0),
            language=env("MODELCHOICE_LANG") or "auto",
        )
        settings.validate()
        return settings

    def with_overrides(self, **overrides: Any) -> Settings:
        """Apply CLI flags; None means 'flag not given'."""
        known = {f.name for f in fields(self)}
        changes = {k: v for k, v in overrides.items() if v is not None and k in known}
        if "knowledge_dirs" in changes:
            changes["knowledge_dirs"] = (DEFAULT_KNOWLEDGE, *map(Path, changes["knowledge_dirs"]))
        updated = replace(self, **changes)
        updated.validate()
        return updated

    def validate(self) -> None:
        if self.llm not in LLM_PROVIDERS:
            raise SettingsError(f"llm={self.llm!r}: use one of {', '.join(LLM_PROVIDERS)}")
        if self.retrieval not in RETRIEVAL_METHODS:
            raise SettingsError(f"retrieval={self.retrieval!r}: use one of {', '.join(RETRIEVAL_METHODS)}")
        if self.language not in ("auto", *LANGUAGES):
            raise SettingsError(f"language={self.language!r}: use one of auto, {', '.join(LANGUAGES)}")
        limits = (self.llm_timeout, self.llm_deadline, self.llm_max_tokens, self.llm_max_chars)
        if min(limits) <= 0 or self.llm_max_retries < 0:
            raise SettingsError("LLM timeout, deadline and max tokens must be positive, retries not negative")


_current: Settings | None = None


def get_settings() -> Settings:
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def configure(**overrides: Any) -> Settings:
    """Set the process-wide settings from CLI flags (tests pass a whole Settings via `use`)."""
    global _current
    _current = get_settings().with_overrides(**overrides)
    return _current


def use(settings: Settings | None) -> None:
    global _current
    _current = settings
