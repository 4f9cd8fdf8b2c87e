"""Sentence embeddings with ONNX Runtime and `tokenizers`: the torch-free path of `embedding=local`.

Runs an export made by `assistant.onnx_export` (found or made by `assistant.onnx_cache`): the tokenizer
truncates to the model's max_seq_length (256 word pieces for all-MiniLM-L6-v2, as sentence-transformers
does), and the graph itself mean-pools over the attention mask and L2-normalises, so one output row is the
final embedding. Importing this module costs ~0.2 s (numpy, onnxruntime, tokenizers), not the ~9 s of
torch + transformers + sentence-transformers.

Threads, on purpose: the query session runs with 1 intra-op and 1 inter-op thread. On a 2-core machine
parallelism comes from serving concurrent requests; a session that spreads one query over every core
collapses under load (measured with torch: 27 ms a query at 1 thread, ~500 ms at 2 threads while other
work competes for the cores). Batch work (ingest) gets a second session, created on first use, with one
intra-op thread per available core and no spinning, because there one process owns the job.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from . import onnx_cache
from .onnx_cache import CorruptExport, Export

log = logging.getLogger(__name__)

QUERY_THREADS = 1
BATCH_SIZE = 32
BATCH_SESSION_MIN_TEXTS = 8  # fewer texts than this go through the query session (no second session)
PROBE_MIN_COSINE = 0.9999
QUERY_CACHE_SIZE = 2048


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def session_options(intra_op_threads: int, *, spinning: bool = True) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = intra_op_threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: ORT's warnings would go to stderr, not to logging
    if not spinning:  # idle pool threads sleep instead of burning the cores other processes need
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


class OnnxEmbeddings:
    """`embeddings.TextEmbeddings` over an ONNX export: normalised float32 vectors, CPU, thread-safe."""

    def __init__(self, export: Export, *, batch_threads: int | None = None) -> None:
        self.export = export
        self.max_seq_length = int(export.meta["max_seq_length"])
        self.dimensions = int(export.meta["dimensions"])
        self.batch_threads = batch_threads or available_cores()
        try:
            tokenizer = Tokenizer.from_file(str(export.tokenizer))
            tokenizer.enable_truncation(self.max_seq_length)
            tokenizer.no_padding()  # padding is done here, to the longest text of each batch
            self.tokenizer = tokenizer
            self.query_session = self._session(QUERY_THREADS)
        except Exception as exc:  # ORT raises its own Fail/InvalidProtobuf types for a damaged file
            raise CorruptExport(f"cannot load {export.directory}: {exc}") from exc
        self._batch_session: ort.InferenceSession | None = None
        self._batch_lock = threading.Lock()
        self._check_probe()

    def _session(self, threads: int, *, spinning: bool = True) -> ort.InferenceSession:
        return ort.InferenceSession(
            str(self.export.model),
            sess_options=session_options(threads, spinning=spinning),
            providers=["CPUExecutionProvider"],
        )

    def _check_probe(self) -> None:
        """Embed the probe sentence and compare with torch's vector from export time (~5 ms): catches a
        damaged model file that still parses."""
        expected = np.asarray(self.export.meta["probe_vector"], dtype=np.float32)
        try:
            got = self._run(self.query_session, [self.export.meta["probe_text"]])[0]
        except Exception as exc:  # a damaged graph can load and still fail to run
            raise CorruptExport(f"{self.export.model} fails on its probe sentence: {exc}") from exc
        if got.shape != expected.shape or not np.isfinite(got).all():
            raise CorruptExport(f"{self.export.model} gives {got.shape} vectors, expected {expected.shape}")
        cosine = float(np.dot(got, expected))
        if cosine < PROBE_MIN_COSINE:
            raise CorruptExport(f"{self.export.model} no longer reproduces its probe (cosine {cosine:.6f})")

    @property
    def batch_session(self) -> ort.InferenceSession:
        """All cores for ingest (one process owns that job); created once, on first use."""
        with self._batch_lock:
            if self._batch_session is None:
                self._batch_session = self._session(self.batch_threads, spinning=False)
            return self._batch_session

    def _run(self, session: ort.InferenceSession, texts: Sequence[str]) -> np.ndarray:
        encodings = (
            [self.tokenizer.encode(texts[0])] if len(texts) == 1 else self.tokenizer.encode_batch(list(texts))
        )
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        output = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.ascontiguousarray(output, dtype=np.float32)

    def embed_matrix(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimensions) float32. Texts are batched by length so little padding is computed."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        session = self.batch_session if len(texts) >= BATCH_SESSION_MIN_TEXTS else self.query_session
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            result[rows] = self._run(session, [texts[i] for i in rows])
        return result

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self.embed_matrix(texts).tolist()
        return vectors

    @functools.lru_cache(maxsize=QUERY_CACHE_SIZE)  # noqa: B019 - one instance per process; repeats are common
    def query_vector(self, text: str) -> np.ndarray:
        """The query's embedding as a read-only float32 vector (cached: the same array is returned again)."""
        vector: np.ndarray = self._run(self.query_session, [text])[0]
        vector.flags.writeable = False
        return vector

    def embed_query(self, text: str) -> list[float]:
        values: list[float] = self.query_vector(text).tolist()
        return values

    def thread_settings(self) -> dict[str, Any]:
        """What the sessions were created with (read back from ONNX Runtime), for tests and diagnostics."""
        sessions = {"query": self.query_session, "batch": self._batch_session}
        return {
            name: {
                "intra_op_num_threads": s.get_session_options().intra_op_num_threads,
                "inter_op_num_threads": s.get_session_options().inter_op_num_threads,
            }
            for name, s in sessions.items()
            if s is not None
        }


def load(model_dir: Path, cache_root: Path, *, source: Export | None = None) -> OnnxEmbeddings:
    """Find or make the export under `cache_root` and load it; a damaged export is re-exported once."""
    export = onnx_cache.ensure_export(model_dir, cache_root, source=source)
    try:
        return OnnxEmbeddings(export)
    except CorruptExport as exc:
        onnx_cache.discard(export, str(exc))
    return OnnxEmbeddings(onnx_cache.ensure_export(model_dir, cache_root))
