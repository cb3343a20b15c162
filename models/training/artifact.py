"""The artifact a run exports: fp16 weights and tokenizer, int8 ONNX, the optional char n-gram half,
thresholds calibrated on the scores the service computes, ``raqib.json`` and the model card."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from transformers import AutoModelForSequenceClassification, PreTrainedTokenizerFast

from ..inference import ALONE, META_FILE, load_classifier
from ..normalize import VERSION, normalize
from .baseline import calibrated_baseline
from .card import write_model_card
from .data import CATEGORIES, LabeledSet, read_labeled
from .distill import concat
from .evaluate import calibrate, calibrate_by_language, report, site_view
from .export import export_onnx
from .ngram import BUCKETS, choose_language_weights, choose_weights, fit_ngram, ngram_scores, write_ngram

NGRAM_NORMALIZER = VERSION  # the n-gram half folds hamzas and case, as the baseline does (session 11)
MAX_FALSE_SPAM = 0.01  # the spam threshold flags at most 1 % of dev's clean comments, per language (evaluate.calibrate)
MAX_INSULT_AS_HATE = 0.08  # the hate threshold flags at most 8 % of dev's insults that are not hate (issue 42)


def export(
    best: Path,
    data_dir: Path,
    artifact: Path,
    timings: Mapping[str, float],
    cfgs: Mapping[str, object],
    normalizer: int = VERSION,
    ngram_weight: float = 0.0,
    ngram_weights: Mapping[str, float] | None = None,
    choose_ngram_weights: bool = False,
    site_rows: LabeledSet | None = None,
    ngram_language_weights: Mapping[str, Mapping[str, float]] | None = None,
) -> Path:
    """Write the artifact: fp16 weights, tokenizer, int8 ONNX, thresholds calibrated on dev, model card;
    with ``ngram_weight``, the char n-gram half of an ensemble fitted on train.csv
    (``models/ngram.py``), with ``ngram_weights`` its own weight for some categories, or with
    ``choose_ngram_weights`` each category's chosen on dev (``choose_weights``) and each language's
    where dev has enough of it (``choose_language_weights``; else ``ngram_language_weights``, an
    earlier artifact's); ``site_rows``, a
    site's weighted decisions, join its fit as they joined the encoder's fine-tuning. The thresholds and
    dev figures are those of the scores the service computes — the int8 model and the n-grams,
    loaded from the artifact — not of the fp32 model trained: int8 moves scores enough to cost a
    category 0.01–0.015 at fp32's thresholds."""
    dev = read_labeled(data_dir / "labeled" / "dev.csv")
    train = read_labeled(data_dir / "labeled" / "train.csv")
    ngram: dict[str, np.ndarray] | None = None
    extra: dict[str, object] = {}
    if ngram_weight > 0:
        started = time.monotonic()
        # with the site's decisions: else the half, most of an ensemble's weight, has never seen the site
        fit_on = train if site_rows is None else concat(train, site_rows)
        ngram = fit_ngram(fit_on, [normalize(t, NGRAM_NORMALIZER) for t in fit_on.texts])
        alone = np.load(best / "dev_scores.npy")  # the fp32 encoder's, from fine-tuning
        extra["dev_macro_f1_encoder_alone"] = report(alone, dev, calibrate(alone, dev, max_false_spam=MAX_FALSE_SPAM))
        if choose_ngram_weights:
            half = ngram_scores(ngram, [normalize(t, NGRAM_NORMALIZER) for t in dev.texts])
            ngram_weights = choose_weights(alone, half, ngram["fitted"], dev, MAX_FALSE_SPAM)
            overall = {c: ngram_weights.get(c, ngram_weight) for c in CATEGORIES}
            ngram_language_weights = choose_language_weights(alone, half, ngram["fitted"], dev, overall, MAX_FALSE_SPAM)
        extra["ngram"] = {
            "weight": ngram_weight,
            **({"weights": dict(ngram_weights)} if ngram_weights else {}),
            **(
                {"language_weights": {k: dict(v) for k, v in ngram_language_weights.items()}}
                if ngram_language_weights
                else {}
            ),
            "normalize": NGRAM_NORMALIZER,
            "buckets": BUCKETS,
            "fitted_on": "train.csv" if site_rows is None else f"train.csv + {len(site_rows)} site decisions",
            "fit_seconds": round(time.monotonic() - started),
        }
    base_scores, base_thresholds = calibrated_baseline(train, dev)  # the model card's comparison
    extra["dev_macro_f1_baseline"] = report(base_scores, dev, base_thresholds.per_row(dev.texts))
    if artifact.exists():
        shutil.rmtree(artifact)
    model = AutoModelForSequenceClassification.from_pretrained(str(best), local_files_only=True)
    model.half().save_pretrained(str(artifact))  # halves the size; loading casts back to float32
    PreTrainedTokenizerFast.from_pretrained(str(best), local_files_only=True).save_pretrained(str(artifact))
    if ngram is not None:
        write_ngram(artifact, ngram)
    cfgs = {**cfgs, "rows_per_language": dict(Counter(train.languages or []))}
    meta = {
        "format": 1,
        "normalize": normalizer,
        "max_length": 128,
        "training": cfgs,
        "stage_seconds": {k: round(v) for k, v in timings.items()},
        **extra,
    }
    meta_path = artifact / META_FILE
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")  # for loading it
    export_onnx(artifact)
    classifier = load_classifier(artifact)
    served = classifier.predict_scores(dev.texts)
    thresholds = calibrate_by_language(served, dev, MAX_FALSE_SPAM, MAX_INSULT_AS_HATE)
    limits = thresholds.per_row(dev.texts)
    one_a_run = ", one comment a run" if classifier.batch_tokens == ALONE else ""
    meta.update(
        **thresholds.as_meta(),
        dev_macro_f1=report(served, dev, limits),
        dev_site_view=site_view(served, dev, limits),
        calibrated_on=f"dev.csv as served ({classifier.backend}{one_a_run})",
    )
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    write_model_card(artifact, meta, data_dir)
    return artifact
