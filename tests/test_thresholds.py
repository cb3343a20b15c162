"""Thresholds per category and per language: reading ``raqib.json``, choosing per text and per row,
and calibrating a language's own only where dev has enough of it."""

from __future__ import annotations

import numpy as np
from raqib.models.categories import CATEGORIES
from raqib.models.thresholds import Thresholds
from raqib.models.training.data import LabeledSet
from raqib.models.training.evaluate import MIN_LANGUAGE_ROWS, calibrate_by_language, report

META = {
    "thresholds": {"offensive": 0.5, "hate": 0.6},
    "language_thresholds": {"fr": {"hate": 0.4, "unknown": 0.1}, "xx": {"hate": 0.2}, "en": {}},
}


def test_of_meta_reads_known_languages_and_categories() -> None:
    thresholds = Thresholds.of_meta(META, CATEGORIES)
    assert thresholds.default == {"offensive": 0.5, "hate": 0.6, "vulgar": 0.5, "violence": 0.5, "spam": 0.5}
    assert thresholds.by_language == {"fr": {"hate": 0.4}}
    assert Thresholds.of_meta(thresholds.as_meta(), CATEGORIES) == thresholds


def test_a_text_gets_its_language_threshold() -> None:
    thresholds = Thresholds.of_meta(META, CATEGORIES)
    assert thresholds.for_language("fr")["hate"] == 0.4
    assert thresholds.for_language("ar")["hate"] == 0.6
    rows = thresholds.per_row(["c'est une honte", "يا حمار"])
    assert rows["hate"].tolist() == [0.4, 0.6] and rows["offensive"].tolist() == [0.5, 0.5]
    assert thresholds.per_row(["c'est une honte", "يا حمار"], ["ar", "fr"])["hate"].tolist() == [0.6, 0.4]


def _rows(texts: list[str], hate: list[int]) -> LabeledSet:
    labels = np.zeros((len(texts), len(CATEGORIES)), dtype=np.float32)
    mask = np.zeros_like(labels)
    j = CATEGORIES.index("hate")
    labels[:, j], mask[:, j] = hate, 1
    return LabeledSet(texts, ["s"] * len(texts), labels, mask, ["x"] * len(texts))


def test_calibration_gives_a_language_its_own_threshold_only_with_enough_rows() -> None:
    n = MIN_LANGUAGE_ROWS
    # Arabic hate scores high, French hate scores lower: one threshold cannot serve both.
    arabic = [f"تعليق رقم {i}" for i in range(n)]
    french = [f"c'est le commentaire {i}" for i in range(n)]
    hate = [i % 2 for i in range(n)]
    scores = np.zeros((2 * n, len(CATEGORIES)), dtype=np.float32)
    j = CATEGORIES.index("hate")
    scores[:n, j] = [0.85 if h else 0.55 for h in hate]
    scores[n:, j] = [0.45 if h else 0.15 for h in hate]
    data = _rows(arabic + french, hate + hate)
    thresholds = calibrate_by_language(scores, data)
    assert len(thresholds.by_language) == 1 and "hate" in next(iter(thresholds.by_language.values()))
    assert report(scores, data, thresholds.per_row(data.texts))["hate"]["overall"] == 1.0
    few = data.subset(np.r_[np.arange(n), np.arange(n, n + 20)])
    assert "fr" not in calibrate_by_language(scores[np.r_[np.arange(n), np.arange(n, n + 20)]], few).by_language
