"""The character n-gram half of an ensemble artifact: a hashed TF-IDF logistic regression, scored
in numpy (no scikit-learn when serving).

An encoder and a bag of character n-grams err differently (docs/classifier-experiments.md,
session 7): an artifact may carry ``ngram.npz`` and, in ``raqib.json``, ``"ngram": {"weight": w}``;
its score is then ``(1 - w) · encoder + w · n-gram`` per category, where ``"weights": {category: w}``
may give a category its own ``w`` (chosen on dev at export; session 12) and ``"language_weights":
{language: {category: w}}`` a language's comments theirs (session 15). The n-gram half reads the text
through its own normaliser, ``"ngram": {"normalize": v}`` (default: the artifact's): an imported
multilingual encoder wants hamzas and case kept (version 3), a bag of n-grams does better with them
folded (version 2; docs/classifier-experiments.md, session 11). Features are the 2–5-character
n-grams of each word with a space on either side (scikit-learn's ``char_wb``, lower-cased) of the
normalised text, hashed with ``crc32 % buckets`` (stable across processes and machines), counted
with sublinear tf (``1 + log count``), weighted by idf and scaled to unit length. The file holds
``idf`` (float16, one per bucket), ``coef`` (int8, categories × buckets) with its per-category
``scale``, ``intercept`` and ``fitted`` (False for a category the data could not fit: the encoder
alone scores it). ``models/training/ngram.py`` fits it.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .normalize import normalize, version_of

NGRAM_FILE = "ngram.npz"
ORDERS = (2, 3, 4, 5)


@lru_cache(maxsize=1 << 17)
def word_buckets(word: str, buckets: int) -> tuple[int, ...]:
    """The bucket of every n-gram of ``word`` (with repeats): common words cost a lookup."""
    marked = f" {word} "
    grams: list[str] = []
    for n in ORDERS:
        if n >= len(marked):  # as scikit-learn does: a short word once, whole, then no longer n-grams
            grams.append(marked)
            break
        grams.extend(marked[i : i + n] for i in range(len(marked) - n + 1))
    return tuple(zlib.crc32(gram.encode("utf-8")) % buckets for gram in grams)


def bucket_counts(text: str, buckets: int) -> Counter[int]:
    """How often each bucket occurs in ``text`` (already normalised)."""
    counts: Counter[int] = Counter()
    for word in text.lower().split():
        counts.update(word_buckets(word, buckets))
    return counts


def tfidf(counts: Mapping[int, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bucket ids and their unit-length sublinear tf-idf values."""
    ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    if not len(ids):
        return ids, np.zeros(0, dtype=np.float32)
    tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
    values = tf * idf[ids]
    return ids, values / max(float(np.linalg.norm(values)), 1e-12)


class NgramModel:
    """Probabilities per category of the artifact's categories, from ``ngram.npz``."""

    def __init__(
        self,
        arrays: Mapping[str, np.ndarray],
        weight: float | Sequence[float],
        normalizer: int | None = None,
        language_weights: Mapping[str, Sequence[float]] | None = None,
    ) -> None:
        self.idf = np.asarray(arrays["idf"], dtype=np.float32)
        self.coef = np.asarray(arrays["coef"])
        self.scale = np.asarray(arrays["scale"], dtype=np.float32)
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float32)
        self.fitted = np.asarray(arrays["fitted"], dtype=bool)
        self.buckets = len(self.idf)
        # one weight per category (a single one repeated)
        self.weights = np.broadcast_to(np.asarray(weight, dtype=np.float32), self.intercept.shape).copy()
        self.normalizer = normalizer  # the version its texts are normalised with (None: raw)
        # a language's own weights (every category's), for the comments ``models/language.py`` reads as it
        self.language_weights = {
            language: np.asarray(own, dtype=np.float32) for language, own in (language_weights or {}).items()
        }
        every = [self.weights, *self.language_weights.values()]
        in_range = all(w.shape == self.weights.shape and bool(((w > 0.0) & (w < 1.0)).all()) for w in every)
        if self.coef.shape != (len(self.intercept), self.buckets) or not in_range:
            raise ValueError("ngram.npz does not match its categories and buckets, or a weight is not in (0, 1)")

    @classmethod
    def load(cls, path: Path, meta: Mapping[str, Any], categories: Sequence[str] = ()) -> NgramModel | None:
        """The artifact's n-gram half, or None when it has none; ``categories`` name the columns
        that ``"weights"`` may give their own weight, and ``"language_weights"`` a language's own."""
        spec = meta.get("ngram")
        if not spec:
            return None
        normalizer = version_of(spec.get("normalize", meta.get("normalize")))
        own = spec.get("weights") or {}
        unknown = set(own) - set(categories)
        if unknown:
            raise ValueError(f"ngram weights for unknown categories: {sorted(unknown)}")
        by_language: Mapping[str, Mapping[str, float]] = spec.get("language_weights") or {}
        unknown = {c for table in by_language.values() for c in table} - set(categories)
        if unknown:
            raise ValueError(f"ngram language weights for unknown categories: {sorted(unknown)}")
        default = float(spec["weight"])
        weight = [float(own.get(c, default)) for c in categories] if own else default
        language_weights = {
            language: [float(table.get(c, own.get(c, default))) for c in categories]
            for language, table in by_language.items()
        }
        with np.load(path / NGRAM_FILE, allow_pickle=False) as arrays:
            return cls({name: arrays[name] for name in arrays.files}, weight, normalizer, language_weights)

    def predict_scores(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), categories) array of probabilities; ``texts`` already normalised."""
        logits = np.empty((len(texts), len(self.intercept)), dtype=np.float32)
        for row, text in enumerate(texts):
            ids, values = tfidf(bucket_counts(text, self.buckets), self.idf)
            logits[row] = (self.coef[:, ids].astype(np.float32) @ values) * self.scale + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def weights_for(self, languages: Sequence[str] | None) -> np.ndarray:
        """The weights per category, or with ``languages`` (one per text) per text and category."""
        if not self.language_weights or languages is None:
            return self.weights
        return np.stack([self.language_weights.get(language, self.weights) for language in languages])

    def blend(
        self,
        encoder: np.ndarray,
        texts: Sequence[str],
        *,
        normalized: bool = False,
        languages: Sequence[str] | None = None,
    ) -> np.ndarray:
        """The ensemble's scores: the encoder's, moved towards the n-grams' by ``weight`` where fitted
        (the text's language's own weight where it has one: ``languages``, as detected on the texts
        received); ``texts`` as received (normalised here with the half's own version), or
        ``normalized`` already with it (the encoder's version is the half's: no second pass)."""
        if self.normalizer is None or normalized:
            prepared = list(texts)
        else:
            prepared = [normalize(t, self.normalizer) for t in texts]
        return blend_scores(encoder, self.predict_scores(prepared), self.weights_for(languages), self.fitted)


def blend_scores(encoder: np.ndarray, half: np.ndarray, weights: float | np.ndarray, fitted: np.ndarray) -> np.ndarray:
    """``(1 - w) · encoder + w · half`` per category (``weights``: one, one per category, or one per
    text and category), the
    encoder's alone where the half has no ``fitted`` model: the served blend, and the one the export
    chooses weights on."""
    mixed = (1.0 - weights) * encoder + weights * half
    return np.where(fitted, mixed, encoder).astype(np.float32)
