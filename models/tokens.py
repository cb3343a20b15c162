"""Word pieces for inference, straight from an artifact's ``tokenizer.json`` through the
``tokenizers`` library: no transformers, no torch. The same encoding as the Hugging Face fast
tokenizer the model was trained with — ``[CLS] pieces [SEP]``, the pieces cut to
``max_length - 2`` — which a test checks on real texts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer


@dataclass(frozen=True)
class Encoded:
    """One text's pieces: ids with [CLS] and [SEP], and each piece's word index and character span
    in the text (None and (0, 0) for the special tokens)."""

    ids: np.ndarray
    word_ids: list[int | None]
    offsets: list[tuple[int, int]]


class WordPieces:
    """Encodes texts as the model expects; ``pad_id``, ``cls_id`` and ``sep_id`` name its specials."""

    def __init__(self, backend: Tokenizer, *, pad_id: int, cls_id: int, sep_id: int) -> None:
        backend.no_truncation()
        backend.no_padding()
        self.backend = backend
        self.pad_id, self.cls_id, self.sep_id = pad_id, cls_id, sep_id

    @classmethod
    def from_dir(cls, path: str | Path) -> WordPieces:
        """The tokenizer of an artifact directory (``tokenizer.json`` and its special tokens)."""
        path = Path(path)
        backend = Tokenizer.from_file(str(path / "tokenizer.json"))
        config_path = path / "tokenizer_config.json"
        config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}

        def special(name: str, default: str) -> int:
            token = config.get(name) or default
            token_id = backend.token_to_id(token if isinstance(token, str) else token.get("content", default))
            if token_id is None:
                raise ValueError(f"{path}: the tokenizer has no {name} {token!r}")
            return int(token_id)

        return cls(
            backend,
            pad_id=special("pad_token", "[PAD]"),
            cls_id=special("cls_token", "[CLS]"),
            sep_id=special("sep_token", "[SEP]"),
        )

    @classmethod
    def of(cls, tokenizer: Any) -> WordPieces:
        """``tokenizer`` itself, or a copy of a Hugging Face fast tokenizer's pieces (training)."""
        if isinstance(tokenizer, WordPieces):
            return tokenizer
        backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
        return cls(backend, pad_id=tokenizer.pad_token_id, cls_id=tokenizer.cls_token_id, sep_id=tokenizer.sep_token_id)

    def encode(self, texts: Sequence[str], max_length: int) -> list[Encoded]:
        keep = max_length - 2
        out = []
        for enc in self.backend.encode_batch(list(texts), add_special_tokens=False):
            ids = np.empty(min(len(enc.ids), keep) + 2, dtype=np.int32)
            ids[0], ids[-1] = self.cls_id, self.sep_id
            ids[1:-1] = enc.ids[:keep]
            out.append(
                Encoded(
                    ids=ids,
                    word_ids=[None, *enc.word_ids[:keep], None],
                    offsets=[(0, 0), *enc.offsets[:keep], (0, 0)],
                )
            )
        return out
