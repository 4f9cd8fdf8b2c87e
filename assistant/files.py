"""One safe reader and writer for every file the library touches.

User files are hostile input: this module bounds what reading one can cost (size, nesting, YAML
aliases, number of values), turns every decoding or OS failure into a message that names the file
and says what to do, and makes outputs atomic and unable to overwrite the inputs they came from.
"""

from __future__ import annotations

import codecs
import errno
import fcntl
import json
import logging
import os
import re
import stat
import sys
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

from .errors import InputFileError, ModelchoiceError, OutputError

log = logging.getLogger(__name__)

PROFILE_LIMIT = 1_000_000  # bytes; a real profile is a few hundred
SESSION_LIMIT = 4_000_000  # a long conversation (hundreds of turns) stays well below
RULES_LIMIT = 2_000_000
KNOWLEDGE_LIMIT = 5_000_000  # per Markdown file
MAX_DEPTH = 50  # nesting levels; real files use fewer than 6
MAX_NODES = 50_000  # YAML values per document; bounds the cost of building them

ErrorType = type[ModelchoiceError]

_REASONS = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a directory, not a file",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
}

# Inputs read by this process, so that no output can overwrite one (`record --out SESSION`).
_input_paths: set[str] = set()
_input_inodes: set[tuple[int, int]] = set()


