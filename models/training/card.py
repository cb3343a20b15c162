"""The model card (README.md) written beside every exported artifact, from measured figures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .data import HATE_WITH_INSULTS


def provenance(data_dir: Path) -> list[tuple[str, str, str]]:
    """(data set, licence, citation) for every data set described in ``data_dir/provenance``: the
    first line of each description, its ``Licence``/``License`` line and its ``Citation`` line."""
    rows = []
    for path in sorted((data_dir / "provenance").glob("*.txt")):
        if ".LICENSE" in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        licence = re.search(r"^Licen[cs]e[^:]*:\s*(.+)$", text, re.MULTILINE)
        citation = re.search(r"^Citation:\s*(.+)$", text, re.MULTILINE)
        rows.append(
            (
                text.splitlines()[0].strip().replace("|", "/"),
                (licence.group(1).strip() if licence else "not stated").replace("|", "/"),
                (citation.group(1).strip() if citation else "see the provenance file").replace("|", "/"),
            )
        )
    return rows


def metrics_table(metrics: dict[str, dict[str, float]], baseline: dict[str, dict[str, float]] | None) -> str:
    """The model's dev macro-F1 per category and source, beside the char n-gram baseline's when known."""
    if not baseline:
        lines = ["| category | source | macro-F1 |", "|---|---|---|"]
        for category, row in metrics.items():
            lines.extend(f"| {category} | {source} | {value:.3f} |" for source, value in row.items())
        return "\n".join(lines)
    lines = ["| category | source | this model | char n-gram baseline |", "|---|---|---|---|"]
    for category, row in metrics.items():
        for source, value in row.items():
            theirs = baseline.get(category, {}).get(source)
            cell = f"{theirs:.3f}" if theirs is not None else ""
            mark = "**" if theirs is not None and value > theirs else ""
            lines.append(f"| {category} | {source} | {mark}{value:.3f}{mark} | {cell} |")
    return "\n".join(lines)


def describe_encoder(artifact: Path, meta: dict[str, Any]) -> str:
    """What the encoder is: imported and pruned from a pre-trained model, or pre-trained here."""
    config = json.loads((artifact / "config.json").read_text(encoding="utf-8"))
    shape = (
        f"{config['num_hidden_layers']} layers, hidden {config['hidden_size']}, {config['num_attention_heads']} heads,"
        f" {config['vocab_size']:,} pieces"
    )
    base = meta["training"].get("base_model")
    if base:
        return (
            f"A BERT encoder ({shape}) fine-tuned from **{base['name']}**: its lowest"
            f" {base.get('layers_kept') or 12} of 12 layers, the XLM-R SentencePiece vocabulary pruned to the"
            f" pieces the training data uses most (`models/training/e5.py`, `models/training/prune.py`). A"
            " standard `BertForSequenceClassification`: `transformers` loads it without Raqib."
        )
    return (
        f"A small BERT-style encoder ({shape}, WordPiece vocabulary trained here) pre-trained with"
        " masked-LM on unlabelled Arabic comments and tweets plus the training texts."
    )


def _pretraining(meta: dict[str, Any]) -> str:
    pre = meta["training"]["pretrain"]
    if meta["training"].get("base_model") and "pretrain" not in meta["stage_seconds"]:
        return "Pre-training: the base model's own (no masked-LM pass here)."
    return (
        f"Pre-training: {pre['epochs']} epochs planned, learning rate {pre['learning_rate']}, {pre['max_tokens']}"
        f" tokens per batch, masking {pre['mask_probability']}."
    )


def _distilled(meta: dict[str, Any]) -> str:
    if not meta["training"].get("distilled_from_char_ngram_teacher"):
        return ""
    training = meta["training"]
    lines = training.get("distill_lines")
    corpus = f"{lines:,} lines of the unlabelled corpus (a seeded sample)" if lines else "the unlabelled corpus"
    teachers = training.get("teacher_transformers") or []
    averaged = f", averaged with the fine-tuned {', '.join(f'`{t}`' for t in teachers)}" if teachers else ""
    return (
        f" The fine-tuning data also held {corpus} with soft labels (offensive, hate, spam)"
        f" from a char 2–5-gram TF-IDF + logistic-regression teacher trained on train.csv{averaged}, at half"
        " a gold label's weight; the shipped model scores alone."
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


def _labels(meta: dict[str, Any]) -> str:
    training = meta["training"]
    text = ""
    if training.get("latin_pieces_added"):
        text += (
            f" The tokenizer of the classifier it started from was grown by {training['latin_pieces_added']}"
            " Latin-script word pieces (Arabizi, French) learnt on the corpus, each new embedding starting as"
            " the mean of the pieces that spelled it before (`models/training/vocab.py`)."
        )
    vocabulary = training.get("revocabulary")
    if vocabulary:
        text += (
            f" Before this fine-tuning the vocabulary was pruned again from XLM-R's over train, dev and the"
            f" corpus in every language: {int(vocabulary['pieces']):,} pieces, {int(vocabulary['carried_over']):,}"
            f" of them carried over with the rows the earlier classifier had fine-tuned, {int(vocabulary['new']):,}"
            " new (mostly French and English) starting from multilingual-e5-small's own rows"
            " (`models/training/revocab.py`)."
        )
    if training.get("language_weights"):
        text += f" Rows were weighted by language {training['language_weights']} (French is 4 % of the rows)."
    if training.get("language_samples"):
        text += (
            f" Rows were sampled by language {training['language_samples']} (a seeded share of a language"
            " the classifier already read, to fit the run in the time it had)."
        )
    if training.get("spam_negative_weight"):
        text += (
            " **Spam labels**: only two sources annotate spam, and the only Latin-script rows among their"
            " positives come from a set that has no clean rows, so a spam head trained on them alone learns"
            " 'Latin script (or Twitter) means spam'. Every comment of the other sources that annotated"
            " offensiveness was taken as *not spam*, at"
            f" {training['spam_negative_weight']} of a gold label's weight (a few of them may be spam)."
        )
    return text


SITE_COLUMNS = (
    "false_spam",
    "hold_precision",
    "hold_recall",
    "hate_precision",
    "hate_recall",
    "insult_as_hate",
    "hate_precision_at_recall",
)


def _site_view(meta: dict[str, Any]) -> str:
    view = meta.get("dev_site_view")
    if not view:
        return ""
    lines = [
        "## What a site sees (dev.csv, thresholds above)",
        "False spam: the share of comments annotated not offensive (and not labelled spam) that get a",
        "spam flag. Hold: the",
        "comments with `offensive ≥ 0.9`, the setting that holds comments in the default policy — its",
        "precision (how many held comments are offensive) and recall (how many offensive ones it holds).",
        "Hate: the hate flag's precision and recall, and insults taken for hate — the share of comments",
        "annotated offensive but not hate that get it, and the best hate precision of any threshold with",
        "recall ≥ 0.75.",
        "",
        "| group | false spam | hold precision | hold recall | hate precision | hate recall | insults as hate"
        " | hate precision at recall 0.75 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group, row in view.items():
        cells = [f"{100 * row[m]:.1f} %" if m in row else "" for m in SITE_COLUMNS]
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n"


def _languages(meta: dict[str, Any]) -> str:
    """The languages the heads were trained on, with their rows, and those they were not."""
    rows = meta["training"].get("rows_per_language")
    if not rows:
        return ""
    trained = ", ".join(f"{language} {count:,}" for language, count in rows.items())
    return (
        "## Languages\n"
        f"Trained on train.csv's rows (as labelled, before any sampling or weighting): {trained}. Arabic"
        " covers MSA and the dialects of the sources (Darija, Tunisian, Egyptian, Levantine, Gulf, Iraqi)"
        " and Arabizi; French and English come from tweets, forums, news-site comments, SMS and YouTube."
        " Not trained on: any other language (Spanish, German, Tamazight, Persian, Urdu, Turkish …): the"
        " encoder's pre-training read about 100 languages, but its heads never saw a label in them, so"
        " scores there are not to be trusted. `lang:` rows in the tables below are each language's dev"
        " rows.\n\n"
    )


def _ensemble(meta: dict[str, Any]) -> str:
    ngram = meta.get("ngram")
    if not ngram:
        return ""
    alone = meta.get("dev_macro_f1_encoder_alone", {}).get("offensive", {}).get("overall")
    own = ngram.get("weights") or {}
    if own:
        mix = (
            " its scores are the encoder's blended with a char 2–5-gram TF-IDF logistic regression, the"
            " n-grams' weight chosen per category on dev ("
            + ", ".join(f"{category} {weight:.2f}" for category, weight in own.items())
            + ")"
            + "".join(
                f"; for comments read as `{language}`, "
                + ", ".join(f"{category} {weight:.2f}" for category, weight in table.items())
                for language, table in (ngram.get("language_weights") or {}).items()
            )
            + "; it is"
        )
    else:
        mix = (
            f" its scores are {1 - ngram['weight']:.2f} × the encoder's plus {ngram['weight']:.2f} × a char"
            " 2–5-gram TF-IDF logistic regression,"
        )
    return (
        " The artifact is an ensemble:"
        + mix
        + f" hashed into {ngram['buckets']:,} buckets, fitted on {ngram['fitted_on']} at export"
        " (`ngram.npz`, `models/ngram.py`), reading texts"
        f" through normaliser version {ngram.get('normalize', meta.get('normalize'))}; the thresholds"
        " and dev figures above are the blend's"
        + (f" (the encoder alone: offensive {alone:.3f} overall)." if alone is not None else ".")
    )


def _history(meta: dict[str, Any]) -> str:
    return _lineage(meta) + _distilled(meta) + _labels(meta) + _ensemble(meta)


def write_model_card(artifact: Path, meta: dict[str, Any], data_dir: Path | None = None) -> None:
    fine = meta["training"]["finetune"]
    thresholds = ", ".join(f"{c} {t:.2f}" for c, t in meta["thresholds"].items())
    for language, table in (meta.get("language_thresholds") or {}).items():
        own = ", ".join(f"{c} {t:.2f}" for c, t in table.items())
        thresholds += f"\n\nComments read as `{language}` (`models/language.py`) use their own: {own}."
    data = provenance(data_dir) if data_dir is not None and (data_dir / "provenance").is_dir() else []
    data_rows = "\n".join(f"| {name} | {licence} | {cite} |" for name, licence, cite in data)
    card = f"""# {artifact.name} — Raqib's moderation classifier (Arabic, French, English)

