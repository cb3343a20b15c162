"""A BERT classifier with character-aware inputs: each token's embedding is its word piece's plus
a projection of the mean of its word's hashed character n-gram embeddings (``models/charngrams.py``).

The n-grams enter *before* the encoder, so attention reads them in context; the model is still
one transformer, not an ensemble with an n-gram model. Without ``ngram_ids`` it is a plain BERT
classifier. Importing this module registers ``raqib_char_bert`` with the ``Auto*`` classes, so
``AutoModelForSequenceClassification.from_pretrained(dir)`` loads it after this import.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, BertConfig, BertForSequenceClassification

from ..charngrams import CHAR_BERT_TYPE, NgramSpec


class CharBertConfig(BertConfig):
    model_type = CHAR_BERT_TYPE

    def __init__(
        self, ngram_buckets: int = 65536, ngram_dim: int = 64, ngrams_per_token: int = 32, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.ngram_buckets = ngram_buckets
        self.ngram_dim = ngram_dim
        self.ngrams_per_token = ngrams_per_token


class CharBertForSequenceClassification(BertForSequenceClassification):
    config_class = CharBertConfig

    def __init__(self, config: CharBertConfig) -> None:
        super().__init__(config)
        self.ngram_embeddings = torch.nn.Embedding(config.ngram_buckets, config.ngram_dim, padding_idx=0)
        self.ngram_projection = torch.nn.Linear(config.ngram_dim, config.hidden_size, bias=False)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        ngram_ids: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> Any:
        embeds = self.bert.embeddings.word_embeddings(input_ids)
        if ngram_ids is not None:
            counts = (ngram_ids > 0).sum(-1, keepdim=True).clamp(min=1).to(embeds.dtype)
            bag = self.ngram_embeddings(ngram_ids).sum(-2) / counts
            embeds = embeds + self.ngram_projection(bag)
        return super().forward(inputs_embeds=embeds, attention_mask=attention_mask, **kwargs)


def ngram_spec(config: Any) -> NgramSpec | None:
    """The n-gram hashing a model config asks for, or None for a model without character inputs."""
    return NgramSpec.of_config(config.to_dict())


def char_bert_from(
    plain: BertForSequenceClassification, buckets: int, dim: int, per_token: int
) -> CharBertForSequenceClassification:
    """A character-aware copy of a plain BERT classifier that starts out computing exactly what it
    did (the n-gram projection starts at zero), for fine-tuning on top of a trained encoder."""
    if ngram_spec(plain.config) is not None:
        raise ValueError("not a plain BERT classifier: it already reads n-grams")
    # A plain encoder warm-started from a character-aware one (masked-LM pre-training from v3, say)
    # may still carry the n-gram settings in its config: the new ones are the caller's.
    settings = {k: v for k, v in plain.config.to_diff_dict().items() if k != "model_type" and not k.startswith("ngram")}
    config = CharBertConfig(ngram_buckets=buckets, ngram_dim=dim, ngrams_per_token=per_token, **settings)
    model = CharBertForSequenceClassification(config)
    missing, unexpected = model.load_state_dict(plain.state_dict(), strict=False)
    if unexpected or set(missing) - {"ngram_embeddings.weight", "ngram_projection.weight"}:
        raise ValueError(f"not a plain BERT classifier: missing {missing}, unexpected {unexpected}")
    torch.nn.init.zeros_(model.ngram_projection.weight)
    return model


AutoConfig.register(CharBertConfig.model_type, CharBertConfig)
AutoModelForSequenceClassification.register(CharBertConfig, CharBertForSequenceClassification)
