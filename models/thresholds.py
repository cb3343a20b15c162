"""An artifact's decision thresholds: one per category (``raqib.json``'s ``thresholds``) and, where
calibration found a better one for the comments of one language, that language's own
(``language_thresholds``, keyed by ``models/language.py``'s codes). One threshold per category
served French and English hate badly: their scores sit lower than Arabic's for the same harm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .language import LANGUAGES, detect


@dataclass(frozen=True)
class Thresholds:
    default: dict[str, float]
    by_language: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def of_meta(cls, meta: Mapping[str, Any], categories: Sequence[str]) -> Thresholds:
        """Read from ``raqib.json``: a category without a threshold gets 0.5, unknown languages and
        categories are ignored."""
        default = {c: float((meta.get("thresholds") or {}).get(c, 0.5)) for c in categories}
        tables = meta.get("language_thresholds") or {}
        by_language = {
            language: {c: float(v) for c, v in tables[language].items() if c in default}
            for language in LANGUAGES
            if language in tables
        }
        return cls(default, {language: table for language, table in by_language.items() if table})

    def for_language(self, language: str) -> dict[str, float]:
        own = self.by_language.get(language)
        return {**self.default, **own} if own else self.default

    def per_row(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Each category's threshold for every text, as ``evaluate.report`` takes them (``languages``:
        the texts' detected languages, where the caller has them already)."""
        if not self.by_language:
            languages = ["-"] * len(texts)
        elif languages is None:
            languages = [detect(t) for t in texts]
        return {
            category: np.asarray([self.by_language.get(lang, {}).get(category, value) for lang in languages])
            for category, value in self.default.items()
        }

    def as_meta(self) -> dict[str, Any]:
        return {
            "thresholds": dict(self.default),
            "language_thresholds": {k: dict(v) for k, v in self.by_language.items()},
        }
