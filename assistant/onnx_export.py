"""Export a mean-pooling sentence-transformers model (all-MiniLM-L6-v2) to ONNX, once, with torch.

Run as a child process by `assistant.onnx_cache` (`python -m assistant.onnx_export MODEL_DIR OUT_DIR`), so
the process that serves queries never imports torch, not even on first use, and does not keep torch's
few hundred MB in memory afterwards. Writes into OUT_DIR: `model.onnx` (the transformer plus masked mean
pooling and L2 normalisation inside the graph, so one output row is the final sentence embedding),
`tokenizer.json` (copied) and `export.json` (what was exported and a probe embedding computed by torch,
which the loader compares against to detect a corrupt file).

Only this layout is supported: Transformer -> Pooling(mean tokens) -> Normalize, as in
`sentence_transformers` modules.json. Anything else is refused rather than exported wrongly.
Exit codes: 0 done, 3 torch/transformers/onnx not installed, 1 any other failure (message on stderr).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before any Hugging Face import
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import json
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the exported graph changes: cached exports of another format are re-exported
OPSET = 17
EXIT_MISSING_DEPENDENCY = 3
PROBE_TEXT = "Foundation, custom or hybrid? A probe sentence to check the exported model: 0123 ÉÀ!"
# Traced with two rows of different lengths so the attention-mask path (padding) is what gets recorded.
_TRACE_TEXTS = ("a short one", "a somewhat longer second sentence, to force padding in the batch")


class UnsupportedModelError(ValueError):
    """The model directory is not a mean-pooling, normalised sentence-transformers model."""


def read_layout(model_dir: Path) -> int:
    """Check the sentence-transformers layout; returns max_seq_length (where sentence-transformers cuts)."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in sorted(modules, key=lambda m: m["idx"])]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text(encoding="utf-8"))
        bert = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise UnsupportedModelError(f"{model_dir}: not a sentence-transformers model ({exc})") from None
    modes = sorted(key for key, value in pooling.items() if key.startswith("pooling_mode") and value)
    if kinds != ["Transformer", "Pooling", "Normalize"] or modes != ["pooling_mode_mean_tokens"]:
        raise UnsupportedModelError(f"{model_dir}: only Transformer -> mean Pooling -> Normalize is exported")
    return int(bert["max_seq_length"])


def export(model_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Export into out_dir (must exist) and verify the ONNX model against torch on a probe sentence."""
    max_seq_length = read_layout(model_dir)  # before the heavy imports: a wrong model fails fast
    import numpy as np
    import onnx  # noqa: F401 - torch's TorchScript exporter needs it; fail early with a clear exit code
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.set_num_threads(1)  # a one-off trace: don't compete with the processes serving queries
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_seq_length)
    tokenizer.enable_padding(pad_id=0)

    def encode(texts: list[str]) -> tuple[Any, Any]:
        encodings = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return ids, mask

    # Eager attention traces into plain MatMul/Softmax ops; fused SDPA kernels are a tracing hazard.
    transformer = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    )

    class Pooled(torch.nn.Module):
        """Transformer, then the masked mean over tokens and L2 normalisation (sentence-transformers')."""

        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    model = Pooled().eval()
    ids, mask = encode(list(_TRACE_TEXTS))
    target = out_dir / "model.onnx"
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation chatter; the result is verified below
        torch.onnx.export(
            model,
            (torch.from_numpy(ids), torch.from_numpy(mask)),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "sentence_embedding": {0: "batch"},
            },
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs only `onnx`; the dynamo one also needs onnxscript
        )
        probe_ids, probe_mask = encode([PROBE_TEXT, *_TRACE_TEXTS])
        expected = model(torch.from_numpy(probe_ids), torch.from_numpy(probe_mask)).numpy()
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": probe_ids, "attention_mask": probe_mask})[0]
    worst = float(np.min(np.sum(expected * got, axis=1)))
    if worst < 0.9999:
        raise RuntimeError(f"the ONNX export does not match torch (cosine {worst:.6f})")
    shutil.copyfile(model_dir / "tokenizer.json", out_dir / "tokenizer.json")
    info = {
        "format": FORMAT,
        "max_seq_length": max_seq_length,
        "dimensions": int(got.shape[1]),
        "probe_text": PROBE_TEXT,
        "probe_vector": [float(x) for x in expected[0]],
        "opset": OPSET,
        "torch": torch.__version__,
    }
    (out_dir / "export.json").write_text(json.dumps(info), encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m assistant.onnx_export MODEL_DIR OUT_DIR", file=sys.stderr)
        return 2
    try:
        export(Path(args[0]), Path(args[1]))
    except ImportError as exc:
        print(f"cannot export to ONNX: {exc} (needs torch, transformers and onnx)", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    except Exception as exc:
        print(f"cannot export to ONNX: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
