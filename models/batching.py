"""Tokenising once and grouping texts of similar length, for training and inference alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from .charngrams import NgramSpec, token_ngrams
from .normalize import normalize


def encode_texts(
    texts: Sequence[str],
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
    *,
    normalized: bool = True,
    ngrams: NgramSpec | None = None,
) -> list[np.ndarray]:
    """Tokenise ``texts`` (after :func:`normalize` unless ``normalized`` is false); each becomes an
    int32 id array with [CLS] … [SEP]. With ``ngrams``, each is a (tokens, 1 + per_token) array:
    the token id, then its word's character n-gram ids (``models/charngrams.py``)."""
    prepared = [normalize(t) for t in texts] if normalized else list(texts)
    if ngrams is None:
        ids = tokenizer(prepared, truncation=True, max_length=max_length)["input_ids"]
        return [np.asarray(x, dtype=np.int32) for x in ids]
    encoding = tokenizer(prepared, truncation=True, max_length=max_length, return_offsets_mapping=True)
    return [
        np.column_stack(
            [
                np.asarray(encoding["input_ids"][i], dtype=np.int32),
                token_ngrams(text, encoding.word_ids(i), encoding["offset_mapping"][i], ngrams),
            ]
        )
        for i, text in enumerate(prepared)
    ]


@dataclass(frozen=True)
class Batch:
    """Positions of some encoded texts, padded together into one rectangle."""

    indices: np.ndarray
    sequences: tuple[np.ndarray, ...]

    def tensors(self, tokenizer: PreTrainedTokenizerBase) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return (input ids, special-token mask, attention mask) as int64/bool tensors."""
        width = max(len(s) for s in self.sequences)
        ids = np.full((len(self.sequences), width), tokenizer.pad_token_id, dtype=np.int64)
        for row, seq in enumerate(self.sequences):
            ids[row, : len(seq)] = seq if seq.ndim == 1 else seq[:, 0]
        input_ids = torch.from_numpy(ids)
        attention = input_ids != tokenizer.pad_token_id
        special = ~attention | (input_ids == tokenizer.cls_token_id) | (input_ids == tokenizer.sep_token_id)
        return input_ids, special, attention.long()

    def ngram_ids(self) -> torch.Tensor | None:
        """The (rows, width, per_token) int64 n-gram ids, zero-padded; None for plain encodings."""
        if self.sequences[0].ndim == 1:
            return None
        width = max(len(s) for s in self.sequences)
        out = np.zeros((len(self.sequences), width, self.sequences[0].shape[1] - 1), dtype=np.int64)
        for row, seq in enumerate(self.sequences):
            out[row, : len(seq)] = seq[:, 1:]
        return torch.from_numpy(out)


def length_batches(
    encoded: Sequence[np.ndarray], max_tokens: int, rng: np.random.Generator | None = None, max_rows: int = 512
) -> list[Batch]:
    """Sort by length and cut into batches of at most ``max_tokens`` padded tokens.

    With ``rng``, lengths are jittered before sorting and the batch order is shuffled, so training
    sees varied batches; without it, order is by length, which inference uses and then undoes.
    """
    lengths = np.fromiter((len(s) for s in encoded), dtype=np.float64, count=len(encoded))
    keys = lengths + (rng.uniform(0, 2, size=len(lengths)) if rng is not None else 0)
    order = np.argsort(keys, kind="stable")
    batches: list[Batch] = []
    start = 0
    while start < len(order):
        end = start + 1
        width = len(encoded[order[start]])
        while end < len(order) and end - start < max_rows:
            width = max(width, len(encoded[order[end]]))
            if width * (end - start + 1) > max_tokens:
                break
            end += 1
        chosen = order[start:end]
        batches.append(Batch(indices=chosen, sequences=tuple(encoded[i] for i in chosen)))
        start = end
    if rng is not None:
        rng.shuffle(batches)
    return batches
