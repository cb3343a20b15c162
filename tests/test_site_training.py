"""Fine-tuning on a site's exported decisions: the time-based split, the weights, and a whole
``raqib train --finetune-init … --extra-data …`` run on a tiny model and data, with its comparison."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from raqib.models.inference import read_meta
from raqib.models.training.finetune import FinetuneConfig
from raqib.models.training.site import read_site, weighted
from raqib.models.training.tiny import TEXTS
from raqib.models.training.train import continued_rate, run
from raqib.service.decisions import export
from raqib.service.store import Store

from .conftest import Api

ApiFactory = Callable[[dict[str, Any]], Api]
COLUMNS = ["text", "source", "offensive", "hate", "vulgar", "violence", "spam", "decided_at"]


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def labelled(n: int, source: str) -> list[dict[str, str]]:
    return [
        {"text": TEXTS[i % len(TEXTS)] + f" {i}", "source": source, "offensive": str(i % 2), "spam": "0"}
        for i in range(n)
    ]


def test_the_latest_fifth_is_held_out_and_decisions_weigh_more(tmp_path: Path) -> None:
    rows = [{**r, "decided_at": f"2026-11-{10 + i:02d}T08:00:00Z"} for i, r in enumerate(labelled(10, "site"))]
    rows.reverse()  # order in the file does not matter: time does
    train, held = read_site(write(tmp_path / "d.csv", rows))
    assert len(train.texts) == 8 and len(held.texts) == 2
    assert {t.split()[-1] for t in held.texts} == {"8", "9"}  # the two latest decisions
    assert np.array_equal(weighted(train, 3.0).mask, train.mask * 3.0)


def test_a_site_fine_tune_writes_its_comparison(tmp_path: Path, tiny_model: Path) -> None:
    """… as an ensemble whose n-gram half has a weight per category, chosen on dev."""
    data = tmp_path / "data"
    (data / "labeled").mkdir(parents=True)
    write(data / "labeled" / "train.csv", labelled(40, "shared"))
    write(data / "labeled" / "dev.csv", labelled(20, "shared_dev"))
    site = write(
        tmp_path / "decisions.csv",
        [{**r, "decided_at": f"2026-11-{1 + i % 28:02d}T0{i % 10}:00:00Z"} for i, r in enumerate(labelled(30, "site"))],
    )
    out, artifact = tmp_path / "run", tmp_path / "candidate"
    run(
        data,
        out,
        artifact,
        ("finetune", "export"),
        finetune_cfg=FinetuneConfig(epochs=1, init_from=str(tiny_model), bf16=False),
        extra_data=site,
        extra_weight=2.0,
        ngram_weight=0.6,
        choose_ngram_weights=True,
    )
    ngram = json.loads((artifact / "raqib.json").read_text(encoding="utf-8"))["ngram"]
    assert set(ngram["weights"]) == {"offensive"}  # the only category the tiny data annotates
    assert ngram["fitted_on"] == "train.csv + 24 site decisions"  # the earlier 80 % of 30, as the encoder
    assert "chosen per category on dev" in (artifact / "README.md").read_text(encoding="utf-8")
    comparison = json.loads((out / "comparison.json").read_text())
    assert set(comparison) == {"site decisions (latest 20%)", "dev.csv"}
    assert set(comparison["dev.csv"]) == {"current", "candidate"}
    assert "offensive" in comparison["dev.csv"]["candidate"]
    assert (out / "comparison.md").read_text().startswith("# Candidate vs current")
    assert (artifact / "model.int8.onnx").exists()
    # exported again on its own, with another schedule and no data flags: the record keeps the run's
    again = tmp_path / "again"
    run(data, out, again, ("export",), finetune_cfg=FinetuneConfig(epochs=9, learning_rate=0.5))
    training = json.loads((again / "raqib.json").read_text(encoding="utf-8"))["training"]
    assert (training["finetune"]["epochs"], training["finetune"]["init_from"]) == (1, str(tiny_model))
    assert training["started_from"]["path"] == str(tiny_model)
    assert training["site_decisions"] == {"path": str(site), "weight": 2.0}


def test_the_learning_loop_end_to_end(
    tmp_path: Path,
    tiny_model: Path,
    settings: dict[str, Any],
    api_factory: Callable[[dict[str, Any]], Api],
    store: Store,
) -> None:
    """A site's readers report, its moderators decide; the decisions are exported, a candidate is
    fine-tuned on them, registered, activated (answers name it) and rolled back — all over HTTP."""
    settings.update(model_dir=str(tiny_model), model_check_s=0, classify_rate_limit="off")
    api = api_factory(settings)
    moderator = {"X-Raqib-Actor": "moderator-1"}
    for i in range(30):
        text = TEXTS[i % len(TEXTS)] + f" {i}"
        report = {
            "item_id": f"c{i}",
            "item_type": "comment",
            "reporter_id": f"r{i}",
            "reason": "offensive",
            "text": text,
        }
        assert api.post("/v1/reports", json=report).status_code == 202
        decision = (
            {"action": "remove", "reason_code": "harassment"}
            if i % 2
            else {"action": "dismiss", "reason_code": "no_violation"}
        )
        answer = api.post(f"/v1/review/items/c{i}/decision", role="moderator", json=decision, headers=moderator)
        assert answer.status_code == 200, answer.text
    decisions = tmp_path / "decisions.csv"
    with open(decisions, "w", encoding="utf-8", newline="") as handle:
        assert export(store, handle) == 30
    data = tmp_path / "data"
    (data / "labeled").mkdir(parents=True)
    write(data / "labeled" / "train.csv", labelled(20, "shared"))
    write(data / "labeled" / "dev.csv", labelled(20, "shared_dev"))
    candidate = tmp_path / "candidate"
    cfg = FinetuneConfig(epochs=1, init_from=str(tiny_model), bf16=False)
    run(data, tmp_path / "run", candidate, ("finetune", "export"), finetune_cfg=cfg, extra_data=decisions)
    assert (tmp_path / "run" / "comparison.json").exists()

    for name, path in (("current", tiny_model), ("site-1", candidate)):
        assert api.post("/v1/models", role="admin", json={"name": name, "path": str(path)}).status_code == 201
    for version in ("site-1", "current"):  # activate the candidate, then roll back
        assert api.post(f"/v1/models/{version}/activate", role="admin").status_code == 200
        deadline = time.monotonic() + 15
        while api.post("/v1/classify", json={"text": "نص"}).headers.get("X-Raqib-Model-Version") != version:
            assert time.monotonic() < deadline, f"{version} not served in time"
            time.sleep(0.05)
        assert api.get("/readyz", role=None).json()["checks"]["model_version"] == version


def test_fine_tuning_an_artifact_further_starts_at_the_rate_it_ended_at() -> None:
    assert continued_rate({"training": {"finetune": {"learning_rate": 2e-5}}}) == 2e-5
    assert continued_rate({"training": {"finetune": {"learning_rate": [8e-5, 4e-5]}}}) == 4e-5
    assert continued_rate({}) is None  # a checkpoint directory without raqib.json: the default applies
    bundled = read_meta(Path(__file__).parents[1] / "models" / "artifacts" / "raqib-small")
    assert continued_rate(bundled) == 2e-5  # v13: one epoch at 2e-5, hate read as one definition
