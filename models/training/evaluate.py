"""``raqib evaluate``: macro-F1 per category, overall, per source and for each source's
Latin-script rows (Arabizi, French), for the model beside the char n-gram baseline trained on the
same train.csv; then what a site feels: how many clean comments get a spam flag, and how precise
the ``offensive ≥ 0.9`` setting that holds comments is, per source."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..normalize import is_latin_script
from .data import CATEGORIES, LabeledSet, read_labeled
from .metrics import best_threshold, macro_f1

HOLD_AT = 0.9  # the default policy holds comments with offensive at or above this


def clean_comments(data: LabeledSet) -> np.ndarray:
    """Rows annotated not offensive and not labelled spam: a spam flag on one of them is false."""
    offensive, spam = CATEGORIES.index("offensive"), CATEGORIES.index("spam")
    is_spam = (data.mask[:, spam] > 0) & (data.labels[:, spam] == 1)
    return (data.mask[:, offensive] > 0) & (data.labels[:, offensive] == 0) & ~is_spam


def groups(data: LabeledSet) -> dict[str, np.ndarray]:
    """Row masks of every source, and of each source's Latin-script rows as ``<source>/latin``."""
    sources = np.asarray(data.sources)
    latin = np.asarray([is_latin_script(t) for t in data.texts], dtype=bool)
    out: dict[str, np.ndarray] = {}
    for source in sorted(set(data.sources)):
        rows = sources == source
        out[source] = rows
        if (rows & latin).any() and (rows & ~latin).any():
            out[f"{source}/latin"] = rows & latin
    return out


def report(
    scores: np.ndarray, data: LabeledSet, thresholds: Mapping[str, float], min_rows: int = 30
) -> dict[str, dict[str, float]]:
    """``{category: {"overall": f1, <source>: f1, …}}`` over the annotated rows of each category;
    sources with fewer than ``min_rows`` annotated rows or a single class are left out."""
    by_group = groups(data)
    out: dict[str, dict[str, float]] = {}
    for j, category in enumerate(CATEGORIES):
        annotated = data.mask[:, j] > 0
        if not annotated.any():
            continue
        predicted = (scores[:, j] >= thresholds.get(category, 0.5)).astype(int)
        labels = data.labels[:, j].astype(int)
        row = {"overall": macro_f1(labels[annotated], predicted[annotated])}
        for name, members in by_group.items():
            rows = annotated & members
            if rows.sum() >= min_rows and len(np.unique(labels[rows])) == 2:
                row[name] = macro_f1(labels[rows], predicted[rows])
        out[category] = row
    return out


def site_view(
    scores: np.ndarray, data: LabeledSet, thresholds: Mapping[str, float], min_rows: int = 30
) -> dict[str, dict[str, float]]:
    """Per group (and ``overall``): ``false_spam`` — the share of comments annotated not offensive,
    and not labelled spam, that get a spam flag; ``hold_precision``/``hold_recall`` of
    ``offensive ≥ 0.9``. Groups with fewer than ``min_rows`` such rows are left out."""
    offensive, spam = CATEGORIES.index("offensive"), CATEGORIES.index("spam")
    annotated = data.mask[:, offensive] > 0
    clean = clean_comments(data)
    hurtful = annotated & (data.labels[:, offensive] == 1)
    flagged_spam = scores[:, spam] >= thresholds.get("spam", 0.5)
    held = scores[:, offensive] >= HOLD_AT
    out: dict[str, dict[str, float]] = {}
    for name, members in {"overall": np.ones(len(data), dtype=bool), **groups(data)}.items():
        row: dict[str, float] = {}
        if (clean & members).sum() >= min_rows:
            row["false_spam"] = float(flagged_spam[clean & members].mean())
        if (annotated & members).sum() >= min_rows:
            if (held & annotated & members).any():
                row["hold_precision"] = float(hurtful[held & annotated & members].mean())
            if (hurtful & members).any():
                row["hold_recall"] = float(held[hurtful & members].mean())
        if row:
            out[name] = row
    return out


