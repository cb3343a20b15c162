"""Importing multilingual-e5 (``models/training/e5.py``) and pruning its vocabulary
(``models/training/prune.py``) on small hand-made data: Q4_0's nibble order, a pruned Unigram
tokenizer that renumbers every id and still spells out a word whose piece was dropped."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from raqib.models.training.e5 import dequantize_q4_0
from raqib.models.training.prune import kept_ids, prune_tokenizer
from tokenizers import Tokenizer


def test_q4_0_rows_dequantise_in_the_engines_order() -> None:
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((j & 0x0F) | (((15 - j) & 0x0F) << 4) for j in range(16))  # low: j, high: 15 - j
    row = dequantize_q4_0(scale + nibbles, 1, 32)[0]
    assert row[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert row[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def unigram(pieces: list[tuple[str, float]]) -> dict[str, object]:
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], *map(list, pieces), ["<mask>", 0.0]]
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": i if i < 4 else len(vocab) - 1,
                "content": t,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for i, t in enumerate(specials)
        ],
        "normalizer": None,
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": "<s>", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "</s>", "type_id": 0}},
            ],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}],
            "special_tokens": {
                "<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]},
            },
        },
        "decoder": None,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }


def test_a_pruned_vocabulary_renumbers_and_still_spells(tmp_path: Path) -> None:
    pieces = [("▁", -2.0), ("ك", -3.0), ("ت", -3.0), ("ب", -3.0), ("▁كتب", -1.0), ("漢", -5.0), ("▁漢字", -1.0)]
    document = unigram(pieces)
    vocab = [p for p, _ in document["model"]["vocab"]]  # type: ignore[index]
    keep = kept_ids(vocab, Counter({vocab.index("▁"): 5}), size=4)
    assert "▁漢字" not in [vocab[i] for i in keep] and "▁كتب" not in [vocab[i] for i in keep]
    assert vocab.index("<mask>") in keep and {0, 1, 2, 3} <= set(keep)
    pruned = prune_tokenizer(document, keep)
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps(pruned, ensure_ascii=False), encoding="utf-8")
    tokenizer = Tokenizer.from_file(str(path))
    encoded = tokenizer.encode("كتب")
    assert encoded.tokens == ["<s>", "▁", "ك", "ت", "ب", "</s>"]  # the dropped word piece, spelled out
    assert tokenizer.token_to_id("<mask>") == len(keep) - 1 and tokenizer.token_to_id("</s>") == 2
