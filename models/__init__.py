"""Raqib's Arabic classifier: normalisation, tokenizer, pre-training, fine-tuning, evaluation,
inference. No Flask or Redis here. ``models.load_classifier(path=None).predict(texts)`` is the
contract the service uses; importing this package loads nothing heavy (torch loads on the call)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .inference import Classifier


def load_classifier(path: str | Path | None = None, **kwargs: Any) -> Classifier:
    """The classifier at ``path``, else ``RAQIB_MODEL_DIR``, else the bundled artifact."""
    from .inference import load_classifier as load

    return load(path, **kwargs)
