"""Raqib's Arabic classifier. ``load_classifier(path=None).predict(texts)`` is the contract the
service uses: normalise, tokenise, score with ONNX Runtime; no torch, no Flask, no Redis.
Training, evaluation, export and the torch path live in ``models/training`` (which imports torch).
Importing this package loads nothing heavy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .categories import CATEGORIES

if TYPE_CHECKING:
    from .inference import Classifier


def load_classifier(path: str | Path | None = None, **kwargs: Any) -> Classifier:
    """The classifier at ``path``, else ``RAQIB_MODEL_DIR``, else the bundled artifact."""
    from .inference import load_classifier as load

    return load(path, **kwargs)


__all__ = ["CATEGORIES", "load_classifier"]
