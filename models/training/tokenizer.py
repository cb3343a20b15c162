"""WordPiece tokenizer trained on normalised Arabic text, saved in Hugging Face format."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from ..normalize import SPECIAL_TOKENS, normalize

BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_tokenizer(
    texts: Iterable[str], out_dir: str | Path, vocab_size: int = 20_000, *, show_progress: bool = True
) -> PreTrainedTokenizerFast:
    """Train a WordPiece vocabulary on ``normalize``-d texts and save it to ``out_dir``.

    Normalisation is our own function, applied before the tokenizer, so the tokenizer itself only
    splits on white space and punctuation; the placeholders stay whole as special tokens.
    """
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=50))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFC()])
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    specials = BERT_SPECIALS + list(SPECIAL_TOKENS)
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=3, special_tokens=specials, show_progress=show_progress
    )
    tokenizer.train_from_iterator((normalize(t) for t in texts), trainer=trainer)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        additional_special_tokens=list(SPECIAL_TOKENS),
        model_max_length=128,
    )
    fast.save_pretrained(str(out_dir))
    return fast
