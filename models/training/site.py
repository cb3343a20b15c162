"""Fine-tuning on a site's own moderators' decisions (``raqib decisions export``): the rows read in
the shared data's schema, the last 20 % by decision time held out, the rest weighted into training,
and a comparison of the candidate with the model it started from, per category, on the held-out
decisions and on dev.csv."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..categories import CATEGORIES
from ..inference import load_classifier
from .data import LabeledSet, read_labeled
from .evaluate import report

HELD_OUT = 0.2


def decision_times(path: Path) -> list[float]:
    """Each row's decision time (seconds), 0 when the row has none."""
    with open(path, encoding="utf-8", newline="") as handle:
        stamps = [row.get("decided_at") or "" for row in csv.DictReader(handle)]
    return [datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() if s else 0.0 for s in stamps]


def split_by_time(rows: LabeledSet, times: list[float], held_out: float = HELD_OUT) -> tuple[LabeledSet, LabeledSet]:
    """(the earlier rows, the latest ``held_out`` share): the candidate is judged on decisions made
    after those it learned from, as it will be used."""
    order = np.argsort(np.asarray(times), kind="stable")
    cut = round(len(order) * (1 - held_out))
    return subset(rows, order[:cut]), subset(rows, order[cut:])


def subset(rows: LabeledSet, index: np.ndarray) -> LabeledSet:
    return LabeledSet(
        texts=[rows.texts[i] for i in index],
        sources=[rows.sources[i] for i in index],
        labels=rows.labels[index],
        mask=rows.mask[index],
    )


def weighted(rows: LabeledSet, weight: float) -> LabeledSet:
    """The rows with each annotated cell counting ``weight`` times in the masked loss."""
    return LabeledSet(texts=rows.texts, sources=rows.sources, labels=rows.labels, mask=rows.mask * weight)


def read_site(path: Path) -> tuple[LabeledSet, LabeledSet]:
    """The exported decisions split into (to train on, held out)."""
    return split_by_time(read_labeled(path), decision_times(path))


def compare(current: Path, candidate: Path, sets: dict[str, LabeledSet]) -> dict[str, Any]:
    """Macro-F1 per category of both models on each set, each at its own calibrated thresholds;
    a category whose labels in a set are all alike (decisions that only say "clean") is left out."""
    out: dict[str, Any] = {}
    for name, rows in sets.items():
        if not rows.texts:
            continue
        out[name] = {}
        both = {c for j, c in enumerate(CATEGORIES) if len(np.unique(rows.labels[rows.mask[:, j] > 0, j])) == 2}
        for label, path in (("current", current), ("candidate", candidate)):
            classifier = load_classifier(path)
            scores = classifier.predict_scores(rows.texts)
            figures = report(scores, rows, classifier.decisions.per_row(rows.texts), min_rows=1)
            out[name][label] = {c: round(v["overall"], 4) for c, v in figures.items() if c in both}
    return out


def write_comparison(out_dir: Path, comparison: dict[str, Any]) -> Path:
    """``comparison.json`` and a table per set in ``comparison.md``."""
    (out_dir / "comparison.json").write_text(json.dumps(comparison, indent=2), encoding="utf-8")
    lines = ["# Candidate vs current (macro-F1 per category)", ""]
    for name, models in comparison.items():
        categories = sorted(set(models.get("current", {})) | set(models.get("candidate", {})))
        lines += [f"## {name}", "", "| model | " + " | ".join(categories) + " |", "|---|" + "---|" * len(categories)]
        for label in ("current", "candidate"):
            row = models.get(label, {})
            lines.append(f"| {label} | " + " | ".join(f"{row.get(c, float('nan')):.3f}" for c in categories) + " |")
        lines.append("")
    target = out_dir / "comparison.md"
    target.write_text("\n".join(lines), encoding="utf-8")
    return target
