"""An image-classification model from a local Hugging Face directory, its labels mapped to our
categories. Nothing is downloaded: ``local_files_only`` throughout."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from transformers import AutoImageProcessor, AutoModelForImageClassification

from ..categories import CATEGORIES, IMAGE_CATEGORIES


class ImageClassifier:
    """``predict(image)`` → ``{category: score}`` for the categories the label map names; a
    category fed by several labels takes the highest."""

    def __init__(self, path: str | Path, label_map: Mapping[str, str], threads: int = 1) -> None:
        self.path = Path(path)
        self.processor: Any = AutoImageProcessor.from_pretrained(str(self.path), local_files_only=True)
        self.model: Any = AutoModelForImageClassification.from_pretrained(str(self.path), local_files_only=True)
        self.model.eval()
        torch.set_num_threads(threads)
        labels = {str(name): int(index) for index, name in self.model.config.id2label.items()}
        unknown = sorted(set(label_map) - set(labels))
        if unknown:
            raise ValueError(f"labels {unknown} are not in the model's labels {sorted(labels)}")
        allowed = (*CATEGORIES, *IMAGE_CATEGORIES)
        bad = sorted(set(label_map.values()) - set(allowed))
        if bad:
            raise ValueError(f"categories {bad} are not among {list(allowed)}")
        self.index = {label: labels[label] for label in label_map}
        self.label_map = dict(label_map)
        self.multi_label = self.model.config.problem_type == "multi_label_classification"

    @property
    def name(self) -> str:
        """What ``/readyz`` shows: the model's directory."""
        return str(self.path)

    @torch.inference_mode()
    def predict(self, image: Any) -> dict[str, float]:
        inputs = self.processor(images=image.convert("RGB"), return_tensors="pt")
        logits = self.model(**inputs).logits[0].float()
        probs = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)
        scores: dict[str, float] = {}
        for label, category in self.label_map.items():
            score = round(float(probs[self.index[label]]), 4)
            scores[category] = max(score, scores.get(category, 0.0))
        return scores


def parse_label_map(text: str) -> dict[str, str]:
    """``"nsfw:vulgar,gore:violence"`` → ``{"nsfw": "vulgar", "gore": "violence"}``."""
    mapping = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        label, sep, category = part.rpartition(":")
        if not sep or not label or not category:
            raise ValueError(f"expected 'label:category' pairs, got {part!r}")
        mapping[label.strip()] = category.strip()
    return mapping


def build_tiny_vit(directory: str | Path, labels: tuple[str, ...] = ("safe", "nsfw", "gore")) -> Path:
    """A tiny random ViT with its processor, for tests of the loading and scoring path."""
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    out = Path(directory)
    config = ViTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
    )
    torch.manual_seed(0)
    ViTForImageClassification(config).save_pretrained(str(out))
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(str(out))
    return out
