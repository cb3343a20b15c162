"""Pruning a pre-trained SentencePiece (Unigram) vocabulary to the pieces our texts use.

multilingual-e5-small spends 96M of its 118M parameters on 250k XLM-R pieces, most of them for
scripts no Arabic comment section writes. Tokenising train, dev and the unlabelled corpus uses
about 28k of them. Keeping the most used ones (plus the specials and every single-character piece
of the scripts we read, so that an unseen word still spells out) and remapping the embedding rows
gives the same encoder with a fraction of the embedding matrix: a smaller artifact, less memory per
process. A Unigram model re-segments a word whose piece was dropped into the kept pieces, so text
outside the data degrades gracefully instead of becoming ``<unk>``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
MASK = "<mask>"
# Single characters worth keeping whatever the data says: Arabic (with its supplements and
# presentation forms), Latin with its accents, digits and ASCII punctuation.
_SPELLABLE = re.compile("^\u2581?[\u0600-\u06ff\u0750-\u077f\u0020-\u007e\u00c0-\u024f]$")


def piece_counts(tokenizer_json: Path, texts: Iterable[str], batch: int = 4096) -> Counter[int]:
    """How often each piece id appears when ``texts`` are tokenised (no specials added)."""
    from tokenizers import Tokenizer

    backend = Tokenizer.from_file(str(tokenizer_json))
    counts: Counter[int] = Counter()
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == batch:
            counts.update(i for e in backend.encode_batch(chunk, add_special_tokens=False) for i in e.ids)
            chunk = []
    if chunk:
        counts.update(i for e in backend.encode_batch(chunk, add_special_tokens=False) for i in e.ids)
    return counts


def kept_ids(vocab: list[str], counts: Counter[int], size: int) -> list[int]:
    """Ids to keep, in their original order: the specials, the spellable single characters, then
    the most used pieces until ``size`` ids (the mask token, when present, is kept last)."""
    keep = {i for i, piece in enumerate(vocab) if piece in SPECIALS or _SPELLABLE.match(piece)}
    for piece_id, _count in counts.most_common():
        if len(keep) >= size:
            break
        keep.add(piece_id)
    if MASK in vocab:
        keep.add(vocab.index(MASK))
    return sorted(keep)


def prune_tokenizer(tokenizer: dict[str, object], keep: list[int]) -> dict[str, object]:
    """The ``tokenizer.json`` document with only ``keep``'s pieces, every id renumbered."""
    model = dict(tokenizer["model"])  # type: ignore[call-overload]
    vocab = model["vocab"]
    new_id = {old: new for new, old in enumerate(keep)}
    model["vocab"] = [vocab[old] for old in keep]
    model["unk_id"] = new_id[int(model["unk_id"])]
    pieces = [piece for piece, _score in model["vocab"]]
    added = [dict(token, id=pieces.index(token["content"])) for token in tokenizer["added_tokens"]]  # type: ignore[attr-defined]
    post = json.loads(json.dumps(tokenizer["post_processor"]))
    for special in (post or {}).get("special_tokens", {}).values():
        special["ids"] = [pieces.index(token) for token in special["tokens"]]
    return {**tokenizer, "model": model, "added_tokens": added, "post_processor": post}


def prune_checkpoint(source: Path, out: Path, texts: Iterable[str], size: int) -> tuple[Path, float]:
    """Write ``out``: ``source``'s BERT checkpoint and tokenizer with the vocabulary pruned to
    ``size`` pieces; returns the directory and the share of the texts' pieces that were kept."""
    from safetensors.numpy import load_file

    tokenizer = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = [piece for piece, _score in tokenizer["model"]["vocab"]]
    counts = piece_counts(source / "tokenizer.json", texts)
    keep = kept_ids(vocab, counts, size)
    covered = sum(counts[i] for i in keep) / max(1, sum(counts.values()))
    tensors = load_file(str(source / "model.safetensors"))
    name = "embeddings.word_embeddings.weight"
    tensors[name] = np.ascontiguousarray(tensors[name][np.asarray(keep)])
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    write_pruned(out, tensors, config, tokenizer, keep)
    for extra in ("tokenizer_config.json", "special_tokens_map.json"):
        if (source / extra).exists():
            (out / extra).write_text((source / extra).read_text(encoding="utf-8"), encoding="utf-8")
    return out, covered


def write_pruned(
    out: Path, tensors: dict[str, np.ndarray], config: dict[str, object], tokenizer: dict[str, object], keep: list[int]
) -> None:
    """Write a checkpoint whose embeddings already hold ``keep``'s rows: its tensors, ``config``
    with the vocabulary's size and special ids renumbered, and ``tokenizer`` pruned to ``keep``."""
    from safetensors.numpy import save_file

    pruned = prune_tokenizer(tokenizer, keep)
    pieces = [piece for piece, _score in pruned["model"]["vocab"]]  # type: ignore[index]
    config = {
        **config,
        "vocab_size": len(keep),
        "pad_token_id": pieces.index("<pad>"),
        "bos_token_id": pieces.index("<s>"),
        "eos_token_id": pieces.index("</s>"),
    }
    out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (out / "tokenizer.json").write_text(json.dumps(pruned, ensure_ascii=False), encoding="utf-8")
