"""Growing a trained tokenizer with Latin-script pieces: old ids kept, new rows spelled from the
old pieces, and a whole ``raqib train --extend-vocab`` run whose artifact serves Arabizi."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import torch
from raqib.models.inference import Classifier
from raqib.models.training.finetune import FinetuneConfig
from raqib.models.training.tiny import TEXTS
from raqib.models.training.train import run
from raqib.models.training.vocab import extend_tokenizer, grow_embeddings, latin_words, read_extension
from transformers import BertForSequenceClassification, PreTrainedTokenizerFast

ARABIZI = ["khouya 3lach katdir hakka", "merci bezaf khouya", "ya3tik sa7a khouya", "sir t9awed a khouya"] * 5


def embedding_rows(model: BertForSequenceClassification) -> torch.Tensor:
    embeddings = model.get_input_embeddings()
    assert isinstance(embeddings, torch.nn.Embedding)
    return embeddings.weight.detach()


def test_latin_words_are_the_normalised_latin_ones() -> None:
    assert list(latin_words(["Très BIEN يا khouya 3lach 2020"])) == ["tres", "bien", "khouya", "3lach"]


def test_extension_keeps_every_old_id_and_spells_the_new(tmp_path: Path, tiny_model: Path) -> None:
    directory = tmp_path / "tok"
    shutil.copytree(tiny_model, directory)
    before = json.loads((directory / "tokenizer.json").read_text())["model"]["vocab"]
    grown = extend_tokenizer(directory, ARABIZI, 200)
    after = grown.get_vocab()
    assert all(after[piece] == i for piece, i in before.items())
    assert "khouya" in after and after["khouya"] >= len(before)
    spelled = read_extension(directory)
    assert set(spelled) == set(range(len(before), len(after)))
    assert all(i < len(before) for ids in spelled.values() for i in ids)
    assert extend_tokenizer(directory, ["other words entirely"] * 10, 20).get_vocab() == after  # once only


def test_new_rows_start_as_the_mean_of_their_spelling(tiny_model: Path) -> None:
    model = BertForSequenceClassification.from_pretrained(str(tiny_model), local_files_only=True)
    old = embedding_rows(model).clone()
    size = old.shape[0]
    grow_embeddings(model, size + 2, {size: [5, 7], size + 1: []})
    weight = embedding_rows(model)
    assert weight.shape[0] == size + 2
    assert torch.allclose(weight[:size], old)
    assert torch.allclose(weight[size], old[[5, 7]].mean(dim=0))
    assert torch.allclose(weight[size + 1], old.mean(dim=0))


def test_a_run_with_a_grown_vocabulary_serves_arabizi(tmp_path: Path, tiny_model: Path) -> None:
    data = tmp_path / "data"
    (data / "labeled").mkdir(parents=True)
    (data / "unlabeled").mkdir()
    (data / "unlabeled" / "corpus.txt").write_text("\n".join(ARABIZI), encoding="utf-8")
    for name in ("train.csv", "dev.csv"):
        with open(data / "labeled" / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["text", "source", "offensive", "spam"])
            writer.writeheader()
            for i, text in enumerate(TEXTS + ARABIZI):
                writer.writerow({"text": text, "source": "s", "offensive": str(i % 2), "spam": "0"})
    artifact = tmp_path / "artifact"
    cfg = FinetuneConfig(epochs=1, init_from=str(tiny_model), bf16=False)
    run(data, tmp_path / "run", artifact, ("finetune", "export"), finetune_cfg=cfg, extend_vocab=200)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(artifact), local_files_only=True)
    assert "khouya" in tokenizer.tokenize("merci khouya")
    classifier = Classifier(artifact)
    assert classifier.backend == "onnx" and classifier.normalizer == 2
    assert classifier.predict_scores(["3lach nta 7mar khouya"]).shape == (1, 5)
