"""Fitting the char n-gram half of an ensemble artifact (served by ``models/ngram.py``).

The same features as serving computes (``bucket_counts``, ``tfidf``), so the fit and the served
scores agree by construction; scikit-learn's logistic regression per category over the rows that
annotated it (C = 4, balanced classes: the char n-gram baseline's settings; a row weighs what its
mask says, so a site's decisions weigh as much as in fine-tuning), its coefficients then stored as
int8 with a scale per category.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..ngram import NGRAM_FILE, NgramModel, blend_scores, bucket_counts
from .data import CATEGORIES, LabeledSet
from .evaluate import calibrate, language_parts, report

BUCKETS = 1 << 20  # 2^18 collided enough to cost Arabic offensive 0.4 and French 1 point (session 16)
C = 4.0
WEIGHT_GRID = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def _matrix(texts: Sequence[str], buckets: int) -> tuple[object, np.ndarray]:
    """The (texts, buckets) unit-length tf-idf CSR matrix and its idf (smoothed, as scikit-learn's,
    rounded to the float16 the artifact stores): ``models.ngram.tfidf`` for a whole set at once."""
    from scipy import sparse

    indptr: list[int] = [0]
    indices: list[int] = []
    counts: list[int] = []
    for text in texts:
        row = bucket_counts(text, buckets)
        indices.extend(row.keys())
        counts.extend(row.values())
        indptr.append(len(indices))
    tf = sparse.csr_matrix(
        (1.0 + np.log(np.asarray(counts, dtype=np.float32)), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(texts), buckets),
    )
    df = np.bincount(np.asarray(indices, dtype=np.int64), minlength=buckets)
    idf = (np.log((1 + len(texts)) / (1 + df)) + 1.0).astype(np.float16).astype(np.float32)
    weighted = tf @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ weighted, idf


def fit_ngram(train: LabeledSet, texts: Sequence[str], buckets: int = BUCKETS) -> dict[str, np.ndarray]:
    """The arrays of ``ngram.npz`` fitted on ``train`` (``texts``: its texts, normalised)."""
    from sklearn.linear_model import LogisticRegression

    features, idf = _matrix(texts, buckets)
    n_categories = train.labels.shape[1]
    coef = np.zeros((n_categories, buckets), dtype=np.float32)
    intercept = np.zeros(n_categories, dtype=np.float32)
    fitted = np.zeros(n_categories, dtype=bool)
    for j in range(n_categories):
        rows = np.flatnonzero(train.mask[:, j] > 0)
        y = train.labels[rows, j].astype(int)
        if len(np.unique(y)) < 2:
            continue
        model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        model.fit(features[rows], y, sample_weight=train.mask[rows, j])  # type: ignore[index]
        coef[j], intercept[j], fitted[j] = model.coef_[0], model.intercept_[0], True
    scale = np.maximum(np.abs(coef).max(axis=1), 1e-12) / 127.0
    quantised = np.round(coef / scale[:, None]).astype(np.int8)
    return {
        "idf": idf.astype(np.float16),
        "coef": quantised,
        "scale": scale.astype(np.float32),
        "intercept": intercept,
        "fitted": fitted,
    }


def write_ngram(artifact: Path, arrays: dict[str, np.ndarray]) -> Path:
    target = artifact / NGRAM_FILE
    np.savez_compressed(target, **arrays)  # type: ignore[arg-type]
    return target


def ngram_scores(arrays: dict[str, np.ndarray], texts: Sequence[str]) -> np.ndarray:
    """The n-gram half's probabilities, exactly as serving computes them."""
    return NgramModel(arrays, weight=0.5).predict_scores(texts)


def choose_weights(
    encoder: np.ndarray,
    half: np.ndarray,
    fitted: np.ndarray,
    dev: LabeledSet,
    max_false_spam: float | None = None,
    grid: Sequence[float] = WEIGHT_GRID,
) -> dict[str, float]:
    """Each fitted category's weight of the n-gram half: the one in ``grid`` whose blend, with its
    thresholds calibrated, scores that category best on ``dev``. Offensive is scored by the mean of
    its overall macro-F1 and of its sources' (model selection across sources, not a weight per source)."""
    best: dict[str, tuple[float, float]] = {}
    for weight in grid:
        blended = blend_scores(encoder, half, weight, fitted)
        results = report(blended, dev, calibrate(blended, dev, max_false_spam=max_false_spam))
        for j, category in enumerate(CATEGORIES):
            if not fitted[j] or category not in results:
                continue
            row = results[category]
            by_source = [f1 for name, f1 in row.items() if name != "overall" and "/" not in name and ":" not in name]
            across = float(np.mean(by_source)) if by_source else row["overall"]
            score = (row["overall"] + across) / 2 if category == "offensive" else row["overall"]
            if category not in best or score > best[category][1]:
                best[category] = (weight, score)
    return {category: weight for category, (weight, _score) in best.items()}


def choose_language_weights(
    encoder: np.ndarray,
    half: np.ndarray,
    fitted: np.ndarray,
    dev: LabeledSet,
    weights: Mapping[str, float],
    max_false_spam: float | None = None,
) -> dict[str, dict[str, float]]:
    """``choose_weights`` again over each detected language's rows: a language keeps its own weight
    on a category where it has enough of it (``evaluate.language_parts``, as its own thresholds need)
    and the weight differs from ``weights``, the one chosen over all rows."""
    out: dict[str, dict[str, float]] = {}
    for language, rows, part, enough in language_parts(dev):
        own = choose_weights(encoder[rows], half[rows], fitted & enough, part, max_false_spam)
        table = {category: weight for category, weight in own.items() if weight != weights.get(category)}
        if table:
            out[language] = table
    return out
