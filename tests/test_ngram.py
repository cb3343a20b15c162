"""The char n-gram half of an ensemble artifact (models/ngram.py, models/training/ngram.py): the
features are scikit-learn's ``char_wb``, the fit and the served scores agree, an artifact with
``ngram.npz`` blends it into the encoder's scores, and a malformed file is refused."""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest
from raqib.models.inference import META_FILE, load_classifier
from raqib.models.ngram import NGRAM_FILE, NgramModel, bucket_counts, word_buckets
from raqib.models.normalize import normalize
from raqib.models.training.data import CATEGORIES, LabeledSet
from raqib.models.training.distill import concat
from raqib.models.training.ngram import fit_ngram, ngram_scores, write_ngram

OFFENSIVE = ["يا حمار", "انت كلب", "يا حمار يا كلب", "tfou 3lik a hmar", "كلب ابن كلب", "حمار"]
CLEAN = ["صباح الخير", "شكرا جزيلا", "مقال رائع", "merci bien", "الله يعطيك الصحة", "خبر جميل"]


def _train_set() -> LabeledSet:
    texts = OFFENSIVE + CLEAN
    labels = np.zeros((len(texts), len(CATEGORIES)), dtype=np.float32)
    labels[: len(OFFENSIVE), CATEGORIES.index("offensive")] = 1
    mask = np.zeros_like(labels)
    mask[:, CATEGORIES.index("offensive")] = 1  # the other categories are not annotated: not fitted
    return LabeledSet(texts=texts, sources=["test"] * len(texts), labels=labels, mask=mask)


@pytest.fixture(scope="module")
def arrays() -> dict[str, np.ndarray]:
    train = _train_set()
    return fit_ngram(train, [normalize(t) for t in train.texts], buckets=1 << 12)


def test_ngrams_are_scikit_learns_char_wb() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    text = "يا حمار a b3d merci"
    analyzer = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    expected: dict[int, int] = {}
    for gram in analyzer(text):
        bucket = zlib.crc32(gram.encode("utf-8")) % 4096
        expected[bucket] = expected.get(bucket, 0) + 1
    assert dict(bucket_counts(text, 4096)) == expected
    assert word_buckets("a", 4096) == tuple(zlib.crc32(g.encode()) % 4096 for g in (" a", "a ", " a "))


def test_fit_learns_and_only_annotated_categories_are_fitted(arrays: dict[str, np.ndarray]) -> None:
    assert arrays["fitted"].tolist() == [c == "offensive" for c in CATEGORIES]
    assert arrays["coef"].dtype == np.int8 and arrays["idf"].dtype == np.float16
    scores = ngram_scores(arrays, [normalize("يا كلب"), normalize("شكرا صباح الخير")])
    offensive = CATEGORIES.index("offensive")
    assert scores[0, offensive] > 0.5 > scores[1, offensive]


def test_a_row_weighs_what_its_mask_says() -> None:
    """A site's decisions join the fit weighted, as in fine-tuning: a heavier row pulls harder."""
    train = _train_set()
    disputed = "merci a hmar"  # a clean-looking text labelled offensive
    row = LabeledSet(
        texts=[disputed],
        sources=["site"],
        labels=train.labels[:1].copy(),
        mask=train.mask[:1].copy(),
    )
    offensive = CATEGORIES.index("offensive")
    scores = []
    for weight in (1.0, 4.0):
        both = concat(train, LabeledSet(row.texts, row.sources, row.labels, row.mask * weight))
        fitted = fit_ngram(both, [normalize(t) for t in both.texts], buckets=1 << 12)
        scores.append(ngram_scores(fitted, [normalize(disputed)])[0, offensive])
    assert scores[1] > scores[0]


