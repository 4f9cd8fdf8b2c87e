"""The learned layer: intents and field values scored from the query's sentence embedding, in numpy.

Why its own module: patterns are precise but only know the phrasings someone wrote down; a small classifier
over the sentence embedding (the one retrieval computes for the same text right after, so it is computed
once and cached) generalises to new wordings. Beside the embedding, the English heads read the message's
words and its character n-grams (TF-IDF over the training vocabulary, `Lexical`): a sentence embedding
blurs a long message with many facts, and single words ("hammer price", "triaged") carry a fact the blur
loses; on a split nobody had tuned on (train6, measured before it was added to the training data) the words
lifted field F1 from 0.890 to 0.898, labelled-data recall from 0.78 to 0.82. Character n-grams (3 to 5
letters within a word) read word forms and typos the word list has not seen ("logged", "loggd", "re-graded"):
fitted without the split it was scored on, the classifier alone found 2 to 7 points more of train8's,
train9's and train10's facts at the same precision. It was trained with scikit-learn by
scripts/train_understanding.py; at run time only its exported weights are used (logistic-regression
coefficients, temperature-calibrated, the vocabularies and their IDF, in knowledge/learned/understanding.npz),
so a turn never imports scikit-learn. How it is fused with the patterns (a pattern hit always wins) is
`understander`'s business.

Everything here is optional: without numpy, without the artifact, or when the configured embedding model
is not the one the classifier was trained on, `load_classifier` returns None and the patterns work alone.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ..types import Value

if TYPE_CHECKING:
    import numpy as np

    from ..settings import Settings

__all__ = [
    "ARTIFACT",
    "ARTIFACT_RU",
    "CHAR_NGRAMS",
    "LEXICAL_KEYS",
    "Classifier",
    "Embedder",
    "Lexical",
    "Scores",
    "load_classifier",
    "multilingual_embedder",
    "query_embedder",
]

log = logging.getLogger(__name__)

ARTIFACT = Path(str(files("assistant.data"))) / "learned" / "understanding.npz"
# Russian messages: the same heads over USE-m3, the multilingual model Russian retrieval embeds with.
ARTIFACT_RU = ARTIFACT.with_name("understanding-ru.npz")
ABSENT = "-"  # the class "this field is not stated"
LEXICAL_KEYS = ("lexical", "chars")  # the artifact's term features, in the order the heads read them

Embedder: TypeAlias = Callable[[str], "Sequence[float] | np.ndarray | None"]
"""Text -> its sentence embedding (normalised), or None when no embedding can be had."""


@dataclass(frozen=True)
class Head:
    """One calibrated softmax classifier: probabilities = softmax((W x + b) / T)."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (classes, dims)
    bias: np.ndarray  # (classes,)
    temperature: float

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        import numpy as np

        z = (self.weights @ x + self.bias) / self.temperature
        z = np.exp(z - z.max())
        result: np.ndarray = z / z.sum()
        return result


# scikit-learn's default token pattern: the vocabulary was built with it, so the run time must split alike.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
CHAR_NGRAMS = (3, 5)  # the character n-grams' lengths (scikit-learn's analyzer="char_wb")


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _char_ngrams(text: str) -> list[str]:
    """scikit-learn's char_wb analyzer: n-grams inside each space-padded word (a short word once, whole)."""
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for word in text.lower().split():  # split() skips any run of whitespace, as sklearn's normalising does
        padded = f" {word} "
        for n in range(low, high + 1):
            grams.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
            if len(padded) <= n:
                break
    return grams


@dataclass(frozen=True)
class Lexical:
    """The terms of a message as scikit-learn's TfidfVectorizer(sublinear_tf=True) saw them in training:
    1 + log(count) per known term, times its IDF, L2-normalised (unknown terms are dropped). Terms are
    words, or with `chars` the character n-grams of `_char_ngrams`."""

    vocabulary: Mapping[str, int]
    idf: np.ndarray  # (terms,)
    chars: bool = False

    def features(self, text: str) -> np.ndarray:
        import numpy as np

        x = np.zeros(len(self.idf), np.float32)
        terms = _char_ngrams(text) if self.chars else _words(text)
        counts = Counter(t for t in terms if t in self.vocabulary)
        for term, n in counts.items():
            i = self.vocabulary[term]
            x[i] = (1.0 + math.log(n)) * self.idf[i]
        norm = float(np.sqrt(x @ x))
        return x / norm if norm else x


@dataclass(frozen=True)
class Scores:
    """What the classifier reads into one message: the best intent and, per field, the best value."""

    intent: str
    intent_p: float
    fields: Mapping[str, tuple[Value, float]]  # field -> (most likely stated value, its probability)


