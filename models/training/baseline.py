"""The reference to beat: char 2–5-gram TF-IDF + logistic regression, one per category, trained on
the annotated rows of train.csv. Needs scikit-learn (a development dependency)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..normalize import normalize
from ..thresholds import Thresholds
from .data import CATEGORIES, LabeledSet
from .evaluate import calibrate_by_language


class CharNgramBaseline:
    def __init__(self) -> None:
        self.vectorizer: Any = None
        self.models: dict[str, Any] = {}

    def fit(self, train: LabeledSet) -> CharNgramBaseline:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts = [normalize(t) for t in train.texts]
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, max_features=400_000, sublinear_tf=True
        )
        matrix = self.vectorizer.fit_transform(texts)
        for j, category in enumerate(CATEGORIES):
            rows = np.flatnonzero(train.mask[:, j] > 0)
            labels = train.labels[rows, j]
            if len(np.unique(labels)) < 2:
                continue
            model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
            self.models[category] = model.fit(matrix[rows], labels)
        return self

    def predict_scores(self, texts: list[str]) -> np.ndarray:
        matrix = self.vectorizer.transform([normalize(t) for t in texts])
        scores = np.zeros((len(texts), len(CATEGORIES)), dtype=np.float32)
        for j, category in enumerate(CATEGORIES):
            if category in self.models:
                scores[:, j] = self.models[category].predict_proba(matrix)[:, 1]
        return scores


def calibrated_baseline(train: LabeledSet, data: LabeledSet) -> tuple[np.ndarray, Thresholds]:
    """The baseline fitted on ``train``: its scores on ``data`` and the thresholds calibrated there,
    per language as the model's are, as ``raqib evaluate`` and the model card compare with (no cap
    on false spam or insults flagged hate: the baseline's best)."""
    scores = CharNgramBaseline().fit(train).predict_scores(data.texts)
    return scores, calibrate_by_language(scores, data)
