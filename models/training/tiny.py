"""A tiny random classifier artifact, built in seconds, for tests: the real tokenizer training,
the real model class and the real saving and loading code, on a handful of texts."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import BertConfig, BertForSequenceClassification

from ..inference import META_FILE
from ..normalize import VERSION
from .charbert import char_bert_from
from .data import CATEGORIES
from .tokenizer import train_tokenizer

TEXTS = [
    "يا حمار يا غبي",
    "صباح الخير يا جماعة",
    "الله يلعن هاد الناس",
    "مبروك للفريق الفوز",
    "3lach katdir hakka",
    "اشترك الان واربح جائزه",
    "ما شاء الله عليك",
    "انت كلب ابن كلب",
    "شكرا على المقال الرائع",
    "ديما مغرب",
    "يا ربي سترك",
    "هذا الكلام غير مقبول",
]


def build_tiny_artifact(out: str | Path, seed: int = 0, *, char_ngrams: bool = False) -> Path:
    """With ``char_ngrams``, the character-aware model class (``models/training/charbert.py``), its n-gram
    path switched on with random weights so that it visibly moves the scores."""
    out = Path(out)
    torch.manual_seed(seed)
    tokenizer = train_tokenizer(TEXTS * 5, out, vocab_size=300, show_progress=False)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
    )
    config.id2label = dict(enumerate(CATEGORIES))
    config.label2id = {c: i for i, c in enumerate(CATEGORIES)}
    config.problem_type = "multi_label_classification"
    model = BertForSequenceClassification(config).eval()
    if char_ngrams:
        model = char_bert_from(model, buckets=997, dim=16, per_token=12).eval()
        torch.nn.init.normal_(model.ngram_embeddings.weight, std=1.0)
        torch.nn.init.normal_(model.ngram_projection.weight, std=1.0)
    model.save_pretrained(str(out))
    meta = {"format": 1, "normalize": VERSION, "max_length": 128, "thresholds": dict.fromkeys(CATEGORIES, 0.5)}
    (out / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    return out
