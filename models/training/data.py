"""Reading the shared data sets: labelled CSVs with per-category masks, and the unlabelled corpus."""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..categories import CATEGORIES

# Sources whose hate label also marks plain insults: alhazmi_saudi's provenance finds "plain insults"
# among its positives (574 of them in train.csv are a vocative insult such as «يا حمار», which
# OSACT2020, L-HSAB and MLMA label offensive and not hate). Raqib's hate is shared/README.md's, an
# attack on people for a shared trait, so these sources' hate positives are read as not annotated
# for hate (their offensive label stands): in training, calibration and every figure. Their hate
# negatives stand. ``read_labeled(..., hate_as_published=True)`` reads them as published.
HATE_WITH_INSULTS = frozenset({"alhazmi_saudi"})
HATE = CATEGORIES.index("hate")


@dataclass(frozen=True)
class LabeledSet:
    """Texts with a label matrix and a mask matrix (1 where the source annotated the category)."""

    texts: list[str]
    sources: list[str]
    labels: np.ndarray  # float32, shape (n, len(CATEGORIES))
    mask: np.ndarray  # float32, same shape; 0 = not annotated, never read as negative
    languages: list[str] | None = None  # arabic, french or english per row, where the file says (``dialect``)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, rows: np.ndarray) -> LabeledSet:
        """The rows at these indices, in that order."""
        return LabeledSet(
            [self.texts[i] for i in rows],
            [self.sources[i] for i in rows],
            self.labels[rows],
            self.mask[rows],
            None if self.languages is None else [self.languages[i] for i in rows],
        )


def _cell(value: str) -> tuple[float, float]:
    value = value.strip()
    if not value:
        return 0.0, 0.0
    return float(float(value) >= 0.5), 1.0


def read_labeled(path: str | Path, *, hate_as_published: bool = False) -> LabeledSet:
    """Read a labelled CSV (columns: text, source, and one per category; empty cell = unannotated),
    the hate positives of ``HATE_WITH_INSULTS`` as not annotated unless ``hate_as_published``."""
    texts: list[str] = []
    sources: list[str] = []
    languages: list[str] = []
    labels: list[list[float]] = []
    mask: list[list[float]] = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            cells = [_cell(row.get(cat) or "") for cat in CATEGORIES]
            source = row.get("source") or "unknown"
            if not hate_as_published and source in HATE_WITH_INSULTS and cells[HATE] == (1.0, 1.0):
                cells[HATE] = (0.0, 0.0)
            texts.append(row["text"])
            sources.append(source)
            languages.append(language_of(row.get("dialect") or ""))
            labels.append([c[0] for c in cells])
            mask.append([c[1] for c in cells])
    return LabeledSet(
        texts=texts,
        sources=sources,
        labels=np.asarray(labels, dtype=np.float32).reshape(-1, len(CATEGORIES)),
        mask=np.asarray(mask, dtype=np.float32).reshape(-1, len(CATEGORIES)),
        languages=languages,
    )


def language_of(dialect: str) -> str:
    """A row's language from its ``dialect`` cell: ``french``, ``english``, else ``arabic`` (every
    Arabic register, Arabizi included)."""
    dialect = dialect.strip().lower()
    return dialect if dialect in ("french", "english") else "arabic"


def spam_negatives(data: LabeledSet, weight: float) -> LabeledSet:
    """Comments from sources that annotated offensiveness but not spam, taken as "not spam" with
    ``weight`` (a loss weight below 1: a few may be spam). Without them, every spam label comes from
    two sources, and the only Latin-script rows among them are spam: the spam head learns the
    script and the platform instead of the advertising."""
    if weight <= 0:
        return data
    spam, offensive = CATEGORIES.index("spam"), CATEGORIES.index("offensive")
    annotated = {s for s, m in zip(data.sources, data.mask[:, spam], strict=True) if m > 0}
    from_other = np.asarray([s not in annotated for s in data.sources])
    rows = from_other & (data.mask[:, offensive] > 0)
    mask = data.mask.copy()
    mask[rows, spam] = weight
    labels = data.labels.copy()
    labels[rows, spam] = 0.0
    return replace(data, labels=labels, mask=mask)


def weigh_languages(data: LabeledSet, weights: dict[str, float]) -> LabeledSet:
    """Scale each row's loss weight (its mask) by its language's weight: French, 4 % of the rows,
    would otherwise count for little beside Arabic and English."""
    if data.languages is None:
        raise ValueError("these rows carry no language (read_labeled gives one per row)")
    scale = np.asarray([weights.get(language, 1.0) for language in data.languages], dtype=np.float32)
    return replace(data, mask=data.mask * scale[:, None])


def sample_languages(data: LabeledSet, fractions: dict[str, float], seed: int = 13) -> LabeledSet:
    """A seeded share of each named language's rows (the others all kept), in their order: a run
    that continues a classifier already trained on a language can revisit part of it for less time.
    A source named in ``fractions`` takes its own share, whatever its language's."""
    if data.languages is None:
        raise ValueError("these rows carry no language (read_labeled gives one per row)")
    rng = np.random.default_rng(seed)
    draws = rng.random(len(data))
    keep = np.flatnonzero(
        [
            draw < fractions.get(source, fractions.get(language, 1.0))
            for draw, language, source in zip(draws, data.languages, data.sources, strict=True)
        ]
    )
    return LabeledSet(
        texts=[data.texts[i] for i in keep],
        sources=[data.sources[i] for i in keep],
        labels=data.labels[keep],
        mask=data.mask[keep],
        languages=[data.languages[i] for i in keep],
    )


def read_corpus(data_dir: str | Path) -> list[str]:
    """Unlabelled texts for tokenizer and masked-LM training: the corpus plus the training texts
    (never dev, which is kept for calibration and model selection)."""
    data_dir = Path(data_dir)
    with open(data_dir / "unlabeled" / "corpus.txt", encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    return lines + read_labeled(data_dir / "labeled" / "train.csv").texts
