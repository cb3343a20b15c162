"""``raqib evaluate``: macro-F1 per category, overall, per language, per source and for each
source's Latin-script rows (Arabizi, French), for the model beside the char n-gram baseline trained
on the same train.csv; then what a site feels: how many clean comments get a spam flag, how precise
the ``offensive ≥ 0.9`` setting that holds comments is, and whether ``hate`` means hate or fires on
plain insults, per language and source."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..language import LANGUAGES, detect
from ..normalize import is_latin_script
from ..thresholds import Thresholds
from .data import CATEGORIES, LabeledSet, read_labeled
from .metrics import best_threshold, difference_interval, macro_f1, precision_at_recall

HOLD_AT = 0.9  # the default policy holds comments with offensive at or above this
HATE_RECALL = 0.75  # the recall at which site_view reads the hate flag's best precision
# A language gets its own threshold on a category when dev has this many annotated rows of it, and
# positives among them: fewer, and the threshold would follow a handful of comments.
MIN_LANGUAGE_ROWS = 300
MIN_LANGUAGE_POSITIVES = 30
# A threshold per category, or one per row (``Thresholds.per_row``: the row's language's own).
Limits = Mapping[str, "float | np.ndarray"]


def clean_comments(data: LabeledSet) -> np.ndarray:
    """Rows annotated not offensive and not labelled spam: a spam flag on one of them is false."""
    offensive, spam = CATEGORIES.index("offensive"), CATEGORIES.index("spam")
    is_spam = (data.mask[:, spam] > 0) & (data.labels[:, spam] == 1)
    return (data.mask[:, offensive] > 0) & (data.labels[:, offensive] == 0) & ~is_spam


def insults(data: LabeledSet) -> np.ndarray:
    """Rows annotated offensive and annotated not hate: a hate flag on one of them calls an insult hate."""
    offensive, hate = CATEGORIES.index("offensive"), CATEGORIES.index("hate")
    hurtful = (data.mask[:, offensive] > 0) & (data.labels[:, offensive] == 1)
    return hurtful & (data.mask[:, hate] > 0) & (data.labels[:, hate] == 0)


def language_groups(data: LabeledSet) -> dict[str, np.ndarray]:
    """Row masks per language as ``lang:<language>``, when the rows are of more than one."""
    if data.languages is None or len(set(data.languages)) < 2:
        return {}
    languages = np.asarray(data.languages)
    return {f"lang:{language}": languages == language for language in ("arabic", "french", "english")}


def groups(data: LabeledSet) -> dict[str, np.ndarray]:
    """Row masks per language, of every source, and of each source's Latin-script rows as
    ``<source>/latin``."""
    sources = np.asarray(data.sources)
    latin = np.asarray([is_latin_script(t) for t in data.texts], dtype=bool)
    out: dict[str, np.ndarray] = language_groups(data)
    for source in sorted(set(data.sources)):
        rows = sources == source
        out[source] = rows
        if (rows & latin).any() and (rows & ~latin).any():
            out[f"{source}/latin"] = rows & latin
    return out


def flags(scores: np.ndarray, thresholds: Limits, category: str) -> np.ndarray:
    """Whether each row's score of ``category`` reaches its threshold (0.5 where none is given)."""
    return scores[:, CATEGORIES.index(category)] >= thresholds.get(category, 0.5)


def scored_groups(
    data: LabeledSet, by_group: Mapping[str, np.ndarray], min_rows: int
) -> Iterator[tuple[int, str, dict[str, np.ndarray]]]:
    """Per annotated category (index, name): the rows of "overall" and of each group with at
    least ``min_rows`` annotated rows of both classes, the groups ``report`` scores."""
    for j, category in enumerate(CATEGORIES):
        annotated = data.mask[:, j] > 0
        if not annotated.any():
            continue
        labels = data.labels[:, j]
        chosen = {"overall": annotated}
        for name, members in by_group.items():
            rows = annotated & members
            if rows.sum() >= min_rows and len(np.unique(labels[rows])) == 2:
                chosen[name] = rows
        yield j, category, chosen


def report(scores: np.ndarray, data: LabeledSet, thresholds: Limits, min_rows: int = 30) -> dict[str, dict[str, float]]:
    """``{category: {"overall": f1, <source>: f1, …}}`` over the annotated rows of each category;
    sources with fewer than ``min_rows`` annotated rows or a single class are left out."""
    out: dict[str, dict[str, float]] = {}
    for j, category, chosen in scored_groups(data, groups(data), min_rows):
        predicted = flags(scores, thresholds, category).astype(int)
        labels = data.labels[:, j].astype(int)
        out[category] = {name: macro_f1(labels[rows], predicted[rows]) for name, rows in chosen.items()}
    return out