class Classifier:
    """The exported heads and the thresholds chosen on the dev split."""

    def __init__(
        self, meta: Mapping[str, Any], heads: Mapping[str, Head], lexical: Sequence[Lexical] = ()
    ) -> None:
        self.meta = meta
        self.heads = heads
        self.lexical = tuple(lexical)
        thresholds = meta.get("thresholds", {})
        self.intent_threshold = float(thresholds.get("intent", 1.01))
        self.field_high = float(thresholds.get("field_high", 1.01))
        self.field_low = float(thresholds.get("field_low", 1.01))
        # Per field [high, low], chosen where dev had enough of that field's predictions to judge.
        self._fields: dict[str, tuple[float, float]] = {
            name: (float(pair[0]), float(pair[1])) for name, pair in thresholds.get("fields", {}).items()
        }
        self.embedding_model = str(meta.get("embedding_model", ""))

    def high(self, field: str) -> float:
        """The probability from which this field's value is stored without asking."""
        return self._fields.get(field, (self.field_high, self.field_low))[0]

    def low(self, field: str) -> float:
        """The probability from which this field's value is worth asking the user to confirm."""
        return self._fields.get(field, (self.field_high, self.field_low))[1]

    def features(self, vector: Sequence[float] | np.ndarray, text: str) -> np.ndarray:
        """What the heads read: the sentence embedding, then (when trained with them) the text's words and
        character n-grams."""
        import numpy as np

        x = np.asarray(vector, dtype=np.float32)
        return np.concatenate([x, *(terms.features(text) for terms in self.lexical)]) if self.lexical else x

    def scores(self, vector: Sequence[float] | np.ndarray, text: str = "") -> Scores:
        """The classifier's reading of the message `text` whose sentence embedding is `vector`."""
        x = self.features(vector, text)
        intent = self.heads["intent"]
        p = intent.probabilities(x)
        best = int(p.argmax())
        fields: dict[str, tuple[Value, float]] = {}
        for key, head in self.heads.items():
            if not key.startswith("field:"):
                continue
            probs = head.probabilities(x)
            order = [int(i) for i in probs.argsort()[::-1] if head.classes[int(i)] != ABSENT]
            if order:
                i = order[0]
                fields[key[6:]] = (_value(head.classes[i]), float(probs[i]))
        return Scores(intent.classes[best], float(p[best]), fields)


def _value(raw: str) -> Value:
    return {"true": True, "false": False}.get(raw, raw)


def read_artifact(path: Path) -> Classifier:
    """The classifier in an .npz written by scripts/train_understanding.py (raises on a bad file)."""
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        heads = {
            name: Head(
                tuple(spec["classes"]),
                np.asarray(data[f"{name}/weights"], dtype=np.float32),
                np.asarray(data[f"{name}/bias"], dtype=np.float32),
                float(spec["temperature"]),
            )
            for name, spec in meta["heads"].items()
        }
        lexical = [
            Lexical(
                {t: i for i, t in enumerate(meta[key]["vocabulary"])},
                np.asarray(data[f"{key}/idf"], np.float32),
                chars=key == "chars",
            )
            for key in LEXICAL_KEYS
            if key in meta
        ]
    return Classifier(meta, heads, lexical)


@functools.cache
def load_classifier(path: Path = ARTIFACT) -> Classifier | None:
    """The shipped classifier, or None (patterns alone) when numpy or the artifact is missing."""
    try:
        return read_artifact(path)
    except (ImportError, OSError, KeyError, ValueError) as exc:
        log.info("understanding: no learned layer (%s); patterns alone", exc)
        return None


class _SettingsEmbedder:
    """The configured embedding backend's cached query vector, if it is the model the classifier knows."""

    def __init__(self, settings: Settings, model: str) -> None:
        self.settings = settings
        self.model = model
        self.failed = False

    def __call__(self, text: str) -> np.ndarray | None:
        if self.failed:
            return None
        try:
            from ..embeddings import model_name, query_vector

            if model_name(self.settings.embedding) != self.model:
                self.failed = True  # another embedding model: its vectors mean nothing to the classifier
                return None
            return query_vector(" ".join(text.split()), self.settings)  # the text retrieval embeds
        except Exception as exc:  # an optional part failing must not break understanding
            log.warning("understanding: no embeddings (%s); patterns alone", exc)
            self.failed = True
            return None


def query_embedder(settings: Settings) -> Embedder | None:
    """An embedder for the learned layer with these settings (None when there is no classifier)."""
    classifier = load_classifier()
    if classifier is None:
        return None
    return _SettingsEmbedder(settings, classifier.embedding_model)


class _MultilingualEmbedder:
    """USE-m3's cached query vector (the one Russian retrieval computes for the same text)."""

    def __init__(self) -> None:
        self.failed = False

    def __call__(self, text: str) -> np.ndarray | None:
        if self.failed:
            return None
        try:
            from ..multilingual import get_multilingual

            return get_multilingual().query_vector(" ".join(text.split()))
        except Exception as exc:  # an optional part failing must not break understanding
            log.warning("understanding: no multilingual embeddings (%s); Russian patterns alone", exc)
            self.failed = True
            return None


def multilingual_embedder() -> Embedder | None:
    """An embedder for the Russian learned layer (None when there is no Russian classifier)."""
    from ..multilingual import USE_MODEL_NAME

    classifier = load_classifier(ARTIFACT_RU)
    if classifier is None or classifier.embedding_model != USE_MODEL_NAME:
        return None
    return _MultilingualEmbedder()