def test_an_ensemble_artifact_blends_the_ngram_half(
    tiny_model: Path, tmp_path: Path, arrays: dict[str, np.ndarray]
) -> None:
    texts = ["يا حمار", "صباح الخير", "", "3lach"]
    encoder = load_classifier(tiny_model).predict_scores(texts)
    ensemble = tmp_path / "ensemble"
    shutil.copytree(tiny_model, ensemble)
    write_ngram(ensemble, arrays)
    meta = json.loads((ensemble / META_FILE).read_text(encoding="utf-8"))
    meta["ngram"] = {"weight": 0.7}
    (ensemble / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    blended = load_classifier(ensemble).predict_scores(texts)
    ngram = ngram_scores(arrays, [normalize(t, meta["normalize"]) for t in texts])
    fitted = arrays["fitted"]
    np.testing.assert_allclose(blended[:, fitted], 0.3 * encoder[:, fitted] + 0.7 * ngram[:, fitted], atol=1e-6)
    np.testing.assert_array_equal(blended[:, ~fitted], encoder[:, ~fitted])


def test_the_ngram_half_reads_texts_through_its_own_normaliser(arrays: dict[str, np.ndarray]) -> None:
    texts = ["يا حمَار إنت", "ALLAH Y3TIK SA7A", "#كلب_ابن_كلب"]
    encoder = np.zeros((len(texts), len(CATEGORIES)), dtype=np.float32)
    for version in (2, 3):
        blended = NgramModel(arrays, 0.5, normalizer=version).blend(encoder, texts)
        by_hand = 0.5 * ngram_scores(arrays, [normalize(t, version) for t in texts])
        fitted = arrays["fitted"]
        np.testing.assert_allclose(blended[:, fitted], by_hand[:, fitted], atol=1e-6)
    assert normalize(texts[0], 2) != normalize(texts[0], 3)  # the versions differ on this text


def test_a_malformed_ngram_file_is_refused(arrays: dict[str, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="does not match"):
        NgramModel({**arrays, "coef": arrays["coef"][:, :10]}, 0.5)
    with pytest.raises(ValueError, match="weight"):
        NgramModel(arrays, 1.0)


def test_the_file_loads_without_pickle(tmp_path: Path, arrays: dict[str, np.ndarray]) -> None:
    write_ngram(tmp_path, arrays)
    with np.load(tmp_path / NGRAM_FILE, allow_pickle=False) as stored:
        assert sorted(stored.files) == sorted(arrays)
    assert NgramModel.load(tmp_path, {}) is None
    loaded = NgramModel.load(tmp_path, {"ngram": {"weight": 0.4}})
    assert loaded is not None and loaded.weights.tolist() == pytest.approx([0.4] * len(CATEGORIES))


def test_a_category_may_have_its_own_weight(tmp_path: Path, arrays: dict[str, np.ndarray]) -> None:
    write_ngram(tmp_path, arrays)
    spec = {"ngram": {"weight": 0.6, "weights": {"offensive": 0.7, "spam": 0.5}}}
    loaded = NgramModel.load(tmp_path, spec, CATEGORIES)
    assert loaded is not None
    expected = {c: 0.7 if c == "offensive" else 0.5 if c == "spam" else 0.6 for c in CATEGORIES}
    assert loaded.weights.tolist() == pytest.approx([expected[c] for c in CATEGORIES])
    encoder = np.zeros((1, len(CATEGORIES)), dtype=np.float32)
    text = ["يا حمار"]
    blended = loaded.blend(encoder, text)
    by_hand = loaded.weights * ngram_scores(arrays, [normalize(t, 2) for t in text])
    np.testing.assert_allclose(blended[:, arrays["fitted"]], by_hand[:, arrays["fitted"]], atol=1e-6)
    with pytest.raises(ValueError, match="unknown categories"):
        NgramModel.load(tmp_path, {"ngram": {"weight": 0.6, "weights": {"toxicity": 0.5}}}, CATEGORIES)


def test_each_category_gets_the_weight_that_scores_it_best() -> None:
    from raqib.models.training.ngram import choose_weights

    rng = np.random.default_rng(0)
    n = 400
    labels = np.zeros((n, len(CATEGORIES)), dtype=np.float32)
    labels[: n // 2] = 1
    mask = np.ones_like(labels)
    dev = LabeledSet(texts=["x"] * n, sources=["a", "b"] * (n // 2), labels=labels, mask=mask)
    truth = labels + rng.normal(0, 0.3, labels.shape).astype(np.float32)
    noise = rng.random(labels.shape).astype(np.float32)
    off = CATEGORIES.index("offensive")
    encoder, half = noise.copy(), noise.copy()
    encoder[:, off] = truth[:, off]  # offensive: the encoder knows it, the n-grams do not
    half[:, 1:] = truth[:, 1:]  # the rest: the other way round
    fitted = np.ones(len(CATEGORIES), dtype=bool)
    chosen = choose_weights(encoder, half, fitted, dev, grid=(0.3, 0.8))
    assert chosen["offensive"] == 0.3
    assert all(chosen[c] == 0.8 for c in CATEGORIES if c != "offensive")


def test_a_language_may_have_its_own_weights(tmp_path: Path, arrays: dict[str, np.ndarray]) -> None:
    write_ngram(tmp_path, arrays)
    spec = {"ngram": {"weight": 0.6, "weights": {"spam": 0.5}, "language_weights": {"fr": {"offensive": 0.3}}}}
    loaded = NgramModel.load(tmp_path, spec, CATEGORIES)
    assert loaded is not None
    french = {c: 0.3 if c == "offensive" else 0.5 if c == "spam" else 0.6 for c in CATEGORIES}
    assert loaded.language_weights["fr"].tolist() == pytest.approx([french[c] for c in CATEGORIES])
    per_text = loaded.weights_for(["fr", "ar"])
    assert per_text[0].tolist() == pytest.approx([french[c] for c in CATEGORIES])
    assert per_text[1].tolist() == pytest.approx(loaded.weights.tolist())
    encoder = np.zeros((2, len(CATEGORIES)), dtype=np.float32)
    texts = ["c'est nul", "c'est nul"]
    blended = loaded.blend(encoder, texts, languages=["fr", "ar"])
    off = CATEGORIES.index("offensive")
    assert blended[0, off] == pytest.approx(blended[1, off] * 0.3 / 0.6, rel=1e-5)
    with pytest.raises(ValueError, match="unknown categories"):
        NgramModel.load(tmp_path, {"ngram": {"weight": 0.6, "language_weights": {"fr": {"toxicity": 0.5}}}}, CATEGORIES)


def test_each_language_keeps_its_own_weight_only_where_it_differs() -> None:
    from raqib.models.training.evaluate import MIN_LANGUAGE_ROWS
    from raqib.models.training.ngram import choose_language_weights

    rng = np.random.default_rng(1)
    n = 2 * MIN_LANGUAGE_ROWS
    texts = ["نص عربي"] * (n // 2) + ["c'est le texte"] * (n // 2)
    labels = np.zeros((n, len(CATEGORIES)), dtype=np.float32)
    labels[::2] = 1
    mask = np.ones_like(labels)
    dev = LabeledSet(texts=texts, sources=["a"] * n, labels=labels, mask=mask)
    truth = labels + rng.normal(0, 0.3, labels.shape).astype(np.float32)
    noise = rng.random(labels.shape).astype(np.float32)
    off = CATEGORIES.index("offensive")
    encoder, half = truth.copy(), noise.copy()
    half[n // 2 :, off], encoder[n // 2 :, off] = truth[n // 2 :, off], noise[n // 2 :, off]  # French: the n-grams know
    fitted = np.ones(len(CATEGORIES), dtype=bool)
    overall = dict.fromkeys(CATEGORIES, 0.3)
    chosen = choose_language_weights(encoder, half, fitted, dev, overall)
    assert list(chosen) == ["fr"] and list(chosen["fr"]) == ["offensive"] and chosen["fr"]["offensive"] >= 0.7


def test_the_fit_and_serving_compute_the_same_features() -> None:
    from raqib.models.ngram import tfidf
    from raqib.models.training.ngram import _matrix

    texts = [normalize(t) for t in OFFENSIVE + CLEAN + [""]]
    matrix, idf = _matrix(texts, 1 << 12)
    dense = matrix.toarray()
    for row, text in enumerate(texts):
        expected = np.zeros(1 << 12, dtype=np.float32)
        ids, values = tfidf(bucket_counts(text, 1 << 12), idf)
        expected[ids] = values
        np.testing.assert_allclose(dense[row], expected, atol=1e-6)
