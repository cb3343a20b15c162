"""The model package on a tiny artifact built in a temporary directory: loading, shapes,
determinism, order, a foreign directory without raqib.json, and the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from raqib.models.batching import encode_texts, length_batches
from raqib.models.inference import META_FILE, load_classifier
from raqib.models.normalize import URL_TOKEN, USER_TOKEN
from raqib.models.training.data import CATEGORIES

TEXTS = ["يا حمار", "صباح الخير يا جماعة " * 20, "", "3lach", "😂", "شكرا"]


def test_predict_shape_and_flags(tiny_model: Path) -> None:
    results = load_classifier(tiny_model).predict(TEXTS)
    assert len(results) == len(TEXTS)
    for result in results:
        assert list(result["scores"]) == list(CATEGORIES)
        assert all(0.0 <= p <= 1.0 for p in result["scores"].values())
        assert set(result["flagged"]) <= set(CATEGORIES)


def test_scores_are_deterministic_and_in_input_order(tiny_model: Path) -> None:
    classifier = load_classifier(tiny_model)
    together = classifier.predict_scores(TEXTS)
    alone = np.vstack([classifier.predict_scores([t]) for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_array_equal(together, classifier.predict_scores(TEXTS))


def test_empty_input(tiny_model: Path) -> None:
    assert load_classifier(tiny_model).predict([]) == []


def test_placeholders_are_single_tokens(tiny_model: Path) -> None:
    classifier = load_classifier(tiny_model)
    tokens = classifier.pieces.backend.encode(f"{USER_TOKEN} {URL_TOKEN}", add_special_tokens=False).tokens
    assert tokens == [USER_TOKEN, URL_TOKEN]


def test_directory_without_raqib_json_uses_raw_text_and_half_thresholds(tiny_model: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    shutil.copytree(tiny_model, foreign)
    (foreign / META_FILE).unlink()
    classifier = load_classifier(foreign)
    assert classifier.normalizer is None
    assert set(classifier.thresholds.values()) == {0.5}
    assert len(classifier.predict(["نص"])) == 1


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"config\.json"):
        load_classifier(tmp_path)


def test_length_batches_cover_every_text_once(tiny_model: Path) -> None:
    classifier = load_classifier(tiny_model)
    encoded = encode_texts(TEXTS * 10, classifier.pieces, 128)
    batches = length_batches(encoded, max_tokens=64, rng=np.random.default_rng(0))
    seen = np.sort(np.concatenate([b.indices for b in batches]))
    np.testing.assert_array_equal(seen, np.arange(len(encoded)))
    assert all(len(b.sequences) * max(len(s) for s in b.sequences) <= 64 or len(b.sequences) == 1 for b in batches)


def test_classify_cli_keeps_order(tiny_model: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('id,text\n1,يا حمار\n2,"صباح, الخير"\n3,\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    command = [
        sys.executable,
        "-m",
        "raqib.service.cli",
        "classify",
        "--input",
        str(source),
        "--output",
        str(out),
        "--model",
        str(tiny_model),
    ]
    subprocess.run(command, check=True, capture_output=True)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = load_classifier(tiny_model).predict(["يا حمار", "صباح, الخير", ""])
    assert rows == expected


def test_classify_cli_reads_stdin(tiny_model: Path) -> None:
    command = [sys.executable, "-m", "raqib.service.cli", "classify", "--input", "-", "--model", str(tiny_model)]
    done = subprocess.run(command, input="نص\nنص آخر\n", text=True, check=True, capture_output=True)
    assert len(done.stdout.splitlines()) == 2


def test_evaluate_cli_reports_per_source(tiny_model: Path, tmp_path: Path) -> None:
    rows = ["text,source,offensive,hate,vulgar,violence,spam"]
    for n in range(40):
        rows.append(f"نص رقم {n},src{n % 2},{n % 2},{(n // 2) % 2},,,")
    data = tmp_path / "dev.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "figures.json"
    command = [
        sys.executable,
        "-m",
        "raqib.service.cli",
        "evaluate",
        "--data",
        str(data),
        "--model",
        str(tiny_model),
        "--no-baseline",
        "--json",
        str(out),
    ]
    printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    written = json.loads(out.read_text())
    figures = written["macro_f1"]["model"]
    assert set(figures) == {"offensive", "hate"}
    assert set(figures["offensive"]) == {"overall"}  # 20 rows per source: under the 30-row floor
    assert "offensive" in printed and "false spam" in printed
    assert set(written["site_view"]["model"]) == {"overall"}  # the sources: under the 30-row floor too


def test_evaluate_cli_says_which_gaps_to_the_baseline_are_noise(tiny_model: Path, tmp_path: Path) -> None:
    rows = ["text,source,offensive,hate,vulgar,violence,spam"]
    rows += [f"{'يا حمار' if n % 2 else 'شكرا'} رقم {n},src,{n % 2},,,," for n in range(60)]
    data = tmp_path / "dev.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "figures.json"
    command = [sys.executable, "-m", "raqib.service.cli", "evaluate", "--data", str(data), "--train", str(data)]
    printed = subprocess.run(
        [*command, "--model", str(tiny_model), "--json", str(out)], check=True, capture_output=True, text=True
    ).stdout
    assert "paired-bootstrap interval" in printed
    difference, low, high = json.loads(out.read_text())["model_minus_baseline"]["offensive"]["src"]
    assert low <= difference <= high


def test_package_contract(tiny_model: Path) -> None:
    from raqib import models

    [result] = models.load_classifier(tiny_model).predict(["نص"])
    assert set(result) == {"scores", "flagged"}


def test_language_thresholds_decide_for_their_language(tiny_model: Path, tmp_path: Path) -> None:
    own = tmp_path / "own"
    shutil.copytree(tiny_model, own)
    meta = json.loads((own / META_FILE).read_text(encoding="utf-8"))
    meta["thresholds"] = dict.fromkeys(CATEGORIES, 1.0)  # nothing is flagged ...
    meta["language_thresholds"] = {"fr": dict.fromkeys(CATEGORIES, 0.0)}  # ... but French, always
    (own / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    results = load_classifier(own).predict(["c'est nul", "يا حمار"])
    assert results[0]["flagged"] == list(CATEGORIES) and results[1]["flagged"] == []
