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
