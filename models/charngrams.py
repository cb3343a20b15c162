"""Character n-grams of the word each token belongs to, hashed into buckets: the model's
character-aware input (see ``models/training/charbert.py``).

A word piece alone says little about a dialect spelling it has never seen; the 2–5-character
n-grams of its whole word (``<word>`` with boundary marks, as the char n-gram baseline reads it),
plus the word itself, carry that. Every token of a word gets the same ids: at most ``per_token``,
the whole word first, then 3-, 4-, 5- and 2-grams. Ids are ``crc32 % (buckets - 1) + 1`` — stable
across processes and machines — and 0 pads. Words are cached, so common words cost a lookup.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

ORDERS = (3, 4, 5, 2)
# The ``model_type`` of a classifier that reads n-grams (``models/training/charbert.py``).
CHAR_BERT_TYPE = "raqib_char_bert"


@dataclass(frozen=True)
class NgramSpec:
    """How a model hashes n-grams; stored in its config as ``ngram_buckets`` and ``ngrams_per_token``."""

    buckets: int
    per_token: int

    def word_ids(self, word: str) -> np.ndarray:
        return _word_ids(word, self.buckets, self.per_token)

    @classmethod
    def of_config(cls, config: Mapping[str, Any]) -> NgramSpec | None:
        """The hashing a model's ``config.json`` asks for; None for a model without character inputs."""
        if config.get("model_type") != CHAR_BERT_TYPE:
            return None
        return cls(buckets=int(config["ngram_buckets"]), per_token=int(config["ngrams_per_token"]))


@lru_cache(maxsize=1 << 17)
def _word_ids(word: str, buckets: int, per_token: int) -> np.ndarray:
    marked = f"<{word.lower()}>"
    grams = [marked] + [marked[i : i + n] for n in ORDERS for i in range(len(marked) - n + 1)]
    ids = list(dict.fromkeys(zlib.crc32(g.encode("utf-8")) % (buckets - 1) + 1 for g in grams))[:per_token]
    row = np.zeros(per_token, dtype=np.int32)
    row[: len(ids)] = ids
    row.setflags(write=False)
    return row


def token_ngrams(
    text: str, word_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]], spec: NgramSpec
) -> np.ndarray:
    """A (tokens, per_token) int32 array: each token's word's n-gram ids; zeros for special tokens.
    ``word_ids`` and ``offsets`` are the fast tokenizer's, for ``text`` as it was tokenised."""
    spans: dict[int, tuple[int, int]] = {}
    for word, (start, end) in zip(word_ids, offsets, strict=True):
        if word is not None:
            first, last = spans.get(word, (start, end))
            spans[word] = (min(first, start), max(last, end))
    rows = np.zeros((len(word_ids), spec.per_token), dtype=np.int32)
    for position, word in enumerate(word_ids):
        if word is not None:
            start, end = spans[word]
            rows[position] = spec.word_ids(text[start:end])
    return rows
