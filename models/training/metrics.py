"""Macro-F1 (the mean of the positive- and negative-class F1, as OSACT reports it) and thresholds."""

from __future__ import annotations

import numpy as np


def macro_f1(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Mean F1 of the two classes of a binary task; ``labels`` and ``predicted`` are 0/1 arrays."""
    scores = []
    for cls in (1, 0):
        tp = float(np.sum((predicted == cls) & (labels == cls)))
        fp = float(np.sum((predicted == cls) & (labels != cls)))
        fn = float(np.sum((predicted != cls) & (labels == cls)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)
    return float(np.mean(scores))


def best_threshold(labels: np.ndarray, scores: np.ndarray, grid: int = 99, floor: float = 0.0) -> tuple[float, float]:
    """The decision threshold on ``scores`` that maximises macro-F1, and that macro-F1; with
    ``floor``, the best at or above it (``floor`` itself when the grid has none)."""
    candidates = [float(t) for t in np.linspace(0.01, 0.99, grid) if t >= floor] or [floor]
    if floor <= 0.5:
        candidates.insert(0, 0.5)
    best = (candidates[0], macro_f1(labels, (scores >= candidates[0]).astype(int)))
    for threshold in candidates[1:]:
        value = macro_f1(labels, (scores >= threshold).astype(int))
        if value > best[1]:
            best = (threshold, value)
    return best


def precision_at_recall(labels: np.ndarray, scores: np.ndarray, recall: float) -> float:
    """The best precision of any threshold that keeps at least ``recall`` of the positives (a
    threshold sits between distinct scores: tied rows are flagged together); 0 without positives."""
    positives = float(labels.sum())
    if positives == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    hits = np.cumsum(labels[order])
    cut = np.append(ranked[1:] != ranked[:-1], True)  # the last row of each run of equal scores
    precision = hits / np.arange(1, len(order) + 1)
    return float(precision[cut & (hits >= recall * positives)].max())


DRAWS_AT_ONCE = 100  # bootstrap draws held in memory at once: 100 × 17,600 dev rows ≈ 14 MB


def difference_interval(
    labels: np.ndarray, first: np.ndarray, second: np.ndarray, draws: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """The 95 % paired-bootstrap interval of ``macro_f1(first) − macro_f1(second)``: both systems'
    0/1 decisions on the same rows, resampled together. A dev source of a few hundred rows moves
    macro-F1 by a point or more from one sample to the next; where the interval spans 0, the two
    systems are not told apart by these rows."""
    labels, first, second = (np.asarray(a).astype(bool) for a in (labels, first, second))
    n = len(labels)
    if n == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    differences = []
    for start in range(0, draws, DRAWS_AT_ONCE):
        size = min(DRAWS_AT_ONCE, draws - start)
        weights = rng.multinomial(n, np.full(n, 1 / n), size=size).astype(np.float64)  # times each row is drawn
        differences.append(_resampled_f1(weights, labels, first) - _resampled_f1(weights, labels, second))
    low, high = np.percentile(np.concatenate(differences), [2.5, 97.5])
    return float(low), float(high)


def _resampled_f1(weights: np.ndarray, labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """``macro_f1`` of each resample, the rows counted as often as ``weights`` (draws × rows) say."""
    tp = weights @ (labels & predicted)
    tn = weights @ (~labels & ~predicted)
    fp = weights @ (~labels & predicted)
    fn = weights @ (labels & ~predicted)
    ones = np.ones(len(weights))
    positive = np.divide(2 * tp, 2 * tp + fp + fn, out=ones.copy(), where=(tp + fp + fn) > 0)
    negative = np.divide(2 * tn, 2 * tn + fn + fp, out=ones, where=(tn + fn + fp) > 0)
    return (positive + negative) / 2
