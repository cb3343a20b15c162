"""Multi-label fine-tuning of the pre-trained encoder on five heads, with the loss masked where a
source did not annotate a category. Keeps the epoch with the best mean macro-F1 on dev."""

from __future__ import annotations

import logging
import math
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import (
    AutoModelForSequenceClassification,
    BertForSequenceClassification,
    PreTrainedTokenizerFast,
    get_linear_schedule_with_warmup,
)

from ..batching import encode_texts, length_batches
from ..normalize import VERSION
from ..tokens import WordPieces
from .charbert import char_bert_from, ngram_spec
from .data import CATEGORIES, LabeledSet
from .evaluate import calibrate, report
from .progress import progress
from .torch_inference import batch_tensors, scores_in_order
from .vocab import grow_embeddings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 4
    learning_rate: float = 1.5e-4
    max_tokens: int = 4096
    max_length: int = 128
    warmup_fraction: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    bf16: bool = True  # on a GPU only: a CPU without bf16 units runs autocast slower than fp32
    normalizer: int = VERSION  # 3 for a pre-trained multilingual vocabulary (models/normalize.py)
    checkpoint_minutes: float = 0.0  # also checkpoint within an epoch this often (0: at epoch ends)
    init_from: str | None = None  # a fine-tuned classifier to start from instead of the MLM model
    char_ngrams: bool = False  # character-aware inputs (models/training/charbert.py)
    ngram_buckets: int = 65536
    ngram_dim: int = 64
    ngrams_per_token: int = 32
    ngram_lr_scale: float = 30.0  # the n-gram path starts at zero beside a trained encoder: a higher rate


