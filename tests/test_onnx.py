"""The ONNX Runtime path agrees with the torch path (the tolerance is stated in models/onnx.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from raqib.models.batching import encode_texts, length_batches
from raqib.models.inference import load_classifier
from raqib.models.normalize import normalize
from raqib.models.onnx import FP32_TOLERANCE, INT8_TOLERANCE, OnnxScorer
from raqib.models.training.export import export_onnx

TEXTS = ["يا حمار يا غبي", "صباح الخير يا جماعة " * 12, "", "3lach katdir hakka 😂😂", "ديما مغرب", "x"]


@pytest.fixture(scope="module")
def onnx_model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("onnx") / "artifact"
    shutil.copytree(tiny_model, target)
    export_onnx(target)
    return target


def test_int8_matches_torch(onnx_model: Path) -> None:
    fast = load_classifier(onnx_model)
    reference = load_classifier(onnx_model, backend="torch")
    assert (fast.backend, reference.backend) == ("onnx", "torch")
    np.testing.assert_allclose(fast.predict_scores(TEXTS), reference.predict_scores(TEXTS), atol=INT8_TOLERANCE)
    assert [r["scores"].keys() for r in fast.predict(TEXTS)] == [r["scores"].keys() for r in reference.predict(TEXTS)]


def test_a_texts_int8_score_does_not_depend_on_its_neighbours(onnx_model: Path) -> None:
    """int8 activations are quantized with one scale per run: each text gets a run of its own."""
    classifier = load_classifier(onnx_model)
    alone = np.vstack([classifier.predict_scores([t]) for t in TEXTS])
    np.testing.assert_array_equal(classifier.predict_scores(TEXTS), alone)
    beside_a_long_one = classifier.predict_scores([*TEXTS[::-1], "يا حمار " * 100])
    np.testing.assert_array_equal(beside_a_long_one[: len(TEXTS)], alone[::-1])


def test_fp32_export_matches_closely(onnx_model: Path, tmp_path: Path) -> None:
    path = export_onnx(onnx_model, tmp_path / "fp32.onnx", int8=False)
    reference = load_classifier(onnx_model, backend="torch")
    texts = [normalize(t) for t in ("يا حمار", "صباح الخير يا جماعة")]
    [batch] = length_batches(encode_texts(texts, reference.pieces, 128, normalizer=None), 10_000)
    ids, _, attention = batch.arrays(reference.pieces)
    scores = OnnxScorer(path)(ids, attention)[np.argsort(batch.indices)]
    np.testing.assert_allclose(
        scores, reference.predict_scores(["يا حمار", "صباح الخير يا جماعة"]), atol=FP32_TOLERANCE
    )


def test_without_onnx_file_torch_is_used(tiny_model: Path) -> None:
    assert load_classifier(tiny_model).backend == "torch"
    with pytest.raises(ValueError, match="backend"):
        load_classifier(tiny_model, backend="tensorrt")
