"""Tokenising once and grouping texts of similar length, for training and inference alike.
Arrays only (numpy): the torch side wraps them in ``models/training``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .charngrams import NgramSpec, token_ngrams
from .normalize import VERSION, normalize
from .tokens import WordPieces


def encode_texts(
    texts: Sequence[str],
    tokenizer: WordPieces | Any,
    max_length: int,
    *,
    normalizer: int | None = VERSION,
    ngrams: NgramSpec | None = None,
) -> list[np.ndarray]:
    """Tokenise ``texts`` (after :func:`normalize` of version ``normalizer``, unless None); each becomes an
    int32 id array with [CLS] … [SEP]. With ``ngrams``, each is a (tokens, 1 + per_token) array:
    the token id, then its word's character n-gram ids (``models/charngrams.py``). ``tokenizer``
    is a :class:`WordPieces` or a Hugging Face fast tokenizer."""
    prepared = list(texts) if normalizer is None else [normalize(t, normalizer) for t in texts]
    encoded = WordPieces.of(tokenizer).encode(prepared, max_length)
    if ngrams is None:
        return [e.ids for e in encoded]
    return [
        np.column_stack([e.ids, token_ngrams(text, e.word_ids, e.offsets, ngrams)])
        for e, text in zip(encoded, prepared, strict=True)
    ]


@dataclass(frozen=True)
class Batch:
    """Positions of some encoded texts, padded together into one rectangle."""

    indices: np.ndarray
    sequences: tuple[np.ndarray, ...]

    def arrays(self, pieces: WordPieces) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(input ids, special-token mask, attention mask): int64, bool, int64 arrays."""
        width = max(len(s) for s in self.sequences)
        ids = np.full((len(self.sequences), width), pieces.pad_id, dtype=np.int64)
        for row, seq in enumerate(self.sequences):
            ids[row, : len(seq)] = seq if seq.ndim == 1 else seq[:, 0]
        attention = ids != pieces.pad_id
        special = ~attention | (ids == pieces.cls_id) | (ids == pieces.sep_id)
        return ids, special, attention.astype(np.int64)

    def ngram_ids(self) -> np.ndarray | None:
        """The (rows, width, per_token) int64 n-gram ids, zero-padded; None for plain encodings."""
        if self.sequences[0].ndim == 1:
            return None
        width = max(len(s) for s in self.sequences)
        out = np.zeros((len(self.sequences), width, self.sequences[0].shape[1] - 1), dtype=np.int64)
        for row, seq in enumerate(self.sequences):
            out[row, : len(seq)] = seq[:, 1:]
        return out


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


def scores_by_batch(
    score: Any, pieces: WordPieces, encoded: Sequence[np.ndarray], batch_tokens: int, labels: int
) -> np.ndarray:
    """``score(ids, attention, ngram_ids | None)`` over length batches, returned in input order."""
    out = np.zeros((len(encoded), labels), dtype=np.float32)
    for batch in length_batches(encoded, batch_tokens):
        ids, _, attention = batch.arrays(pieces)
        out[batch.indices] = score(ids, attention, batch.ngram_ids())
    return out
