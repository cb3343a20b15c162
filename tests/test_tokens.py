"""The serving tokenizer (``tokenizers`` alone) encodes exactly as the transformers one the model
was trained with."""

from __future__ import annotations

from pathlib import Path

from raqib.models.normalize import normalize
from raqib.models.paths import BUNDLED
from raqib.models.tokens import WordPieces

TEXTS = [
    "يا حمار يا غبي",
    "3lach nta 7mar, sir t9awed",
    "C'est vraiment n'importe quoi هاد الشي 😂😂",
    "كتير حلو هالتقرير، يعطيك العافية #لبنان @USER URL",
    "",
    "طويل " * 300,  # longer than max_length: cut to 126 pieces plus [CLS] and [SEP]
]


def test_word_pieces_match_the_transformers_tokenizer(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    for directory in (BUNDLED, tiny_model):
        reference = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        pieces = WordPieces.from_dir(directory)
        texts = [normalize(t) for t in TEXTS]
        expected = reference(texts, truncation=True, max_length=128, return_offsets_mapping=True)
        for i, encoded in enumerate(pieces.encode(texts, 128)):
            assert encoded.ids.tolist() == expected["input_ids"][i]
            assert encoded.word_ids == expected.word_ids(i)
            assert encoded.offsets == [tuple(o) for o in expected["offset_mapping"][i]]
        assert WordPieces.of(reference).encode(texts, 128)[0].ids.tolist() == expected["input_ids"][0]
