"""The torch path of inference: for an artifact without an ONNX file (a fine-tuned model fresh
from training, a MARBERT directory), for ``backend="torch"``, and for scoring during training.
Loaded only when asked for: serving the bundled artifact never imports this module."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification

from ..batching import scores_by_batch
from ..tokens import WordPieces
from . import charbert  # noqa: F401  (registers the character-aware model with the Auto classes)


def batch_tensors(arrays: tuple[np.ndarray, ...]) -> tuple[torch.Tensor, ...]:
    """A batch's numpy arrays as torch tensors (no copy)."""
    return tuple(torch.from_numpy(a) for a in arrays)


def scores_in_order(model: Any, tokenizer: Any, encoded: Sequence[np.ndarray], batch_tokens: int) -> np.ndarray:
    """Sigmoid scores of ``model`` for already-encoded texts, batched by length, in input order."""

    def score(ids: np.ndarray, attention: np.ndarray, ngrams: np.ndarray | None) -> np.ndarray:
        extra = {} if ngrams is None else {"ngram_ids": torch.from_numpy(ngrams).to(model.device)}
        logits = model(
            input_ids=torch.from_numpy(ids).to(model.device),
            attention_mask=torch.from_numpy(attention).to(model.device),
            **extra,
        ).logits
        return torch.sigmoid(logits.float()).cpu().numpy()

    with torch.inference_mode():
        return scores_by_batch(score, WordPieces.of(tokenizer), encoded, batch_tokens, model.config.num_labels)


class TorchScorer:
    """``(input_ids, attention_mask[, ngram_ids]) -> scores`` with the transformers model, like
    :class:`models.onnx.OnnxScorer`."""

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        if threads:
            torch.set_num_threads(threads)
        self.model = AutoModelForSequenceClassification.from_pretrained(
            str(path), local_files_only=True, dtype=torch.float32
        ).eval()

    def __call__(
        self, input_ids: np.ndarray, attention_mask: np.ndarray, ngram_ids: np.ndarray | None = None
    ) -> np.ndarray:
        extra = {} if ngram_ids is None else {"ngram_ids": torch.from_numpy(ngram_ids)}
        with torch.inference_mode():
            logits = self.model(
                input_ids=torch.from_numpy(input_ids), attention_mask=torch.from_numpy(attention_mask), **extra
            ).logits
        scores: np.ndarray = torch.sigmoid(logits.float()).numpy()
        return scores