def reason(exc: OSError) -> str:
    """A plain-words reason for an OS error (no errno numbers, no Python class names)."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def _remember_input(path: Path, info: os.stat_result) -> None:
    _input_paths.add(os.path.realpath(path))
    _input_inodes.add((info.st_dev, info.st_ino))


def forget_inputs() -> None:
    """Clear the record of files read (for long-running processes and tests)."""
    _input_paths.clear()
    _input_inodes.clear()


# --- reading ---------------------------------------------------------------------------------
def decode(data: bytes, origin: str, error: ErrorType = InputFileError) -> str:
    """UTF-8 text (an optional BOM is dropped); anything else is refused with the offending byte."""
    fix = "re-save it as UTF-8 (in most editors: Save As, encoding UTF-8)"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise error(f"{origin}: the file is UTF-32 text (it starts with a UTF-32 byte-order mark); {fix}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise error(f"{origin}: the file is UTF-16 text (it starts with a UTF-16 byte-order mark); {fix}")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        raise error(
            f"{origin}: not UTF-8 text: byte 0x{data[offset]:02x} at offset {offset} is not valid UTF-8; "
            f"{fix}"
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        head = data[:200]
        utf16 = max(head[0::2].count(0), head[1::2].count(0)) >= len(head) // 5  # ASCII as UTF-16
        kind = "UTF-16 text without a byte-order mark" if utf16 else "binary data, not text"
        raise error(f"{origin}: looks like {kind} (a NUL byte at offset {skip + nul}); {fix}")
    return text


def read_bytes(path: Path, *, what: str = "the file", limit: int, error: ErrorType = InputFileError) -> bytes:
    """At most `limit` bytes of a regular file (or pipe); OS errors become messages naming the path."""
    path = Path(path)
    if str(path) in ("", "."):
        raise error(f"no file name given for {what}")
    try:
        # O_NONBLOCK: opening a FIFO without a writer must not hang; reads are blocking again below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {reason(exc)}") from None
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: cannot read {what}: it is a directory, not a file")
        if info.st_size > limit:
            raise error(_too_big(path, what, limit, info.st_size))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise error(_too_big(path, what, limit, None))
        _remember_input(path, info)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {reason(exc)}") from None
    finally:
        os.close(fd)


def _too_big(path: Path | str, what: str, limit: int, size: int | None) -> str:
    actual = f" ({size:,} bytes)" if size is not None else ""
    return f"{path}: {what} is too large{actual}; the limit is {limit:,} bytes. Is this the right file?"


def read_text(path: Path, *, what: str = "the file", limit: int, error: ErrorType = InputFileError) -> str:
    """A bounded, UTF-8 decoded file; every failure is an `error` naming the file."""
    return decode(read_bytes(path, what=what, limit=limit, error=error), str(path), error)


def read_stdin(*, what: str = "the input", limit: int, error: ErrorType = InputFileError) -> str:
    """Standard input, bounded and decoded like a file; a closed stdin is a message, not a crash."""
    stream = sys.stdin
    if stream is None or getattr(stream, "closed", False):
        raise error(f"stdin is closed: pipe {what} in (e.g. `< profile.yaml`) or pass a file name")
    try:
        binary = getattr(stream, "buffer", None)
        if binary is not None:
            data = binary.read(limit + 1)
        else:  # a text stream without a buffer (embedding, tests)
            data = stream.read(limit + 1).encode("utf-8", "surrogateescape")
    except (OSError, ValueError) as exc:
        detail = reason(exc) if isinstance(exc, OSError) else "it is closed"
        raise error(f"stdin: cannot read {what}: {detail}") from None
    if len(data) > limit:
        raise error(_too_big("stdin", what, limit, None))
    return decode(data, "stdin", error)


# --- parsing ---------------------------------------------------------------------------------
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


def check_json_depth(
    text: str, origin: str, error: ErrorType = InputFileError, max_depth: int = MAX_DEPTH
) -> None:
    """Refuse deep nesting before `json` recurses into it (a cheap scan of brackets outside strings)."""
    depth = 0
    for match in _BRACKETS.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > max_depth:
            raise error(_too_deep(origin, max_depth))


def _too_deep(origin: str, max_depth: int) -> str:
    return f"{origin}: nested more than {max_depth} levels deep, which no modelchoice file is"


def load_json(text: str, origin: str, error: ErrorType = InputFileError, max_depth: int = MAX_DEPTH) -> Any:
    """JSON with bounded nesting; a syntax error names the line and column."""
    check_json_depth(text, origin, error, max_depth)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{origin}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise error(f"{origin}: not valid JSON ({exc})") from None


def _safe_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when installed: much faster


def check_yaml(
    text: str,
    origin: str,
    error: ErrorType = InputFileError,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> None:
    """Walk the YAML events (a flat, non-recursive pass) and refuse aliases, deep nesting and
    documents with so many values that building them would be slow; nothing is constructed yet."""
    import yaml

    depth = nodes = 0
    try:
        for event in yaml.parse(text, Loader=_safe_loader()):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise error(
                    f"{origin}: line {line}: YAML anchors and aliases (&name, *name) are not "
                    "allowed; write the values out in full"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    raise error(_too_deep(origin, max_depth))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > max_nodes:
                    raise error(
                        f"{origin}: more than {max_nodes:,} values; this is not a file modelchoice reads"
                    )
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml's own limit (1000), met while scanning ahead
            raise error(_too_deep(origin, max_depth)) from None
        raise error(f"{origin}: not valid YAML or JSON ({_yaml_problem(exc)})") from None


def _yaml_problem(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return f"{exc.__class__.__name__}: {exc}"


def load_yaml(
    text: str,
    origin: str,
    error: ErrorType = InputFileError,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Any:
    """YAML (or JSON) from a user file, safely: checked by `check_yaml`, then built by the safe loader.
    Any failure is an `error` naming the origin."""
    import yaml

    check_yaml(text, origin, error, max_depth=max_depth, max_nodes=max_nodes)
    try:
        return yaml.load(text, Loader=_safe_loader())
    except yaml.YAMLError as exc:
        raise error(f"{origin}: not valid YAML or JSON ({_yaml_problem(exc)})") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date 2024-13-45, a 5000-digit number
        raise error(f"{origin}: a value cannot be read ({exc})") from None


# --- writing ---------------------------------------------------------------------------------
def _same_as_input(path: Path) -> bool:
    if os.path.realpath(path) in _input_paths:
        return True
    try:
        info = os.stat(path)
    except OSError:
        return False
    return (info.st_dev, info.st_ino) in _input_inodes


def check_output(path: Path, *, what: str = "the output", allow: Path | None = None) -> None:
    """Refuse an output path that is empty, a directory, or one of the files this process read
    (except `allow`, the one file a command means to update, e.g. its own session)."""
    if str(path) in ("", "."):
        raise OutputError(f"no file name given for {what}")
    if os.path.isdir(path):
        raise OutputError(f"{path}: cannot write {what}: it is a directory; give a file name")
    allowed = allow is not None and os.path.realpath(path) == os.path.realpath(allow)
    if not allowed and _same_as_input(path):
        raise OutputError(
            f"{path}: refusing to write {what} over a file it was read from (that would destroy it); "
            "choose another file name"
        )


def write_text(path: Path, text: str, *, what: str = "the output", allow: Path | None = None) -> None:
    """Atomic write: a temp file in the same directory, fsync, then rename over the target, so a
    crash, a full disk or a concurrent reader never sees half a file. Failures are `OutputError`s."""
    path = Path(path)
    check_output(path, what=what, allow=allow)
    target = Path(os.path.realpath(path))  # write through a symlink, keep the link
    data = text.encode("utf-8")
    try:
        info: os.stat_result | None = os.stat(path)
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(path, data, what)  # /dev/stdout, a pipe: never rename over a device
        return
    if info is None:
        umask = os.umask(0o022)  # read it: a new file gets the usual permissions, not mkstemp's 0600
        os.umask(umask)
    mode = info.st_mode & 0o777 if info is not None else 0o666 & ~umask
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write {what}: {reason(exc)} (in {target.parent})") from None
    try:
        try:
            _write(fd, data)
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write {what}: {reason(exc)}; nothing was changed") from None
        raise
    _fsync_dir(target.parent)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_special(path: Path, data: bytes, what: str) -> None:
    """A device or pipe (e.g. /dev/stdout, /dev/full) is written in place; errors still become messages."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            _write(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write {what}: {reason(exc)}") from None


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable; best effort (some file systems refuse to fsync a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        log.debug("could not fsync %s", directory)
    finally:
        os.close(fd)
