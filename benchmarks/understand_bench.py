"""Understanding per utterance, in-process and warm: the lexicon's patterns alone, and with the learned layer.

    .venv/bin/python benchmarks/understand_bench.py

Over every utterance of the understanding train/train2/train3/train4/dev splits (never the frozen test
splits), and the same for the Russian set (read through the gloss; the learned layer is not used for
Russian). The learned layer's cost is its matrix products on a precomputed embedding: the embedding itself
is the query embedding retrieval computes anyway, timed in benchmarks/embedding_bench.py. Target (issue
12): under 5 ms.
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

from assistant.understand import RuleBasedUnderstander, warm_up  # noqa: E402
from assistant.understand.learned import load_classifier  # noqa: E402

SPLITS = ("train", "train2", "train3", "train4", "dev")


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
    classifier = load_classifier()
    assert classifier is not None, "no learned layer artifact"
    vector = np.ones(int(classifier.meta["dims"]), np.float32) / 20
    cases = {
        "patterns alone": RuleBasedUnderstander(),
        "with the learned layer": RuleBasedUnderstander(embed=lambda _t: vector, classifier=classifier),
    }
    russian = ROOT / "evals" / "understanding-ru"
    ru_texts = [
        i["text"]
        for s in SPLITS
        if (russian / f"utterances-{s}.yaml").is_file()
        for i in yaml.safe_load((russian / f"utterances-{s}.yaml").read_text())
    ]
    runs = [(name, understander, texts) for name, understander in cases.items()]
    runs.append(("Russian, patterns", cases["patterns alone"], ru_texts))
    for name, understander, items in runs:
        ts = _times(understander, items)
        print(
            f"{name:<24}{len(ts):>6} utterances  median {statistics.median(ts):5.2f} ms  "
            f"p95 {ts[int(0.95 * len(ts))]:5.2f} ms  max {ts[-1]:5.2f} ms"
        )


if __name__ == "__main__":
    main()
