"""``raqib evaluate``: macro-F1 per category, overall and per source, for the model beside the
char n-gram baseline trained on the same train.csv."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .data import CATEGORIES, LabeledSet, read_labeled
from .metrics import best_threshold, macro_f1


def report(
    scores: np.ndarray, data: LabeledSet, thresholds: Mapping[str, float], min_rows: int = 30
) -> dict[str, dict[str, float]]:
    """``{category: {"overall": f1, <source>: f1, …}}`` over the annotated rows of each category;
    sources with fewer than ``min_rows`` annotated rows or a single class are left out."""
    sources = np.asarray(data.sources)
    out: dict[str, dict[str, float]] = {}
    for j, category in enumerate(CATEGORIES):
        annotated = data.mask[:, j] > 0
        if not annotated.any():
            continue
        predicted = (scores[:, j] >= thresholds.get(category, 0.5)).astype(int)
        labels = data.labels[:, j].astype(int)
        row = {"overall": macro_f1(labels[annotated], predicted[annotated])}
        for source in sorted(set(sources[annotated])):
            rows = annotated & (sources == source)
            if rows.sum() >= min_rows and len(np.unique(labels[rows])) == 2:
                row[source] = macro_f1(labels[rows], predicted[rows])
        out[category] = row
    return out


def calibrate(scores: np.ndarray, data: LabeledSet) -> dict[str, float]:
    """Per-category thresholds that maximise macro-F1 over the annotated rows."""
    thresholds = {}
    for j, category in enumerate(CATEGORIES):
        annotated = data.mask[:, j] > 0
        labels = data.labels[annotated, j].astype(int)
        if annotated.any() and len(np.unique(labels)) == 2:
            thresholds[category] = round(best_threshold(labels, scores[annotated, j])[0], 3)
        else:
            thresholds[category] = 0.5
    return thresholds


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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="raqib evaluate", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="a labelled CSV (e.g. dev.csv)")
    parser.add_argument("--model", type=Path, default=None, help="artifact directory (default: bundled)")
    parser.add_argument("--train", type=Path, default=None, help="train.csv for the baseline (default: beside --data)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    from ..inference import load_classifier

    data = read_labeled(args.data)
    classifier = load_classifier(args.model)
    results: dict[str, Any] = {"model": report(classifier.predict_scores(data.texts), data, classifier.thresholds)}
    if not args.no_baseline:
        from .baseline import CharNgramBaseline

        baseline = CharNgramBaseline().fit(read_labeled(args.train or args.data.with_name("train.csv")))
        scores = baseline.predict_scores(data.texts)
        results["baseline@0.5"] = report(scores, data, {})
        results["baseline@cal"] = report(scores, data, calibrate(scores, data))
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
