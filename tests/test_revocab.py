"""A fine-tuned classifier given a new vocabulary (``models/training/revocab.py``) on hand-made
data: rows it had are carried over, new pieces start from the base model's rows, and the result is
a checkpoint whose tokenizer spells the new language with whole pieces."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from raqib.models.training.prune import prune_tokenizer
from raqib.models.training.revocab import EMBEDDINGS, merged_rows, revocabulary
from safetensors.numpy import load_file, save_file
from tokenizers import Tokenizer

from tests.test_e5 import unigram

PIECES = [("▁", -2.0), ("▁كتب", -1.0), ("▁bonjour", -1.0), ("b", -4.0), ("o", -4.0), ("n", -4.0), ("▁漢字", -1.0)]


def test_merged_rows_keep_the_classifiers_own_and_take_the_base_for_new() -> None:
    pieces = ["<s>", "▁a", "▁b", "▁c"]
    base = np.arange(8, dtype=np.float32).reshape(4, 2)
    earlier = {"<s>": np.array([9.0, 9.0], dtype=np.float32), "▁b": np.array([7.0, 7.0], dtype=np.float32)}
    rows, carried = merged_rows(pieces, earlier, base, [0, 2, 3])
    assert rows.tolist() == [[9.0, 9.0], [7.0, 7.0], [6.0, 7.0]] and carried == 2


def test_a_classifier_pruned_for_arabic_learns_a_french_piece(tmp_path: Path) -> None:
    full = unigram(PIECES)
    full_path = tmp_path / "full-tokenizer.json"
    full_path.write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    vocab = [p for p, _ in full["model"]["vocab"]]  # type: ignore[index]
    # the classifier had the Arabic word, not the French one
    own = [vocab.index(p) for p in ("<s>", "<pad>", "</s>", "<unk>", "▁", "▁كتب", "b", "o", "n", "<mask>")]
    classifier = tmp_path / "classifier"
    classifier.mkdir()
    (classifier / "tokenizer.json").write_text(json.dumps(prune_tokenizer(full, own), ensure_ascii=False))
    own_rows = np.full((len(own), 4), 0.5, dtype=np.float32)
    own_rows[own.index(vocab.index("▁كتب"))] = 1.0
    save_file(
        {EMBEDDINGS: own_rows.astype(np.float16), "classifier.weight": np.ones((5, 4), np.float16)},
        str(classifier / "model.safetensors"),
    )
    (classifier / "config.json").write_text(json.dumps({"vocab_size": len(own), "dtype": "float16"}))
    (classifier / "raqib.json").write_text(json.dumps({"normalize": 3}))
    base = np.arange(len(vocab) * 4, dtype=np.float32).reshape(len(vocab), 4)

    out = tmp_path / "revocab"
    summary = revocabulary(classifier, out, ["bonjour كتب"] * 3, size=9, base_rows=base, tokenizer_path=full_path)

    tokenizer = Tokenizer.from_file(str(out / "tokenizer.json"))
    assert tokenizer.encode("bonjour", add_special_tokens=False).tokens == ["▁bonjour"]
    assert tokenizer.token_to_id("▁漢字") is None
    tensors = load_file(str(out / "model.safetensors"))
    rows = tensors[EMBEDDINGS]
    assert rows.dtype == np.float32 and rows.shape == (summary["pieces"], 4)
    assert rows[tokenizer.token_to_id("▁كتب")].tolist() == [1.0] * 4  # carried over, fine-tuned
    assert rows[tokenizer.token_to_id("▁bonjour")].tolist() == base[vocab.index("▁bonjour")].tolist()  # the base's
    assert tensors["classifier.weight"].tolist() == np.ones((5, 4)).tolist()  # the heads are the classifier's
    config = json.loads((out / "config.json").read_text())
    assert config["vocab_size"] == summary["pieces"] and config["pad_token_id"] == tokenizer.token_to_id("<pad>")
    assert json.loads((out / "raqib.json").read_text()) == {"normalize": 3}
    assert summary["new"] == 1 and summary["coverage"] == 1.0
