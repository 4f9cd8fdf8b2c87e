"""The learned layer (assistant/understand/learned.py) and its fusion with the patterns (understander.py):
numpy inference of exported weights, thresholds, and the shipped artifact's freshness."""

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest
from assistant.evals.understanding_eval import HELD_OUT
from support.paths import ROOT

from assistant.embeddings import LOCAL_MODEL_NAME
from assistant.multilingual import USE_MODEL_NAME
from assistant.types import TurnContext
from assistant.understand import RuleBasedUnderstander
from assistant.understand.learned import (
    ABSENT,
    ARTIFACT,
    ARTIFACT_RU,
    CHAR_NGRAMS,
    Classifier,
    Head,
    Lexical,
    read_artifact,
)

DIMS = 4


def _head(classes, favourite, strength=8.0, dims=DIMS):
    """A head that picks `favourite` when the input's first component is 1 (else the first class)."""
    weights = np.zeros((len(classes), dims), np.float32)
    weights[classes.index(favourite), 0] = strength
    return Head(tuple(classes), weights, np.zeros(len(classes), np.float32), 1.0)


def _classifier(field_p_strength=8.0, intent="describe"):
    heads = {
        "intent": _head(["describe", "concept", "out_of_scope", "reset", "adopt", "discard", "undo"], intent),
        "field:privacy": _head([ABSENT, "none", "sensitive", "strict"], "strict", field_p_strength),
    }
    meta = {"thresholds": {"intent": 0.9, "field_high": 0.95, "field_low": 0.6}, "embedding_model": "fake"}
    return Classifier(meta, heads)


def _understander(classifier, vector=(1.0, 0, 0, 0)):
    return RuleBasedUnderstander(embed=lambda text: np.asarray(vector, np.float32), classifier=classifier)


def test_a_confident_classifier_fills_a_field_no_pattern_caught():
    turn = _understander(_classifier(8.0)).understand("our lawyers were quite firm about it")
    assert turn.changes == {"privacy": "strict", "external_api_ok": False}
    assert turn.suggested == {}


def test_between_the_thresholds_the_fact_is_suggested_not_stored():
    turn = _understander(_classifier(2.0)).understand("our lawyers were quite firm about it")
    assert turn.changes == {}
    assert turn.suggested == {"privacy": "strict"}


def test_a_pattern_hit_wins_over_the_classifier():
    turn = _understander(_classifier(8.0)).understand("the data is all public")
    assert turn.changes == {"privacy": "none"}


def test_questions_get_no_facts_from_the_classifier():
    turn = _understander(_classifier(8.0)).understand("why not just use GPT-4?")
    assert (turn.intent, turn.changes, turn.suggested) == ("why_not", {}, {})


def test_the_classifier_only_overrules_a_fallback_intent():
    classifier = _classifier(0.0, intent="concept")
    assert (
        _understander(classifier).understand("the mountains are lovely this time of year").intent == "concept"
    )
    assert _understander(classifier).understand("start over").intent == "reset"  # a pattern decided
    reset_lover = _classifier(0.0, intent="reset")  # never a destructive intent from the classifier
    assert _understander(reset_lover).understand("we like this stuff a lot").intent == "describe"


def test_a_question_is_never_read_as_a_description():
    """A question the patterns could not place states nothing, even when the classifier reads facts in it
    ("does RAG still work if every document has to stay on our own servers?")."""
    understander = _understander(_classifier(8.0, intent="describe"))
    for text in (
        "does it still work when our lawyers are firm about it?",
        "quick q: is it ok if lawyers object?",
    ):
        turn = understander.understand(text)
        assert (turn.intent, turn.changes, turn.suggested) == ("concept", {}, {})
    turn = understander.understand(
        "our lawyers were firm about it. what then?"
    )  # a statement, then a question
    assert turn.changes == {"privacy": "strict", "external_api_ok": False}


