from __future__ import annotations

import numpy as np

from models.data import LabeledSet
from models.evaluate import calibrate, report
from models.metrics import best_threshold, macro_f1


def test_macro_f1_is_the_mean_of_both_classes() -> None:
    labels = np.array([1, 1, 0, 0])
    assert macro_f1(labels, labels) == 1.0
    assert macro_f1(labels, np.array([1, 0, 0, 0])) == (2 / 3 + 0.8) / 2


def test_best_threshold_separates() -> None:
    labels = np.array([0, 0, 1, 1])
    threshold, value = best_threshold(labels, np.array([0.1, 0.3, 0.35, 0.9]))
    assert 0.3 < threshold <= 0.35 and value == 1.0


def test_report_ignores_unannotated_cells() -> None:
    data = LabeledSet(
        texts=["a"] * 4,
        sources=["s"] * 4,
        labels=np.array([[1, 0, 0, 0, 0]] * 2 + [[0, 0, 0, 0, 0]] * 2, dtype=np.float32),
        mask=np.array([[1, 0, 0, 0, 0]] * 4, dtype=np.float32),
    )
    scores = np.array([[0.9] * 5, [0.8] * 5, [0.1] * 5, [0.2] * 5], dtype=np.float32)
    assert list(report(scores, data, {}, min_rows=1)) == ["offensive"]
    assert calibrate(scores, data)["hate"] == 0.5