def calibrate(scores: np.ndarray, data: LabeledSet, max_false_spam: float | None = None) -> dict[str, float]:
    """Per-category thresholds that maximise macro-F1 over the annotated rows. With
    ``max_false_spam``, the spam threshold is the best one that flags at most that share of the
    comments that are neither offensive nor spam (of every source, not only those that annotate
    spam): a false spam flag costs a site a reader's comment."""
    thresholds = {}
    for j, category in enumerate(CATEGORIES):
        annotated = data.mask[:, j] > 0
        labels = data.labels[annotated, j].astype(int)
        if annotated.any() and len(np.unique(labels)) == 2:
            floor = _spam_floor(scores, data, max_false_spam) if category == "spam" and max_false_spam else 0.0
            thresholds[category] = round(best_threshold(labels, scores[annotated, j], floor=floor)[0], 3)
        else:
            thresholds[category] = 0.5
    return thresholds


def _spam_floor(scores: np.ndarray, data: LabeledSet, max_false_spam: float) -> float:
    """The lowest threshold that flags at most ``max_false_spam`` of the clean comments."""
    clean = clean_comments(data)
    if not clean.any():
        return 0.0
    spam = CATEGORIES.index("spam")
    return float(np.quantile(scores[clean, spam], 1.0 - max_false_spam, method="higher")) + 1e-6


def format_table(results: Mapping[str, Mapping[str, Mapping[str, float]]]) -> str:
    """Rows category/source, one column per system."""
    systems = list(results)
    lines = [f"{'category':10s} {'source':18s} " + " ".join(f"{s:>12s}" for s in systems)]
    first = results[systems[0]]
    for category, row in first.items():
        for source in row:
            values = [results[s].get(category, {}).get(source) for s in systems]
            cells = " ".join(f"{v:12.3f}" if v is not None else f"{'-':>12s}" for v in values)
            lines.append(f"{category:10s} {source:18s} {cells}")
    return "\n".join(lines)


def format_site_view(views: Mapping[str, Mapping[str, Mapping[str, float]]]) -> str:
    """Rows per group, for each system: false spam, hold precision and hold recall (in %)."""
    systems = list(views)
    header = " ".join(f"{s[:10] + ' ' + m:>17s}" for s in systems for m in ("fspam", "hold P", "hold R"))
    lines = [f"{'group':24s} {header}"]
    for group in views[systems[0]]:
        cells = []
        for system in systems:
            row = views[system].get(group, {})
            for metric in ("false_spam", "hold_precision", "hold_recall"):
                value = row.get(metric)
                cells.append(f"{100 * value:17.1f}" if value is not None else f"{'-':>17s}")
        lines.append(f"{group:24s} {' '.join(cells)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="raqib evaluate", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="a labelled CSV (e.g. dev.csv)")
    parser.add_argument(
        "--model", type=Path, action="append", default=[], help="artifact directory, repeatable (default: bundled)"
    )
    parser.add_argument("--train", type=Path, default=None, help="train.csv for the baseline (default: beside --data)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--ensemble",
        action="store_true",
        help="also the mean of the first model and the baseline",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    from ..inference import load_classifier

    data = read_labeled(args.data)
    results: dict[str, Any] = {}
    views: dict[str, Any] = {}
    first: np.ndarray | None = None
    for path in args.model or [None]:
        classifier = load_classifier(path)
        name = "model" if len(args.model) <= 1 else classifier.path.name
        scores = classifier.predict_scores(data.texts)
        first = scores if first is None else first
        results[name] = report(scores, data, classifier.thresholds)
        views[name] = site_view(scores, data, classifier.thresholds)
    if not args.no_baseline:
        from .baseline import calibrated_baseline

        train = read_labeled(args.train or args.data.with_name("train.csv"))
        base_scores, calibrated = calibrated_baseline(train, data)
        results["baseline@0.5"] = report(base_scores, data, {})
        results["baseline@cal"] = report(base_scores, data, calibrated)
        views["baseline@cal"] = site_view(base_scores, data, calibrated)
        if args.ensemble and first is not None:
            mean = (first + base_scores) / 2
            ensemble_thresholds = calibrate(mean, data)
            results["ensemble@cal"] = report(mean, data, ensemble_thresholds)
            views["ensemble@cal"] = site_view(mean, data, ensemble_thresholds)
    print(format_table(results))
    print()
    print("false spam: % of comments annotated not offensive (nor labelled spam) that get a spam flag;")
    print(f"hold P / hold R: precision and recall (%) of offensive >= {HOLD_AT}, the setting that holds comments")
    print(format_site_view(views))
    if args.json:
        args.json.write_text(json.dumps({"macro_f1": results, "site_view": views}, indent=2))


if __name__ == "__main__":
    main()