def masked_bce(logits: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy averaged over annotated cells only: an empty cell is not a negative."""
    losses = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), labels, reduction="none")
    return (losses * mask).sum() / mask.sum().clamp(min=1.0)


def dev_score(results: dict[str, dict[str, float]]) -> float:
    """Model selection: the mean of the overall macro-F1 of every category."""
    return float(np.mean([row["overall"] for row in results.values()]))


def _load_model(source: Path, *, resume: bool, cfg: FinetuneConfig) -> BertForSequenceClassification:
    """The model to train: a checkpoint as saved, or the encoder (MLM model or a fine-tuned
    classifier) with five heads, made character-aware when ``cfg.char_ngrams`` asks."""
    if resume:
        model: BertForSequenceClassification = AutoModelForSequenceClassification.from_pretrained(
            str(source), local_files_only=True, dtype=torch.float32
        )
        return model
    model = BertForSequenceClassification.from_pretrained(
        str(source),
        local_files_only=True,
        dtype=torch.float32,
        num_labels=len(CATEGORIES),
        problem_type="multi_label_classification",
        id2label=dict(enumerate(CATEGORIES)),
        label2id={c: i for i, c in enumerate(CATEGORIES)},
    )
    if cfg.char_ngrams:
        model = char_bert_from(model, cfg.ngram_buckets, cfg.ngram_dim, cfg.ngrams_per_token)
    return model


def _parameter_groups(model: torch.nn.Module, cfg: FinetuneConfig) -> list[dict[str, object]]:
    ngram = [p for n, p in model.named_parameters() if n.startswith("ngram_")]
    rest = [p for n, p in model.named_parameters() if not n.startswith("ngram_")]
    groups: list[dict[str, object]] = [{"params": rest}]
    if ngram:
        groups.append({"params": ngram, "lr": cfg.learning_rate * cfg.ngram_lr_scale, "weight_decay": 0.0})
    return groups


def finetune(
    mlm_dir: Path,
    tokenizer: PreTrainedTokenizerFast,
    train: LabeledSet,
    dev: LabeledSet,
    out_dir: Path,
    cfg: FinetuneConfig,
    spelled: dict[int, list[int]] | None = None,
) -> Path:
    """Fine-tune (resuming per epoch) in ``out_dir``; returns the directory of the best epoch.
    ``spelled`` gives the new pieces of a grown tokenizer their starting rows (``vocab.py``)."""
    best_dir, ckpt = out_dir / "best", out_dir / "checkpoint"
    if (out_dir / "done").exists():
        return best_dir
    torch.manual_seed(cfg.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    source = ckpt if (ckpt / "config.json").exists() else Path(cfg.init_from or mlm_dir)
    model = _load_model(source, resume=source == ckpt, cfg=cfg)
    grow_embeddings(model, len(tokenizer), spelled or {})
    torch.nn.Module.to(model, device)
    spec = ngram_spec(model.config)
    encoded = encode_texts(train.texts, tokenizer, cfg.max_length, normalizer=cfg.normalizer, ngrams=spec)
    dev_encoded = encode_texts(dev.texts, tokenizer, cfg.max_length, normalizer=cfg.normalizer, ngrams=spec)
    n_batches = len(length_batches(encoded, cfg.max_tokens, np.random.default_rng(0)))
    total = cfg.epochs * n_batches
    optimizer = torch.optim.AdamW(_parameter_groups(model, cfg), lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_fraction * total), total)
    start_epoch, start_batch, best = 0, 0, -1.0
    if source == ckpt:
        saved = torch.load(ckpt / "trainer_state.pt", weights_only=True, map_location="cpu")
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        start_epoch, best = int(saved["epoch"]), float(saved["best"])
        start_batch = int(saved.get("batch", 0))
    labels, mask = torch.from_numpy(train.labels), torch.from_numpy(train.mask)
    pieces = WordPieces.of(tokenizer)
    autocast = cfg.bf16 and device.type == "cuda"

    def checkpoint(epoch: int, batch: int) -> None:
        """Model and trainer state, written beside and then renamed: a kill never leaves half."""
        partial = out_dir / "checkpoint.partial"
        shutil.rmtree(partial, ignore_errors=True)
        model.save_pretrained(str(partial))
        state = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "config": asdict(cfg)}
        torch.save({"epoch": epoch, "batch": batch, "best": best, **state}, partial / "trainer_state.pt")
        shutil.rmtree(ckpt, ignore_errors=True)
        partial.rename(ckpt)

    for epoch in range(start_epoch, cfg.epochs):
        model.train()
        batches = length_batches(encoded, cfg.max_tokens, np.random.default_rng(cfg.seed + epoch))
        bar = progress(total=len(batches), desc=f"finetune {epoch + 1}/{cfg.epochs}", initial=start_batch)
        smoothed, last_save = math.nan, time.monotonic()
        for number in range(start_batch, len(batches)):
            batch = batches[number]
            ids, _, attention = batch_tensors(batch.arrays(pieces))
            ngrams = batch.ngram_ids()
            extra = {} if ngrams is None else {"ngram_ids": torch.from_numpy(ngrams).to(device)}
            rows = torch.from_numpy(batch.indices.astype(np.int64))
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
                logits = model(input_ids=ids.to(device), attention_mask=attention.to(device), **extra).logits
            loss = masked_bce(logits, labels[rows].to(device), mask[rows].to(device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            smoothed = loss.item() if math.isnan(smoothed) else 0.98 * smoothed + 0.02 * loss.item()
            bar.update(1)
            bar.set_postfix(loss=f"{smoothed:.4f}", refresh=False)
            if cfg.checkpoint_minutes and time.monotonic() - last_save > 60 * cfg.checkpoint_minutes:
                checkpoint(epoch, number + 1)
                last_save = time.monotonic()
                log.info("checkpoint: epoch %d, batch %d/%d, loss %.4f", epoch + 1, number + 1, len(batches), smoothed)
        bar.close()
        start_batch = 0
        model.eval()
        scores = scores_in_order(model, tokenizer, dev_encoded, 16384)
        results = report(scores, dev, calibrate(scores, dev))
        score = dev_score(results)
        log.info(
            "epoch %d: dev mean macro-F1 %.4f (%s)",
            epoch + 1,
            score,
            {c: round(r["overall"], 3) for c, r in results.items()},
        )
        if score > best:
            best = score
            model.save_pretrained(str(best_dir))
            tokenizer.save_pretrained(str(best_dir))
            np.save(best_dir / "dev_scores.npy", scores)
        np.save(out_dir / f"dev_scores_epoch{epoch + 1}.npy", scores)
        checkpoint(epoch + 1, 0)
    (out_dir / "done").write_text(f"{best:.4f}\n")
    return best_dir
