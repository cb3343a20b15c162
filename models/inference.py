"""Loading a classifier artifact and scoring texts: ``load_classifier(path).predict(texts)``.

With ``model.int8.onnx`` in the artifact, ONNX Runtime scores (``models/onnx.py``) and nothing
here imports torch or transformers: the tokenizer is read by the ``tokenizers`` library and the
config as JSON. Without an ONNX file, or with ``backend="torch"``, the transformers model scores
(``models/training/torch_inference.py``, imported only then).

An artifact is a Hugging Face directory (config, tokenizer, weights) plus ``raqib.json`` with the
decision thresholds (per category, and per language where calibration chose) and whether texts
are normalised first. A directory without ``raqib.json`` (a fine-tuned MARBERT, say) works through
the same path: raw text, thresholds of 0.5, categories read from its ``id2label``. An ensemble
artifact adds the char n-gram half (``models/ngram.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .batching import encode_texts, scores_by_batch
from .categories import CATEGORIES
from .charngrams import NgramSpec
from .language import detect
from .ngram import NgramModel
from .normalize import normalize, version_of
from .onnx import ONNX_FILE, OnnxScorer
from .paths import BUNDLED
from .thresholds import Thresholds
from .tokens import WordPieces

META_FILE = "raqib.json"
ALONE = 1  # batch_tokens that puts every text in a batch of its own
Scorer = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], np.ndarray]


def read_meta(path: Path) -> dict[str, Any]:
    meta_path = path / META_FILE
    return json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


class Classifier:
    """Scores texts per category; ``flagged`` lists the categories at or above their threshold
    (the text's language's own where the artifact has one, ``models/thresholds.py``).

    ONNX scores one text per run: the int8 model quantizes its activations with one scale per run,
    so in a batch a comment's score moved with its neighbours' (by up to 0.36 on dev); alone, it
    depends on the comment only, as the thresholds calibrated on it assume. One text runs on all
    ``threads``; several go ``threads`` at once, each on one core, through a second session made
    on the first such call (2 cores: 410 comments/s through the encoder, against 269 one at a time
    on both). The torch path (fp32) batches at most ``batch_tokens`` padded tokens, which changes
    nothing but speed."""

    def __init__(
        self, path: str | Path, *, threads: int | None = None, batch_tokens: int = 2048, backend: str = "auto"
    ) -> None:
        if backend not in ("auto", "torch", "onnx"):
            raise ValueError(f"backend must be auto, torch or onnx, not {backend!r}")
        self.path = Path(path)
        meta = read_meta(self.path)
        config = _read_json(self.path / "config.json")
        tokenizer_config = _read_json(self.path / "tokenizer_config.json")
        self.pieces = WordPieces.from_dir(self.path)
        self.ngrams = NgramSpec.of_config(config)
        labels = {int(i): str(name) for i, name in config.get("id2label", {}).items()}
        self.categories: tuple[str, ...] = tuple(labels[i] for i in range(len(labels)))
        self.decisions = Thresholds.of_meta(meta, self.categories)
        self.normalizer: int | None = version_of(meta.get("normalize"))
        model_max = int(tokenizer_config.get("model_max_length") or 512)
        self.max_length: int = int(meta.get("max_length", min(model_max, 512)))
        self.batch_tokens = batch_tokens
        self.runs_at_once = 1
        self._side_by_side: tuple[OnnxScorer, ThreadPoolExecutor] | None = None
        self.ngram_half = NgramModel.load(self.path, meta, self.categories)
        if self.ngram_half is not None and len(self.ngram_half.intercept) != len(self.categories):
            raise ValueError(f"{self.path}: ngram.npz does not have the model's {len(self.categories)} categories")
        onnx_path = self.path / ONNX_FILE
        self.scorer: Scorer
        if backend == "onnx" or (backend == "auto" and onnx_path.exists()):
            self.scorer, self.backend = OnnxScorer(onnx_path, threads), "onnx"
            self.batch_tokens = ALONE
            self.runs_at_once = threads or os.cpu_count() or 1
        else:
            from .training.torch_inference import TorchScorer  # torch loads here, and only here

            self.scorer, self.backend = TorchScorer(self.path, threads), "torch"

    def predict_scores(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), len(categories)) array of probabilities."""
        return self._scores(texts, self._languages(texts))

    def predict(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        languages = self._languages(texts)  # read once, for the blend and the thresholds
        scores = self._scores(texts, languages)
        results = []
        for i, row in enumerate(scores):
            by_category = {c: round(float(p), 4) for c, p in zip(self.categories, row, strict=True)}
            thresholds = self.decisions.default if languages is None else self.decisions.for_language(languages[i])
            flagged = [c for c in self.categories if by_category[c] >= thresholds[c]]
            results.append({"scores": by_category, "flagged": flagged})
        return results

    @property
    def thresholds(self) -> dict[str, float]:
        """One threshold per category (a language may have its own: ``decisions``)."""
        return self.decisions.default

    def _languages(self, texts: Sequence[str]) -> list[str] | None:
        """Each text's language, when the artifact has anything per language; else None."""
        per_language = self.decisions.by_language or (self.ngram_half is not None and self.ngram_half.language_weights)
        return [detect(t) for t in texts] if per_language else None

    def _scores(self, texts: Sequence[str], languages: Sequence[str] | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.categories)), dtype=np.float32)
        prepared = list(texts) if self.normalizer is None else [normalize(t, self.normalizer) for t in texts]
        encoded = encode_texts(prepared, self.pieces, self.max_length, normalizer=None, ngrams=self.ngrams)
        scores = self._encoder_scores(encoded)
        half = self.ngram_half
        if half is None:
            return scores
        if self.normalizer is not None and half.normalizer == self.normalizer:
            return half.blend(scores, prepared, normalized=True, languages=languages)
        return half.blend(scores, texts, languages=languages)

    def _encoder_scores(self, encoded: Sequence[np.ndarray]) -> np.ndarray:
        """The encoder's scores; several texts on ONNX: ``runs_at_once`` parts side by side."""
        labels = len(self.categories)
        if self.runs_at_once == 1 or len(encoded) < 2:
            return scores_by_batch(self.scorer, self.pieces, encoded, self.batch_tokens, labels)
        if self._side_by_side is None:
            one_core = OnnxScorer(self.path / ONNX_FILE, threads=1)  # a run per core: no pool shared
            self._side_by_side = one_core, ThreadPoolExecutor(self.runs_at_once, thread_name_prefix="raqib-onnx")
        scorer, runners = self._side_by_side
        parts = [part for part in np.array_split(np.arange(len(encoded)), self.runs_at_once) if len(part)]
        scored = runners.map(
            lambda part: scores_by_batch(scorer, self.pieces, [encoded[i] for i in part], ALONE, labels), parts
        )
        return np.vstack(list(scored))


def load_classifier(path: str | Path | None = None, **kwargs: Any) -> Classifier:
    """The classifier at ``path``, else ``RAQIB_MODEL_DIR``, else the bundled artifact."""
    chosen = Path(path or os.environ.get("RAQIB_MODEL_DIR") or BUNDLED)
    if not (chosen / "config.json").exists():
        raise FileNotFoundError(f"no model at {chosen} (expected a Hugging Face directory with config.json)")
    return Classifier(chosen, **kwargs)


__all__ = ["CATEGORIES", "Classifier", "load_classifier"]
