"""Reading the lexicon's YAML files with the line of every mapping, key and list item kept for messages.

Why its own module: how a file is read (libyaml when installed, duplicate keys refused, lines remembered,
safe reading through `files`) is separate from what the files may say (`loader`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..files import RULES_LIMIT, read_text

__all__ = ["read_document", "read_documents"]

Report = Callable[[str, int, "str | None", "str | None", str], None]
CheckKeys = Callable[[object, str, str, int, "str | None"], bool]


class _Seq(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    lines: list[int]


def _loader() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        out: dict[Any, Any] = {"__line__": node.start_mark.line + 1, "__lines__": {}}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            out[key] = loader.construct_object(value_node, deep=True)
            block = getattr(value_node, "style", None) in ("|", ">")
            out["__lines__"][key] = value_node.start_mark.line + 1 + block
        return out

    def sequence(loader: Any, node: Any, deep: bool = False) -> _Seq:
        out = _Seq(loader.construct_object(item, deep=True) for item in node.value)
        out.lines = [item.start_mark.line + 1 for item in node.value]
        return out

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)
    return Loader


def read_document(path: Path, bad: Report) -> tuple[bool, Any]:
    """(read, data) for one YAML file, every mapping with its `__line__` and `__lines__`; an unreadable file
    is (False, None) and a problem."""
    import yaml

    file = str(path)
    try:
        return True, yaml.load(read_text(path, what="the lexicon file", limit=RULES_LIMIT), Loader=_loader())
    except InputFileError as exc:
        bad(file, 0, None, None, str(exc).removeprefix(f"{file}: "))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        bad(file, mark.line + 1 if mark else 0, None, None, f"not valid YAML: {getattr(exc, 'problem', exc)}")
    return False, None


def read_documents(directory: Path, bad: Report, keys: CheckKeys) -> list[tuple[str, dict[str, Any]]]:
    """Every *.yaml file in `directory` as (file name, mapping); problems go to `bad`."""
    docs = []
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        bad(str(directory), 0, None, None, "no lexicon files (*.yaml) here")
    for path in paths:
        file = str(path)
        read, data = read_document(path, bad)
        if not read or not keys(data, "file", file, 1, None):
            continue
        docs.append((file, data))
    return docs
