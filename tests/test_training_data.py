"""Reading the labelled data with its masks, and the spam negatives that keep the spam head from
learning a script or a platform; the corpus sample that distillation labels."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
from raqib.models.categories import CATEGORIES
from raqib.models.training.data import LabeledSet, read_labeled, sample_languages, spam_negatives, weigh_languages
from raqib.models.training.distill import corpus_texts

SPAM, OFFENSIVE, HATE = CATEGORIES.index("spam"), CATEGORIES.index("offensive"), CATEGORIES.index("hate")


def write(path: Path) -> Path:
    rows = [
        {"text": "اربح الان", "source": "spam_set", "spam": "1"},
        {"text": "win now bit.ly", "source": "spam_set", "spam": "1"},
        {"text": "تعليق عادي", "source": "comments", "offensive": "0", "spam": "0"},
        {"text": "merci khouya", "source": "darija", "offensive": "0"},
        {"text": "يا حمار", "source": "darija", "offensive": "1"},
        {"text": "كراهية", "source": "hate_only", "hate": "1"},
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "source", *CATEGORIES], restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_an_empty_cell_is_masked_not_negative(tmp_path: Path) -> None:
    data = read_labeled(write(tmp_path / "d.csv"))
    assert data.mask[3, SPAM] == 0 and data.mask[3, OFFENSIVE] == 1
    assert data.labels[0, SPAM] == 1


def test_a_source_whose_hate_marks_insults_keeps_its_offensive_and_its_hate_negatives(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    rows = [
        {"text": "يا حمار", "source": "alhazmi_saudi", "offensive": "1", "hate": "1"},
        {"text": "مباراة جميلة", "source": "alhazmi_saudi", "hate": "0"},
        {"text": "يا حمار", "source": "osact2022", "offensive": "1", "hate": "1"},
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "source", *CATEGORIES], restval="")
        writer.writeheader()
        writer.writerows(rows)
    strict = read_labeled(path)
    assert strict.mask[:, HATE].tolist() == [0, 1, 1] and strict.labels[:, HATE].tolist() == [0, 0, 1]
    assert strict.mask[0, OFFENSIVE] == 1 and strict.labels[0, OFFENSIVE] == 1
    published = read_labeled(path, hate_as_published=True)
    assert published.mask[:, HATE].tolist() == [1, 1, 1] and published.labels[:, HATE].tolist() == [1, 0, 1]


def test_comments_of_sources_without_spam_labels_become_weighted_negatives(tmp_path: Path) -> None:
    data = read_labeled(write(tmp_path / "d.csv"))
    grown = spam_negatives(data, 0.3)
    assert np.allclose(grown.mask[:, SPAM], [1, 1, 1, 0.3, 0.3, 0])  # hate-only rows: offensive not annotated
    assert np.all(grown.labels[3:5, SPAM] == 0)
    assert np.array_equal(grown.labels[:3], data.labels[:3])
    assert np.array_equal(data.mask[:, SPAM], [1, 1, 1, 0, 0, 0])  # the input is left as it was


def test_weight_zero_leaves_the_data_alone(tmp_path: Path) -> None:
    data = read_labeled(write(tmp_path / "d.csv"))
    assert spam_negatives(data, 0.0) is data


def test_the_distillation_sample_is_seeded_distinct_and_in_corpus_order(tmp_path: Path) -> None:
    (tmp_path / "unlabeled").mkdir()
    lines = [f"سطر {i}" for i in range(50)]
    (tmp_path / "unlabeled" / "corpus.txt").write_text("\n".join(lines + lines[:5] + [""]), encoding="utf-8")
    assert corpus_texts(tmp_path) == lines  # repeats and blank lines dropped
    sample = corpus_texts(tmp_path, limit=10)
    assert sample == corpus_texts(tmp_path, limit=10)  # a resumed run draws the same lines
    assert len(set(sample)) == 10 and sample == sorted(sample, key=lines.index)
    assert corpus_texts(tmp_path, limit=500) == lines


def test_rows_carry_their_language_and_french_can_weigh_more(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "text,source,dialect,offensive,hate,vulgar,violence,spam\n"
        "a,s,moroccan,1,,,,\nb,s,french,0,,,,\nc,s,english,1,,,,\nd,s,,0,,,,\n",
        encoding="utf-8",
    )
    data = read_labeled(path)
    assert data.languages == ["arabic", "french", "english", "arabic"]
    weighted = weigh_languages(spam_negatives(data, 0.3), {"french": 3.0})
    assert weighted.languages == data.languages
    assert weighted.mask[:, 0].tolist() == [1.0, 3.0, 1.0, 1.0]


def test_a_seeded_share_by_language_and_by_source() -> None:
    n = 2000
    sources = ["osact2022" if i % 2 else "omcd" for i in range(n)]
    data = LabeledSet(
        [f"t{i}" for i in range(n)],
        sources,
        np.zeros((n, len(CATEGORIES)), dtype=np.float32),
        np.ones((n, len(CATEGORIES)), dtype=np.float32),
        ["arabic"] * (n - 10) + ["french"] * 10,
    )
    sample = sample_languages(data, {"arabic": 0.1, "osact2022": 1.0})
    assert sample.texts == sample_languages(data, {"arabic": 0.1, "osact2022": 1.0}).texts  # seeded
    kept = Counter(sample.sources)
    assert kept["osact2022"] == n // 2  # its own share, whatever its language's
    assert 50 < kept["omcd"] < 150
    assert sample.texts == sorted(sample.texts, key=data.texts.index)  # in their order
