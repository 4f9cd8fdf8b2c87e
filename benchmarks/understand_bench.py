"""Understanding per utterance, in-process and warm: the lexicon's patterns alone, and with the learned layer.

    .venv/bin/python benchmarks/understand_bench.py

Over every utterance of the understanding train, newer train (train2 on) and dev splits (never a held-out
split: test, holdout), and the same for the Russian set (read through the gloss; its learned layer is its own
classifier over USE-m3).
The learned layer's cost is its matrix products on a precomputed embedding: the embedding itself is the
query embedding retrieval computes anyway, timed in benchmarks/embedding_bench.py (MiniLM) and
benchmarks/retrieval_ru_search_bench.py (USE-m3). Target (issue 12): under 5 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from assistant.evals.understanding_eval import HELD_OUT  # noqa: E402
from assistant.evals.understanding_eval import SPLITS as ALL_SPLITS  # noqa: E402

from assistant.understand import RuleBasedUnderstander, warm_up  # noqa: E402
from assistant.understand.learned import ARTIFACT_RU, load_classifier  # noqa: E402

SPLITS = tuple(s for s in ALL_SPLITS if s not in HELD_OUT)  # never a held-out split


def _times(understander: RuleBasedUnderstander, texts: list[str]) -> list[float]:
    out = []
    for text in texts:
        start = time.perf_counter()
        understander.understand(text)
        out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def main() -> None:
    data = ROOT / "evals" / "understanding"
    texts = [i["text"] for s in SPLITS for i in yaml.safe_load((data / f"utterances-{s}.yaml").read_text())]
    warm_up()
    classifier, russian_classifier = load_classifier(), load_classifier(ARTIFACT_RU)
    assert classifier is not None and russian_classifier is not None, "no learned layer artifact"
    vector = np.ones(int(classifier.meta["dims"]), np.float32) / 20
    ru_vector = np.ones(int(russian_classifier.meta["dims"]), np.float32) / 20
    learned = RuleBasedUnderstander(
        embed=lambda _t: vector,
        classifier=classifier,
        embed_ru=lambda _t: ru_vector,
        classifier_ru=russian_classifier,
    )
    cases = {"patterns alone": RuleBasedUnderstander(), "with the learned layer": learned}
    russian = ROOT / "evals" / "understanding-ru"
    ru_texts = [
        i["text"]
        for s in SPLITS
        if (russian / f"utterances-{s}.yaml").is_file()
        for i in yaml.safe_load((russian / f"utterances-{s}.yaml").read_text())
    ]
    runs = [(name, understander, texts) for name, understander in cases.items()]
    runs += [(f"Russian, {name}", understander, ru_texts) for name, understander in cases.items()]
    for name, understander, items in runs:
        ts = _times(understander, items)
        print(
            f"{name:<33}{len(ts):>6} utterances  median {statistics.median(ts):5.2f} ms  "
            f"p95 {ts[int(0.95 * len(ts))]:5.2f} ms  max {ts[-1]:5.2f} ms"
        )


if __name__ == "__main__":
    main()
