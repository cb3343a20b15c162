"""What the service learns from an image: PDQ hash (and those of its crops), a match in the bank
of removed images, the text Tesseract reads (scored by the text classifier), the image model's
scores (by default open_nsfw's ``sexual``), and the threshold they imply. Used by the worker for
reported images, by ``/v1/images/check`` and by image submissions at once. Views reach it through
:func:`get_analyser`."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from ..classifier import predict
from ..config import Config, ConfigError
from ..policy import threshold_for
from . import media
from . import ocr as tesseract
from .model import ImageModel, load

if TYPE_CHECKING:
    from raqib.models.inference import Classifier

log = logging.getLogger(__name__)
EXTENSION = "raqib.images"


@dataclass
class Analysis:
    info: media.ImageInfo
    pdq: media.PdqHash
    variants: list[str]
    preview: bytes
    text: str | None = None  # read by OCR; None when OCR is off or unavailable
    text_scores: dict[str, float] | None = None
    image_scores: dict[str, float] | None = None
    flagged: list[str] = field(default_factory=list)

    @property
    def scores(self) -> dict[str, float] | None:
        """Per category, the higher of the text read and the image model."""
        parts = [s for s in (self.text_scores, self.image_scores) if s]
        if not parts:
            return None
        return {c: max(p.get(c, 0.0) for p in parts) for c in sorted({c for p in parts for c in p})}

    def item_fields(self, now_ms: int) -> dict[str, str]:
        fields = {
            "pdq": self.pdq.hex,
            "pdq_quality": str(self.pdq.quality),
            "analysed_at": str(now_ms),
            "image_info": json.dumps(
                {
                    "format": self.info.format,
                    "width": self.info.width,
                    "height": self.info.height,
                    "bytes": self.info.bytes,
                }
            ),
        }
        if self.text is not None:
            fields["ocr_text"] = self.text
        if self.image_scores is not None:
            fields["image_scores"] = json.dumps(self.image_scores)
        scores = self.scores
        if scores is not None:
            fields["scores"] = json.dumps(scores)
            fields["offensive"] = str(max(scores.values()))
        return fields


class ImageAnalyser:
    def __init__(self, config: Config, text_model: Callable[[], Classifier | None], model: ImageModel | None) -> None:
        """``text_model`` gives the text classifier in service at each call (a ``ModelHolder``'s
        ``current``): the text read in images is scored by the active version, as comments are."""
        self.config = config
        self.text_model = text_model
        self.model = model
        self.limits = media.ImageLimits(config.max_image_bytes, config.max_image_pixels)
        self.ocr = config.ocr and tesseract.available()

    @property
    def model_name(self) -> str:
        """What ``/readyz`` shows of the image model."""
        return self.model.name if self.model is not None else "none configured"

    def analyse(self, data: bytes, *, ocr: bool = True) -> Analysis:
        """Decode and analyse; raises :class:`media.ImageRejected` for a bad file."""
        info, picture = media.decode(data, self.limits)
        shown = media.reduce(picture, media.PREVIEW_SIDE)  # one resize from the full image;
        hashed = media.reduce(shown, media.HASH_SIDE)  # the crops are cut from the small copy
        analysis = Analysis(
            info=info,
            pdq=media.pdq(hashed),
            variants=[media.pdq(v).hex for v in media.crop_variants(hashed)],
            preview=media.preview(shown),
        )
        config = self.config
        if ocr and self.ocr:
            try:
                analysis.text = tesseract.read(
                    shown, config.ocr_languages, config.ocr_timeout_s, config.ocr_min_confidence
                )
            except (subprocess.SubprocessError, OSError) as err:
                log.warning("OCR failed: %s", err)
        text_model = self.text_model() if analysis.text else None
        if analysis.text and text_model is not None:
            result = predict(text_model, [analysis.text])[0]
            analysis.text_scores, analysis.flagged = result["scores"], list(result["flagged"])
        if self.model is not None:
            analysis.image_scores = self.model.predict(picture)
            flagged = [c for c, s in analysis.image_scores.items() if s >= config.image_flag_score]
            analysis.flagged = sorted(set(analysis.flagged) | set(flagged))
        return analysis

    def match(self, pdq: media.PdqHash, bank: dict[str, str]) -> dict[str, Any] | None:
        """The bank entry this hash matches (``entry``, ``distance``), if any."""
        if pdq.quality < self.config.pdq_min_quality:
            return None
        found = media.nearest(pdq.hex, bank)
        if found is None or found[1] > self.config.pdq_max_distance:
            return None
        return {"entry": found[0].split("/")[0], "distance": found[1]}

    def settings(self, analysis: Analysis, match: dict[str, Any] | None) -> dict[str, Any]:
        """What analysis_landed.lua needs: the match, or the threshold the scores imply."""
        config = self.config
        settings: dict[str, Any] = {
            "flagged": analysis.flagged,
            "min_reporters": config.min_reporters,
            "weighted": config.trust_weighting,
        }
        if match is not None:
            settings["match"] = match
        scores = analysis.scores
        if scores:
            top = max(scores.values())
            if analysis.text_scores is None and top < config.confident_offensive_score:
                # The image model sees one kind of harm: its low score says nothing of the others
                # (violence, hate symbols), so it never makes an image "confidently clean".
                threshold = threshold_for(config, "image")
            else:
                threshold = threshold_for(config, "image", {"offensive": top})
            settings.update(threshold=threshold.reports, rule=threshold.rule)
        return settings


def load_image_model(config: Config) -> ImageModel | None:
    """The configured image model (the bundled open_nsfw unless ``RAQIB_IMAGE_MODEL`` says
    otherwise); its weights are read on the first image. A bad setting raises ``ConfigError``."""
    try:
        model = load(config.image_model, config.image_model_labels, config.model_threads)
    except (OSError, ValueError) as err:
        named = config.image_model or "the bundled model"
        raise ConfigError(f"RAQIB_IMAGE_MODEL: cannot load {named}: {err}") from None
    if model is not None:
        log.info("image model: %s", model.name)
    return model


def init_app(app: Flask, analyser: ImageAnalyser) -> None:
    app.extensions[EXTENSION] = analyser


def get_analyser() -> ImageAnalyser:
    analyser: ImageAnalyser = current_app.extensions[EXTENSION]
    return analyser
