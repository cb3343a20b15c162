"""Character-aware inputs: the n-gram hashing (stable, per word, capped) and the model class that
reads them (registered with the Auto classes, exported to ONNX with them, starting out equal to
the plain model it is made from)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from raqib.models.batching import encode_texts, length_batches
from raqib.models.charngrams import NgramSpec
from raqib.models.inference import load_classifier
from raqib.models.onnx import INT8_TOLERANCE
from raqib.models.training.charbert import CharBertForSequenceClassification, char_bert_from
from raqib.models.training.export import export_onnx
from raqib.models.training.tiny import build_tiny_artifact
from raqib.models.training.torch_inference import batch_tensors
from transformers import AutoModelForSequenceClassification, BertForSequenceClassification

TEXTS = ["يا حمار يا غبي", "صباح الخير يا جماعة " * 12, "", "3lach katdir hakka 😂😂", "ديما مغرب", "x"]
SPEC = NgramSpec(buckets=997, per_token=12)


@pytest.fixture(scope="module")
def char_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_artifact(tmp_path_factory.mktemp("char-model"), char_ngrams=True)


def test_word_ids_are_stable_capped_and_padded() -> None:
    ids = SPEC.word_ids("حمار")
    assert ids.shape == (12,) and ids.dtype == np.int32
    assert ids[0] > 0 and (ids < 997).all() and (ids >= 0).all()
    np.testing.assert_array_equal(ids, NgramSpec(997, 12).word_ids("حمار"))
    assert not np.array_equal(ids, SPEC.word_ids("حمارة"))
    assert (SPEC.word_ids("ب")[4:] == 0).all()  # "<ب>": the word, one 3-gram, two 2-grams
    assert (SPEC.word_ids("مبروووووووووووك") > 0).all()
    np.testing.assert_array_equal(SPEC.word_ids("Hakka"), SPEC.word_ids("hakka"))


def test_hashing_does_not_depend_on_the_process() -> None:
    code = "from raqib.models.charngrams import NgramSpec; print(list(NgramSpec(997, 12).word_ids('حمار')))"
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in "ab"
    }
    assert runs == {str(list(SPEC.word_ids("حمار"))) + "\n"}


def test_every_piece_of_a_word_carries_the_word_and_specials_carry_nothing(char_model: Path) -> None:
    pieces = load_classifier(char_model).pieces
    [encoded] = encode_texts(["يا hakkakatdir"], pieces, 128, ngrams=SPEC)
    assert encoded.shape[1] == 1 + SPEC.per_token
    tokens = [pieces.backend.id_to_token(i) for i in encoded[:, 0].tolist()]
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and len(tokens) > 4
    assert not encoded[0, 1:].any() and not encoded[-1, 1:].any()
    np.testing.assert_array_equal(encoded[1, 1:], SPEC.word_ids("يا"))
    for row in encoded[2:-1]:
        np.testing.assert_array_equal(row[1:], SPEC.word_ids("hakkakatdir"))
    [batch] = length_batches(encode_texts(["يا", "صباح الخير"], pieces, 128, ngrams=SPEC), 1000)
    ngrams = batch.ngram_ids()
    assert ngrams is not None and ngrams.shape == (2, batch.arrays(pieces)[0].shape[1], SPEC.per_token)


def test_auto_class_loads_it_in_a_fresh_process(char_model: Path) -> None:
    code = (
        "import raqib.models.training.charbert\n"
        "from transformers import AutoModelForSequenceClassification as A\n"
        f"print(type(A.from_pretrained({str(char_model)!r}, local_files_only=True)).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "CharBertForSequenceClassification"


def test_the_ngrams_move_the_scores_and_predictions_are_deterministic(char_model: Path) -> None:
    classifier = load_classifier(char_model, backend="torch")
    model = classifier.scorer.model
    assert isinstance(model, CharBertForSequenceClassification) and classifier.ngrams is not None
    scores = classifier.predict_scores(TEXTS)
    alone = np.vstack([classifier.predict_scores([t]) for t in TEXTS])
    np.testing.assert_allclose(scores, alone, atol=1e-5)
    [batch] = length_batches(encode_texts(TEXTS, classifier.pieces, 128, ngrams=classifier.ngrams), 10_000)
    ids, _, attention = batch_tensors(batch.arrays(classifier.pieces))
    ngram_ids = torch.from_numpy(batch.ngram_ids())
    with torch.inference_mode():
        with_ngrams = model(input_ids=ids, attention_mask=attention, ngram_ids=ngram_ids).logits
        without = model(input_ids=ids, attention_mask=attention).logits
    assert (with_ngrams - without).abs().max() > 0.01


def test_int8_onnx_matches_torch_with_ngrams(char_model: Path, tmp_path: Path) -> None:
    target = tmp_path / "artifact"
    shutil.copytree(char_model, target)
    export_onnx(target)
    fast = load_classifier(target)
    assert fast.backend == "onnx"
    reference = load_classifier(target, backend="torch").predict_scores(TEXTS)
    np.testing.assert_allclose(fast.predict_scores(TEXTS), reference, atol=INT8_TOLERANCE)


def test_a_converted_plain_model_starts_out_unchanged(tiny_model: Path) -> None:
    plain = BertForSequenceClassification.from_pretrained(str(tiny_model), local_files_only=True).eval()
    converted = char_bert_from(plain, buckets=997, dim=16, per_token=12).eval()
    pieces = load_classifier(tiny_model).pieces
    [batch] = length_batches(encode_texts(TEXTS, pieces, 128, ngrams=SPEC), 10_000)
    ids, _, attention = batch_tensors(batch.arrays(pieces))
    with torch.inference_mode():
        before = plain(input_ids=ids, attention_mask=attention).logits
        after = converted(input_ids=ids, attention_mask=attention, ngram_ids=torch.from_numpy(batch.ngram_ids())).logits
    torch.testing.assert_close(after, before)
    with pytest.raises(ValueError, match="plain BERT"):
        char_bert_from(AutoModelForSequenceClassification.from_config(converted.config), 5, 4, 2)


def test_a_plain_encoder_that_kept_ngram_settings_converts(tiny_model: Path) -> None:
    """Masked-LM pre-training warm-started from a character-aware classifier leaves its n-gram
    settings in the plain encoder's config; the conversion takes the ones it is given."""
    plain = BertForSequenceClassification.from_pretrained(str(tiny_model), local_files_only=True)
    plain.config.update({"ngram_buckets": 65536, "ngram_dim": 64, "ngrams_per_token": 32})
    config = char_bert_from(plain, buckets=997, dim=16, per_token=12).config
    assert (config.ngram_buckets, config.ngram_dim, config.ngrams_per_token) == (997, 16, 12)
