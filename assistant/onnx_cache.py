"""The on-disk cache of ONNX exports: `<data_dir>/onnx/<sha256 of the weights, 16 hex>/`.

Why keyed by the weights' hash: a different weights file (a new package version) must never reuse an
export of the old one, and the same weights in another install can. A directory is valid when its
`meta.json` (written last) matches the weights' hash and the export format, and the files match what
meta.json recorded; anything else is re-exported. Exports run in a child process (`assistant.onnx_export`,
torch) under an `fcntl.flock` on `<digest>.lock`, so two processes starting at once produce one export;
files are published by temp file + `os.replace`, so a reader sees the old file or the new one, never half.

Hashing 90 MB costs ~60 ms, so a file's sha256 is reused while its (size, mtime_ns) are unchanged (as
make and rsync do); a file rewritten in place with its mtime restored is caught later by the probe check.
This module imports neither torch nor onnxruntime.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .onnx_export import EXIT_MISSING_DEPENDENCY, FORMAT

log = logging.getLogger(__name__)

SUBDIR = "onnx"
DIGEST_CHARS = 16
FILES = ("model.onnx", "tokenizer.json")
EXPORT_TIMEOUT_S = 600.0
_DIGEST_MEMO = "weights-digests.json"


class ExportUnavailable(RuntimeError):
    """No valid export and none can be made here (torch, transformers or onnx missing, or export failed)."""

    def __init__(self, message: str, missing_dependency: bool = False) -> None:
        super().__init__(message)
        self.missing_dependency = missing_dependency


class CorruptExport(RuntimeError):
    """A cached export that does not load, or loads but is not the model it claims to be."""


@dataclass(frozen=True)
class Export:
    """A valid cached export: its directory and the meta.json it was published with."""

    directory: Path
    meta: dict[str, Any]

    @property
    def model(self) -> Path:
        return self.directory / "model.onnx"

    @property
    def tokenizer(self) -> Path:
        return self.directory / "tokenizer.json"


def weights_file(model_dir: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (model_dir / name).is_file():
            return model_dir / name
    raise ExportUnavailable(f"{model_dir}: no model.safetensors or pytorch_model.bin to export")


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _signature(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, then rename over `path`."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp's 0600 would hide the file from a shared server user
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def weights_digest(weights: Path, cache_root: Path) -> str:
    """sha256 of the weights file, memoised in `<cache_root>/weights-digests.json` by (size, mtime_ns)."""
    memo_path = cache_root / _DIGEST_MEMO
    key = str(weights.resolve())
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    signature = _signature(weights)
    entry = memo.get(key)
    if isinstance(entry, dict) and entry.get("signature") == signature:
        recorded = entry.get("sha256")
        if isinstance(recorded, str):
            return recorded
    digest = sha256_file(weights)
    memo[key] = {"signature": signature, "sha256": digest}
    try:  # a memo that cannot be written only costs a re-hash next time
        cache_root.mkdir(parents=True, exist_ok=True)
        _write_atomic(memo_path, json.dumps(memo, indent=1).encode("utf-8"))
    except OSError as exc:
        log.debug("cannot write %s: %s", memo_path, exc)
    return digest


def export_dir(cache_root: Path, digest: str) -> Path:
    return cache_root / digest[:DIGEST_CHARS]


def check(directory: Path, digest: str) -> tuple[Export | None, str]:
    """(export, "") when `directory` holds a valid export of the weights `digest`, else (None, why)."""
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "no export yet"
    except (OSError, ValueError) as exc:
        return None, f"unreadable meta.json ({exc})"
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("weights_sha256") != digest:
        return None, "an export of other weights or of an older format"
    for name in FILES:
        recorded = meta.get("files", {}).get(name)
        try:
            signature = _signature(directory / name)
        except OSError:
            return None, f"{name} is missing"
        if not isinstance(recorded, dict) or signature[0] != recorded.get("signature", [None])[0]:
            return None, f"{name} has the wrong size"
        if signature != recorded["signature"] and sha256_file(directory / name) != recorded.get("sha256"):
            return None, f"{name} does not match its recorded sha256"
    return Export(directory, meta), ""


@contextlib.contextmanager
def export_lock(cache_root: Path, digest: str) -> Iterator[None]:
    """Exclusive cross-process lock for one export directory (released when the process dies, too)."""
    cache_root.mkdir(parents=True, exist_ok=True)
    with open(cache_root / f"{digest[:DIGEST_CHARS]}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another process to finish the ONNX export in %s", cache_root)
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _publish(staging: Path, target: Path, digest: str, extra: dict[str, Any]) -> Export:
    """Move staged files into `target`; meta.json goes last and is removed first (it marks validity)."""
    target.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        (target / "meta.json").unlink()
    files: dict[str, Any] = {}
    for name in FILES:
        os.replace(staging / name, target / name)
        files[name] = {"signature": _signature(target / name), "sha256": sha256_file(target / name)}
    meta = {**extra, "format": FORMAT, "weights_sha256": digest, "files": files}
    _write_atomic(target / "meta.json", json.dumps(meta).encode("utf-8"))
    export, why = check(target, digest)
    if export is None:  # pragma: no cover - only if another writer ignores the lock
        raise ExportUnavailable(f"the export just written to {target} is not valid: {why}")
    return export


def _run_export(model_dir: Path, staging: Path) -> dict[str, Any]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1")
    # -P: the working directory is not put on sys.path, so no other `assistant` package can shadow ours.
    command = [sys.executable, "-P", "-m", "assistant.onnx_export", str(model_dir), str(staging)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=EXPORT_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExportUnavailable(f"the ONNX export could not run: {exc}") from None
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise ExportUnavailable(
            lines[-1] if lines else f"the ONNX export failed (exit {result.returncode})",
            missing_dependency=result.returncode == EXIT_MISSING_DEPENDENCY,
        )
    info: dict[str, Any] = json.loads((staging / "export.json").read_text(encoding="utf-8"))
    return info


def ensure_export(model_dir: Path, cache_root: Path, *, source: Export | None = None) -> Export:
    """A valid export of `model_dir` under `cache_root`: the cached one, else a copy of `source` (an export
    of the same weights elsewhere), else a new one made by torch in a child process."""
    digest = weights_digest(weights_file(model_dir), cache_root)
    target = export_dir(cache_root, digest)
    export, why = check(target, digest)
    if export is not None:
        return export
    with export_lock(cache_root, digest):
        export, why = check(target, digest)  # another process may have finished it while we waited
        if export is not None:
            return export
        if why != "no export yet":
            log.warning("re-exporting the ONNX model in %s: %s", target, why)
        prefix = f".export-{digest[:DIGEST_CHARS]}-"
        for stale in cache_root.glob(f"{prefix}*"):  # left by a process killed mid-export (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix=prefix, dir=cache_root) as temp:
            staging = Path(temp)
            if source is not None and source.meta.get("weights_sha256") == digest:
                for name in FILES:  # same filesystem: a hard link, else a copy
                    try:
                        os.link(source.directory / name, staging / name)
                    except OSError:
                        shutil.copyfile(source.directory / name, staging / name)
                extra = {k: v for k, v in source.meta.items() if k not in ("files", "weights_sha256")}
            else:
                log.info("exporting %s to ONNX in %s (once; takes a few seconds)", model_dir, target)
                extra = _run_export(model_dir, staging)
            return _publish(staging, target, digest, extra)


def discard(export: Export, why: str) -> None:
    """Invalidate a cached export that failed to load, so the next `ensure_export` rebuilds it."""
    log.warning(
        "the cached ONNX export in %s is unusable (%s); it will be re-exported", export.directory, why
    )
    digest = str(export.meta.get("weights_sha256", ""))
    with export_lock(export.directory.parent, digest), contextlib.suppress(OSError, ValueError):
        current = json.loads((export.directory / "meta.json").read_text(encoding="utf-8"))
        if current == export.meta:  # not already replaced by another process
            (export.directory / "meta.json").unlink()