def paired_differences(
    scores: np.ndarray,
    thresholds: Limits,
    other: np.ndarray,
    other_thresholds: Limits,
    data: LabeledSet,
    min_rows: int = 30,
) -> dict[str, dict[str, tuple[float, float, float]]]:
    """``{category: {group: (difference, low, high)}}``: macro-F1 of the first system minus the
    other's over ``report``'s groups (overall only where it has both classes), with its 95 %
    paired-bootstrap interval (``difference_interval``)."""
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    for j, category, chosen in scored_groups(data, groups(data), min_rows):
        labels = data.labels[:, j].astype(int)
        mine = flags(scores, thresholds, category).astype(int)
        theirs = flags(other, other_thresholds, category).astype(int)
        row = {}
        for name, rows in chosen.items():
            if len(np.unique(labels[rows])) == 2:
                difference = macro_f1(labels[rows], mine[rows]) - macro_f1(labels[rows], theirs[rows])
                row[name] = (difference, *difference_interval(labels[rows], mine[rows], theirs[rows]))
        if row:
            out[category] = row
    return out


def format_comparison(comparison: Mapping[str, Mapping[str, tuple[float, float, float]]]) -> str:
    """One line per category and group: the difference in points, its interval, and ``*`` where
    the interval leaves out 0 (a gap these rows can tell)."""
    lines = [f"{'category':10s} {'source':24s} {'diff':>6s}  95% interval"]
    for category, row in comparison.items():
        for group, (difference, low, high) in row.items():
            told = "*" if low > 0 or high < 0 else ""
            lines.append(
                f"{category:10s} {group:24s} {100 * difference:+6.1f}  [{100 * low:+.1f}, {100 * high:+.1f}] {told}"
            )
    return "\n".join(lines)


def site_view(
    scores: np.ndarray, data: LabeledSet, thresholds: Limits, min_rows: int = 30
) -> dict[str, dict[str, float]]:
    """Per group (and ``overall``): ``false_spam`` — the share of comments annotated not offensive,
    and not labelled spam, that get a spam flag; ``hold_precision``/``hold_recall`` of
    ``offensive ≥ 0.9``; ``hate_precision``/``hate_recall`` of the hate flag and ``insult_as_hate``,
    the share of comments annotated offensive but not hate that get it; ``hate_precision_at_recall``,
    the best precision of any hate threshold with recall ≥ ``HATE_RECALL`` (issue 42's target reads
    precision ≥ 0.85 there). Figures over fewer than
    ``min_rows`` rows are left out."""
    offensive, hate = CATEGORIES.index("offensive"), CATEGORIES.index("hate")
    annotated = data.mask[:, offensive] > 0
    clean = clean_comments(data)
    hurtful = annotated & (data.labels[:, offensive] == 1)
    flagged_spam = flags(scores, thresholds, "spam")
    held = scores[:, offensive] >= HOLD_AT
    hate_annotated = data.mask[:, hate] > 0
    hateful = hate_annotated & (data.labels[:, hate] == 1)
    flagged_hate = flags(scores, thresholds, "hate")
    insult = insults(data)
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
        hate_rows = hate_annotated & members
        if hate_rows.sum() >= min_rows and (hateful & members).any():
            row["hate_recall"] = float(flagged_hate[hateful & members].mean())
            if (flagged_hate & hate_rows).any():
                row["hate_precision"] = float(hateful[flagged_hate & hate_rows].mean())
            best = precision_at_recall(hateful[hate_rows], scores[hate_rows, hate], HATE_RECALL)
            row["hate_precision_at_recall"] = best
        if (insult & members).sum() >= min_rows:
            row["insult_as_hate"] = float(flagged_hate[insult & members].mean())
        if row:
            out[name] = row
    return out


def calibrate(
    scores: np.ndarray,
    data: LabeledSet,
    max_false_spam: float | None = None,
    max_insult_as_hate: float | None = None,
) -> dict[str, float]:
    """Per-category thresholds that maximise macro-F1 over the annotated rows. With
    ``max_false_spam``, the spam threshold is the best one that flags at most that share of the
    comments that are neither offensive nor spam, in each language (of every source, not only
    those that annotate spam): a false spam flag costs a site a reader's comment. With
    ``max_insult_as_hate``, the hate threshold flags at most that share of the comments annotated
    offensive but not hate: an insult is not an attack on a group."""
    thresholds = {}
    spared = {"spam": (clean_comments(data), max_false_spam), "hate": (insults(data), max_insult_as_hate)}
    for j, category in enumerate(CATEGORIES):
        annotated = data.mask[:, j] > 0
        labels = data.labels[annotated, j].astype(int)
        if annotated.any() and len(np.unique(labels)) == 2:
            rows, share = spared.get(category, (None, None))
            floor = flag_floor(scores[:, j], rows, share, data.languages) if rows is not None and share else 0.0
            thresholds[category] = round(best_threshold(labels, scores[annotated, j], floor=floor)[0], 3)
        else:
            thresholds[category] = 0.5
    return thresholds


def language_parts(data: LabeledSet) -> Iterator[tuple[str, np.ndarray, LabeledSet, np.ndarray]]:
    """Per detected language (what the service will detect, not the annotated language): its row
    indices, those rows, and which categories they have enough annotated rows and positives of to
    be given a setting of their own (``MIN_LANGUAGE_ROWS``, ``MIN_LANGUAGE_POSITIVES``)."""
    detected = np.asarray([detect(t) for t in data.texts])
    for language in LANGUAGES:
        rows = np.flatnonzero(detected == language)
        part = data.subset(rows)
        enough = (part.mask.sum(axis=0) >= MIN_LANGUAGE_ROWS) & (
            (part.mask * part.labels).sum(axis=0) >= MIN_LANGUAGE_POSITIVES
        )
        yield language, rows, part, enough


