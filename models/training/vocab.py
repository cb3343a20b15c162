"""Growing a trained tokenizer with Latin-script word pieces (Arabizi, French), keeping every
existing id, and giving the encoder rows for the new pieces.

The first vocabulary was learnt when Arabizi digits became Arabic letters; with the script-respecting
normaliser a Latin word such as ``khouya`` falls apart into single letters. Re-training the
vocabulary would throw away the pre-trained embeddings; appending pieces keeps them, and each new
row starts as the mean of the rows of the old pieces that spelled it, so the model starts out
reading the word as it did before."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import PreTrainedModel, PreTrainedTokenizerFast

from ..normalize import LATIN_WORD, normalize

EXTENSION_FILE = "vocab_extension.json"


def latin_words(texts: Iterable[str]) -> Iterable[str]:
    """The Latin-script words of the normalised texts, one per item."""
    for text in texts:
        yield from LATIN_WORD.findall(normalize(text))


def learn_latin_pieces(texts: Iterable[str], count: int, known: set[str]) -> list[str]:
    """Up to ``count`` WordPiece pieces learnt on Latin-script words only, leaving out ``known``."""
    model = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=50))
    model.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.WordPieceTrainer(
        vocab_size=count + len(known) // 20 + 200, min_frequency=5, special_tokens=["[UNK]"], show_progress=False
    )
    model.train_from_iterator(latin_words(texts), trainer=trainer)
    ranked = sorted(model.get_vocab().items(), key=lambda item: item[1])
    return [piece for piece, _ in ranked if piece not in known and piece != "[UNK]"][:count]


def extend_tokenizer(tokenizer_dir: Path, texts: Iterable[str], count: int) -> PreTrainedTokenizerFast:
    """Append Latin pieces to the tokenizer saved in ``tokenizer_dir`` (in place, once) and record,
    for each new id, the old ids that spelled its text (``vocab_extension.json``)."""
    record = tokenizer_dir / EXTENSION_FILE
    if record.exists():
        return PreTrainedTokenizerFast.from_pretrained(str(tokenizer_dir), local_files_only=True)
    path = tokenizer_dir / "tokenizer.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    vocab: dict[str, int] = spec["model"]["vocab"]
    old = Tokenizer.from_file(str(path))
    base_size = len(vocab)
    spelled: dict[int, list[int]] = {}
    for piece in learn_latin_pieces(texts, count, set(vocab)):
        ids = old.encode(piece.removeprefix("##"), add_special_tokens=False).ids
        spelled[base_size + len(spelled)] = ids
        vocab[piece] = base_size + len(spelled) - 1
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    record.write_text(json.dumps({"base_size": base_size, "spelled": spelled}), encoding="utf-8")
    return PreTrainedTokenizerFast.from_pretrained(str(tokenizer_dir), local_files_only=True)


def read_extension(tokenizer_dir: Path) -> dict[int, list[int]]:
    """The new ids and the old ids that spelled each; empty when the tokenizer was not extended."""
    record = tokenizer_dir / EXTENSION_FILE
    if not record.exists():
        return {}
    return {int(k): v for k, v in json.loads(record.read_text(encoding="utf-8"))["spelled"].items()}


def grow_embeddings(model: PreTrainedModel, size: int, spelled: dict[int, list[int]]) -> None:
    """Resize the input embeddings to ``size`` rows; each new row is the mean of its spelling's rows."""
    embeddings = model.get_input_embeddings()
    assert isinstance(embeddings, torch.nn.Embedding)
    old_size = embeddings.num_embeddings
    if size <= old_size:
        return
    resized = model.resize_token_embeddings(size, mean_resizing=False)
    weight = resized.weight
    with torch.no_grad():
        for new_id in range(old_size, size):
            ids = [i for i in spelled.get(new_id, []) if i < old_size]
            weight[new_id] = weight[ids].mean(dim=0) if ids else weight[:old_size].mean(dim=0)