{describe_encoder(artifact, meta)} Fine-tuned multi-label on five heads: `offensive` (covers the
others), `hate`, `vulgar`, `violence`, `spam`. Texts pass through `models.normalize.normalize`
(version {meta.get("normalize")}) first. `hate` is an attack on people for a shared trait (origin,
religion, gender, ideology…), not a plain insult: the hate positives of the sources that also mark
insults as hate ({", ".join(sorted(HATE_WITH_INSULTS))}) are read as not annotated for hate, in
training and in every figure below; `raqib evaluate --hate-as-published` reads them as published.

## Intended use
Scoring reader comments on Arabic news sites and forums (MSA and dialects: Darija, Levantine, Gulf,
Egyptian, Tunisian, Arabizi) and the French and English of the same sites' readers, so that
moderators see the likeliest abuse first and the auto-hide threshold can move. It is a signal for
people and for report counting, not a sole judge: do not remove content on its score alone.

## Decision thresholds (calibrated on dev.csv for macro-F1)
{thresholds}

Calibrated on {meta.get("calibrated_on", "dev.csv")}: the scores `models/inference.py` serves.

## Dev results (macro-F1, thresholds above)
Beside the reference: a char 2–5-gram TF-IDF logistic regression fitted on the same train.csv, its
thresholds calibrated on dev too, per language as this model's, but not held to its caps on false
spam and insults flagged hate
(`raqib evaluate` prints the same table); bold where this model is ahead.

{metrics_table(meta["dev_macro_f1"], meta.get("dev_macro_f1_baseline"))}

{_site_view(meta)}{_languages(meta)}## Training
{_pretraining(meta)} Fine-tuning: {fine["epochs"]} epochs, learning rate
{fine["learning_rate"]}, masked binary cross-entropy (unannotated cells do not count). Hardware:
{meta["training"]["device"]}. Seconds per stage: {meta["stage_seconds"]}.{_history(meta)}

## Data and licences
| data set | licence | citation |
|---|---|---|
{data_rows}

Read from the shared data's `provenance/` at export. Most sets are research releases without an
explicit licence: cite them, and check the terms before commercial use. The unlabelled corpus is
listed in the shared data's `unlabeled/SOURCES.txt`.

## Limits
Trained on short social-media text; long articles are truncated to {meta["max_length"]} tokens.
Labels of `vulgar` and `violence` come from two sources only and are rare: expect weak recall.
Sarcasm, quoted abuse and reclaimed words are often misread. Scores are not calibrated probabilities
across sources, whose positive rates differ widely.
"""
    (artifact / "README.md").write_text(card, encoding="utf-8")
