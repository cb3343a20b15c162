"""The model card (README.md) written beside every exported artifact, from measured figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATA = [
    (
        "OSACT2020 (OSACT4 / OffensEval-2020 Arabic)",
        "CC BY 4.0 (organisers)",
        "Mubarak et al. (2020), OSACT4 @ LREC 2020",
    ),
    ("OSACT2022 (OSACT5)", "research use, none stated", "Mubarak, Al-Khalifa, Al-Thubaity (2022), OSACT5 @ LREC 2022"),
    ("OMCD (Moroccan comments)", "none stated", "Essefar et al. (2023), Language Resources & Evaluation 57(4)"),
    ("L-HSAB (Levantine)", "none stated", "Mulki et al. (2019), ALW3 @ ACL 2019"),
    ("SoHateful", "none stated", "Zaghouani, Mubarak, Biswas (2024), LREC-COLING 2024"),
    ("ArMI 2021 (misogyny)", "research use, none stated", "Mulki & Ghanem (2021), FIRE 2021"),
    ("Albadi religious hate", "none stated", "Albadi, Kurdi, Mishra (2018), ASONAM 2018"),
    ("Arabic low-quality/spam tweets", "none stated", "Alharthi, Alhothali, Moria (2021), Information Systems 99"),
]


def _metrics_table(metrics: dict[str, dict[str, float]]) -> str:
    lines = ["| category | source | macro-F1 |", "|---|---|---|"]
    for category, row in metrics.items():
        for source, value in row.items():
            lines.append(f"| {category} | {source} | {value:.3f} |")
    return "\n".join(lines)


def _distilled(meta: dict[str, Any]) -> str:
    if not meta["training"].get("distilled_from_char_ngram_teacher"):
        return ""
    return (
        " The fine-tuning data also held the 176k unlabelled comments with soft labels (offensive, hate, spam)"
        " from a char 2–5-gram TF-IDF + logistic-regression teacher trained on train.csv, at half a gold"
        " label's weight; the shipped model scores alone."
    )


def _lineage(meta: dict[str, Any]) -> str:
    fine, earlier = meta["training"]["finetune"], meta["training"].get("started_from")
    text = ""
    if fine.get("char_ngrams"):
        text += (
            f" Character-aware inputs: each token's embedding also receives the mean of its word's hashed"
            f" char 2–5-gram embeddings ({fine['ngram_buckets']} buckets × {fine['ngram_dim']}, at most"
            f" {fine['ngrams_per_token']} per word, projected to the hidden size), so attention reads the"
            f" spelling of every word in context (`models/training/charbert.py`)."
        )
    if earlier:
        text += (
            f" This fine-tuning started from the classifier at `{earlier['path']}` (seconds per stage of that"
            f" earlier run: {earlier['stage_seconds']})."
        )
    return text


def write_model_card(artifact: Path, meta: dict[str, Any]) -> None:
    pre, fine = meta["training"]["pretrain"], meta["training"]["finetune"]
    thresholds = ", ".join(f"{c} {t:.2f}" for c, t in meta["thresholds"].items())
    data_rows = "\n".join(f"| {name} | {licence} | {cite} |" for name, licence, cite in DATA)
    card = f"""# {artifact.name} — Raqib's Arabic moderation classifier

A small BERT-style encoder ({pre["num_layers"]} layers, hidden {pre["hidden_size"]}, {pre["num_heads"]} heads,
WordPiece vocabulary trained here) pre-trained with masked-LM on 176k unlabelled Arabic comments and
tweets plus the training texts, then fine-tuned multi-label on five heads: `offensive` (covers the
others), `hate`, `vulgar`, `violence`, `spam`. Texts pass through `models.normalize.normalize` first.

## Intended use
Scoring reader comments on Arabic news sites and forums (MSA and dialects: Darija, Levantine, Gulf,
Egyptian, Tunisian, Arabizi) so that moderators see the likeliest abuse first and the auto-hide
threshold can move. It is a signal for people and for report counting, not a sole judge: do not remove
content on its score alone.

## Decision thresholds (calibrated on dev.csv for macro-F1)
{thresholds}

## Dev results (macro-F1, thresholds above)
{_metrics_table(meta["dev_macro_f1"])}

## Training
Pre-training: {pre["epochs"]} epochs planned, learning rate {pre["learning_rate"]}, {pre["max_tokens"]} tokens
per batch, masking {pre["mask_probability"]}. Fine-tuning: {fine["epochs"]} epochs, learning rate
{fine["learning_rate"]}, masked binary cross-entropy (unannotated cells do not count). Hardware:
{meta["training"]["device"]}. Seconds per stage: {meta["stage_seconds"]}.{_lineage(meta)}{_distilled(meta)}

## Data and licences
| data set | licence | citation |
|---|---|---|
{data_rows}

Most sets are research releases without an explicit licence: cite them, and check the terms before
commercial use. The unlabelled corpus (reader comments and dialect tweets) is listed in the
project's shared data `SOURCES.txt`.

## Limits
Trained on short social-media text; long articles are truncated to {meta["max_length"]} tokens.
Labels of `vulgar` and `violence` come from two sources only and are rare: expect weak recall.
Sarcasm, quoted abuse and reclaimed words are often misread. Scores are not calibrated probabilities
across sources, whose positive rates differ widely.
"""
    (artifact / "README.md").write_text(card, encoding="utf-8")