def calibrate_by_language(
    scores: np.ndarray,
    data: LabeledSet,
    max_false_spam: float | None = None,
    max_insult_as_hate: float | None = None,
) -> Thresholds:
    """``calibrate`` over all rows, then again over each detected language's rows: a language keeps
    its own threshold on a category where it has enough of it (``language_parts``) and the threshold
    differs. The caps hold per language either way."""
    default = calibrate(scores, data, max_false_spam, max_insult_as_hate)
    by_language: dict[str, dict[str, float]] = {}
    for language, rows, part, enough in language_parts(data):
        own = calibrate(scores[rows], part, max_false_spam, max_insult_as_hate)
        table = {c: own[c] for j, c in enumerate(CATEGORIES) if enough[j] and own[c] != default[c]}
        if table:
            by_language[language] = table
    return Thresholds(default, by_language)


def flag_floor(scores: np.ndarray, rows: np.ndarray, share: float, languages: Sequence[str] | None = None) -> float:
    """The lowest threshold that flags at most ``share`` of ``rows`` in each language that has any."""
    by_language = np.asarray(languages) if languages is not None else np.full(len(scores), "all")
    floors = [
        float(np.quantile(scores[rows & (by_language == language)], 1.0 - share, method="higher")) + 1e-6
        for language in sorted(set(by_language[rows].tolist()))
    ]
    return max(floors, default=0.0)


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


SITE_METRICS = {"false_spam": "fspam", "hold_precision": "hold P", "hold_recall": "hold R"}
HATE_METRICS = {
    "hate_precision": "hate P",
    "hate_recall": "hate R",
    "insult_as_hate": "ins>hate",
    "hate_precision_at_recall": "P@R75",
}


def format_site_view(
    views: Mapping[str, Mapping[str, Mapping[str, float]]], metrics: Mapping[str, str] = SITE_METRICS
) -> str:
    """Rows per group, for each system: the ``metrics`` (in %), by default false spam, hold
    precision and hold recall."""
    systems = list(views)
    header = " ".join(f"{s[:10] + ' ' + m:>19s}" for s in systems for m in metrics.values())
    lines = [f"{'group':24s} {header}"]
    for group in views[systems[0]]:
        if not any(metric in views[system].get(group, {}) for system in systems for metric in metrics):
            continue
        cells = []
        for system in systems:
            row = views[system].get(group, {})
            for metric in metrics:
                value = row.get(metric)
                cells.append(f"{100 * value:19.1f}" if value is not None else f"{'-':>19s}")
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
    parser.add_argument(
        "--hate-as-published",
        action="store_true",
        help="read hate as each source published it, insults some sources call hate included (data.HATE_WITH_INSULTS)",
    )
    args = parser.parse_args(argv)
    from ..inference import load_classifier

    data = read_labeled(args.data, hate_as_published=args.hate_as_published)
    languages = [detect(t) for t in data.texts]
    results: dict[str, Any] = {}
    views: dict[str, Any] = {}
    first: np.ndarray | None = None
    first_limits: Limits = {}
    first_name = ""
    comparison: dict[str, dict[str, tuple[float, float, float]]] = {}
    for path in args.model or [None]:
        classifier = load_classifier(path)
        name = "model" if len(args.model) <= 1 else classifier.path.name
        scores = classifier.predict_scores(data.texts)
        limits = classifier.decisions.per_row(data.texts, languages)
        if first is None:
            first, first_limits, first_name = scores, limits, name
        results[name] = report(scores, data, limits)
        views[name] = site_view(scores, data, limits)
    if not args.no_baseline:
        from .baseline import calibrated_baseline

        train = read_labeled(args.train or args.data.with_name("train.csv"), hate_as_published=args.hate_as_published)
        base_scores, calibrated = calibrated_baseline(train, data)
        base_limits = calibrated.per_row(data.texts, languages)
        if first is not None:
            comparison = paired_differences(first, first_limits, base_scores, base_limits, data)
        results["baseline@0.5"] = report(base_scores, data, {})
        results["baseline@cal"] = report(base_scores, data, base_limits)
        views["baseline@cal"] = site_view(base_scores, data, base_limits)
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
    print()
    print("hate P / hate R: precision and recall (%) of the hate flag; ins>hate: % of comments annotated")
    print(f"offensive but not hate that get a hate flag; P@R75: the best hate precision at recall >= {HATE_RECALL}")
    print(format_site_view(views, HATE_METRICS))
    if comparison:
        print()
        print(f"{first_name} - baseline@cal, macro-F1 points, 95% paired-bootstrap interval over the same rows;")
        print("* where the interval leaves out 0: a gap these rows can tell from their noise")
        print(format_comparison(comparison))
    if args.json:
        figures = {"macro_f1": results, "site_view": views, "model_minus_baseline": comparison}
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