@pytest.mark.parametrize("learned", ["adopt", "discard"])
def test_the_classifier_answers_a_waiting_what_if_only(learned):
    """Adopt and discard answer a what-if: the classifier may read an unfamiliar reply as one only while a
    what-if waits, and never overrules a pattern's reading of the reply."""
    understander = _understander(_classifier(0.0, intent=learned))
    waiting = TurnContext(pending_what_if=True)
    assert understander.understand("the board signed off on it this morning", waiting).intent == learned
    assert understander.understand("the board signed off on it this morning").intent == "describe"
    assert understander.understand("why not a custom model?", waiting).intent == "why_not"


def test_the_classifier_may_take_back_a_statement_but_never_reset():
    undoer = _understander(_classifier(0.0, intent="undo"))
    assert undoer.understand("hmm, my previous figure was way off").intent == "undo"
    assert undoer.understand("we have 20k labelled tickets").intent == "describe"  # a pattern decided


def test_without_embeddings_the_patterns_work_alone():
    def no_vector(text):
        return None

    turn = RuleBasedUnderstander(embed=no_vector, classifier=_classifier(8.0)).understand("our lawyers, hmm")
    assert turn.changes == {}
    assert RuleBasedUnderstander().classifier is None


@pytest.mark.parametrize("analyzer", ["word", "char_wb"])
def test_lexical_features_match_scikit_learns_tfidf(analyzer):
    """Training fits the vocabularies with scikit-learn; inference recomputes the features in numpy. They
    must agree, or the heads read something else at run time than what they were fitted on."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = [
        "the QA team scores calls, 40k scored calls so far",
        "calls calls calls! Ünïcode wörds and a 3rd-party API",
        "every hammer price recorded since 2009",
        "scored hammer API calls",
        "a b ab  abc\tabcd\n   loggd 5k",
    ]
    vectorizer = TfidfVectorizer(
        min_df=2,
        sublinear_tf=True,
        analyzer=analyzer,
        ngram_range=CHAR_NGRAMS if analyzer == "char_wb" else (1, 1),
    ).fit(corpus)
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    lexical = Lexical(
        {t: i for i, t in enumerate(terms)}, vectorizer.idf_.astype(np.float32), chars=analyzer == "char_wb"
    )
    for text in [*corpus, "nothing known here", "CALLS and Calls: the API, the api", "ab a  abcd"]:
        expected = vectorizer.transform([text]).toarray()[0]
        assert np.allclose(lexical.features(text), expected, atol=1e-6), text


def test_a_classifier_with_words_reads_the_text_beside_the_embedding():
    """A head over [embedding, words] weighs a word the embedding does not show."""
    lexical = Lexical({"lawyers": 0, "public": 1}, np.ones(2, np.float32))
    weights = np.zeros((4, DIMS + 2), np.float32)
    weights[3, DIMS] = 12.0  # "lawyers" -> strict
    heads = {
        "intent": _head(["describe", "concept", "out_of_scope", "reset"], "describe", dims=DIMS + 2),
        "field:privacy": Head((ABSENT, "none", "sensitive", "strict"), weights, np.zeros(4, np.float32), 1.0),
    }
    classifier = Classifier(
        {"thresholds": {"intent": 0.9, "field_high": 0.95, "field_low": 0.6}}, heads, [lexical]
    )
    vector = np.zeros(DIMS, np.float32)
    assert classifier.scores(vector, "our lawyers, hmm").fields["privacy"][0] == "strict"
    assert classifier.scores(vector, "our data, hmm").fields["privacy"][1] < 0.5
    understander = RuleBasedUnderstander(embed=lambda text: vector, classifier=classifier)
    assert understander.understand("our lawyers were quite firm about it").changes["privacy"] == "strict"


def _never(text):
    raise AssertionError(f"the other language's embedder was asked for {text!r}")


def test_a_russian_message_reads_through_the_russian_classifier():
    """ "Наши юристы были категоричны" (our lawyers were firm) names no pattern's cue: the Russian
    classifier, over its own embedder, fills it; the English one is never asked."""
    vector = np.asarray((1.0, 0, 0, 0), np.float32)
    understander = RuleBasedUnderstander(
        embed=_never,
        classifier=_classifier(8.0),
        embed_ru=lambda text: vector,
        classifier_ru=_classifier(8.0),
    )
    turn = understander.understand("наши юристы были категоричны")
    assert (turn.lang, turn.changes) == ("ru", {"privacy": "strict", "external_api_ok": False})


def test_an_english_message_never_asks_the_russian_classifier():
    understander = RuleBasedUnderstander(
        embed=lambda text: np.asarray((1.0, 0, 0, 0), np.float32),
        classifier=_classifier(2.0),
        embed_ru=_never,
        classifier_ru=_classifier(8.0),
    )
    assert understander.understand("our lawyers were quite firm about it").suggested == {"privacy": "strict"}


def test_without_a_russian_embedder_russian_is_read_by_the_patterns_alone():
    understander = RuleBasedUnderstander(embed=_never, classifier=_classifier(8.0))
    turn = understander.understand("наши юристы были категоричны")
    assert (turn.changes, turn.suggested) == ({}, {})


def _trainer():
    spec = importlib.util.spec_from_file_location(
        "train_understanding", ROOT / "scripts" / "train_understanding.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("artifact", "model", "lang"), [(ARTIFACT, LOCAL_MODEL_NAME, "en"), (ARTIFACT_RU, USE_MODEL_NAME, "ru")]
)
def test_the_artifact_is_fresh_for_its_data(artifact, model, lang):
    """Fails when the training data changed, or a split joined it, and scripts/train_understanding.py was
    not run again."""
    classifier = read_artifact(artifact)
    trainer = _trainer()
    assert classifier.embedding_model == model
    assert classifier.meta["data_files"] == list(trainer.DATA_FILES[lang]), (
        "run scripts/train_understanding.py"
    )
    assert classifier.meta["data_sha256"] == trainer.data_sha256(lang), "run scripts/train_understanding.py"
    # The held-out splits (the frozen test split, holdout, the untouched ones): never
    held_out = {f"-{split}.yaml" for split in HELD_OUT}
    assert not any(name.endswith(tuple(held_out)) for name in classifier.meta["data_files"])


@pytest.mark.parametrize(("artifact", "lang"), [(ARTIFACT, "en"), (ARTIFACT_RU, "ru")])
def test_the_artifact_is_small_and_complete(artifact, lang):
    # English: ~60 heads' classes x (384 dims + ~2,000 words + 6,000 character n-grams)
    assert artifact.stat().st_size < 2_500_000
    classifier = read_artifact(artifact)
    assert set(classifier.heads) >= {"intent", "field:privacy", "field:data_type"}
    thresholds = classifier.meta["thresholds"]
    assert thresholds["field_low"] <= thresholds["field_high"]
    # Every field keeps a band where the assistant asks: nothing is stored at a coin flip's probability
    floor = _trainer().FIELD_HIGH_MIN[lang]
    assert all(high >= floor and low <= high for high, low in thresholds["fields"].values())
    scores = classifier.scores(np.ones(classifier.meta["dims"], np.float32) / 20, "we have 5k tagged photos")
    assert 0.0 <= scores.intent_p <= 1.0
    # words and character n-grams: the English heads only
    assert [terms.chars for terms in classifier.lexical] == ([False, True] if artifact == ARTIFACT else [])
    json.dumps(classifier.meta)


def test_inference_does_not_import_scikit_learn():
    code = (
        "import sys, numpy as np\n"
        "from assistant.understand.learned import read_artifact, ARTIFACT\n"
        "from assistant.understand import RuleBasedUnderstander\n"
        "c = read_artifact(ARTIFACT)\n"
        "u = RuleBasedUnderstander(embed=lambda t: np.ones(c.meta['dims'], np.float32) / 20, classifier=c)\n"
        "u.understand('we have some data')\n"
        "heavy = ('sklearn', 'torch', 'sentence_transformers', 'scipy')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_training_never_reads_the_frozen_test_split():
    """The training script fits on train and picks thresholds on dev; only the eval reads test."""
    source = (ROOT / "scripts" / "train_understanding.py").read_text()
    assert "-test" not in source and '"test"' not in source and "holdout" not in source
