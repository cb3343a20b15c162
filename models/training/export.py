"""Exporting a trained classifier to ONNX for the serving path (``models/onnx.py``)."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForSequenceClassification

from ..onnx import ONNX_FILE
from .charbert import ngram_spec


class _Scores(torch.nn.Module):
    """The model with its sigmoid, so the graph returns probabilities."""

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, *ngram_ids: torch.Tensor) -> torch.Tensor:
        extra = {"ngram_ids": ngram_ids[0]} if ngram_ids else {}
        return torch.sigmoid(self.model(input_ids=input_ids, attention_mask=attention_mask, **extra).logits)


def export_onnx(model_dir: str | Path, out: str | Path | None = None, *, int8: bool = True) -> Path:
    """Write ``model.int8.onnx`` (or, with ``int8=False``, an fp32 ``model.onnx``) for ``model_dir``."""
    model_dir = Path(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(model_dir), local_files_only=True, dtype=torch.float32
    ).eval()
    target = Path(out) if out else model_dir / (ONNX_FILE if int8 else "model.onnx")
    ids = torch.ones(2, 8, dtype=torch.long)
    spec = ngram_spec(model.config)
    inputs: tuple[torch.Tensor, ...] = (ids, torch.ones_like(ids))
    names = ["input_ids", "attention_mask"]
    if spec is not None:
        inputs += (torch.ones(2, 8, spec.per_token, dtype=torch.long),)
        names.append("ngram_ids")
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fp32 = Path(tmp) / "model.onnx" if int8 else target
        torch.onnx.export(
            _Scores(model),
            inputs,
            str(fp32),
            input_names=names,
            output_names=["scores"],
            dynamic_axes={**{name: {0: "batch", 1: "length"} for name in names}, "scores": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(
                str(fp32), str(target), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"]
            )
    return target
