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


def best_threshold(labels: np.ndarray, scores: np.ndarray, grid: int = 99) -> tuple[float, float]:
    """The decision threshold on ``scores`` that maximises macro-F1, and that macro-F1."""
    best = (0.5, macro_f1(labels, (scores >= 0.5).astype(int)))
    for threshold in np.linspace(0.01, 0.99, grid):
        value = macro_f1(labels, (scores >= threshold).astype(int))
        if value > best[1]:
            best = (float(threshold), value)
    return best
