"""Distillation data: the char n-gram teacher's probabilities on the unlabelled corpus, as soft
targets for the transformer's fine-tuning. Only the heads where the teacher is decent are used
(offensive, hate, spam), each with a weight below a gold label's; the transformer still scores alone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from .baseline import CharNgramBaseline
from .data import CATEGORIES, LabeledSet

TAUGHT = ("offensive", "hate", "spam")


def corpus_texts(data_dir: Path, limit: int | None = None, seed: int = 13) -> list[str]:
    """The corpus's distinct lines; with ``limit``, a seeded sample of that many (in corpus order), so
    that a resumed run draws the same lines its cached teacher scores belong to."""
    with open(data_dir / "unlabeled" / "corpus.txt", encoding="utf-8") as handle:
        lines = list(dict.fromkeys(line.strip() for line in handle if line.strip()))
    if limit is None or limit >= len(lines):
        return lines
    keep = np.sort(np.random.default_rng(seed).choice(len(lines), size=limit, replace=False))
    return [lines[i] for i in keep]


def soft_labeled(
    train: LabeledSet,
    texts: list[str],
    weight: float = 0.5,
    teachers: Sequence[Path] = (),
    cache: Path | None = None,
) -> LabeledSet:
    """``texts`` with the teacher's probabilities as labels and ``weight`` as mask on the taught
    heads. The teacher is the char n-gram model, averaged with any fine-tuned transformers in
    ``teachers`` (an ensemble of two model families teaches better than either). The scores are
    kept in ``cache`` (an .npy file), so a resumed run does not score the corpus again."""
    if cache is not None and cache.exists():
        scores = np.load(cache)
    else:
        scores = CharNgramBaseline().fit(train).predict_scores(texts)
        if teachers:
            from ..inference import load_classifier

            threads = torch.get_num_threads()
            votes = [scores] + [load_classifier(t, threads=threads).predict_scores(texts) for t in teachers]
            scores = np.mean(votes, axis=0)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, scores)
    mask = np.zeros_like(scores)
    for category in TAUGHT:
        mask[:, CATEGORIES.index(category)] = weight
    return LabeledSet(texts=texts, sources=["corpus"] * len(texts), labels=scores.astype(np.float32), mask=mask)


def concat(a: LabeledSet, b: LabeledSet) -> LabeledSet:
    return LabeledSet(
        texts=a.texts + b.texts,
        sources=a.sources + b.sources,
        labels=np.concatenate([a.labels, b.labels]),
        mask=np.concatenate([a.mask, b.mask]),
    )
