"""The CLI's shared options, declared once: commands and the main group (and plug-ins such as `eval`) use
the same flags with the same help."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

__all__ = ["extra_knowledge", "knowledge_option", "lang_option", "llm_option", "session_option"]


def knowledge_option(function: Any) -> Any:
    """Works before and after the command: `modelchoice --knowledge D ask` or `... ingest --knowledge D`."""
    return click.option(
        "--knowledge",
        "knowledge_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Extra knowledge directory (repeatable; adds to MODELCHOICE_KNOWLEDGE).",
    )(function)


def lang_option(function: Any) -> Any:
    """Works before and after the command: `modelchoice --lang ru chat` or `modelchoice chat --lang ru`."""
    return click.option(
        "--lang",
        type=click.Choice(["auto", "en", "ru"]),
        help="Answer language (MODELCHOICE_LANG; default auto: the language of each message).",
    )(function)


def extra_knowledge(knowledge_dirs: tuple[Path, ...]) -> tuple[Path, ...] | None:
    """Extra directories from a flag add to those already configured; None leaves the settings alone."""
    from .settings import DEFAULT_KNOWLEDGE, get_settings

    if not knowledge_dirs:
        return None
    configured = (d for d in get_settings().knowledge_dirs if d != DEFAULT_KNOWLEDGE)
    return tuple(dict.fromkeys((*configured, *knowledge_dirs)))


def session_option(function: Any) -> Any:
    return click.option(
        "--session",
        "session_file",
        type=click.Path(path_type=Path),
        help="JSON file holding the conversation; created if missing, saved after each turn.",
    )(function)


def llm_option(function: Any) -> Any:
    return click.option(
        "--llm",
        type=click.Choice(["none", "local", "openai"]),
        help="Who writes the explanation (MODELCHOICE_LLM; default none: offline, deterministic).",
    )(function)
