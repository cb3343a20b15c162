"""Moderators' decisions exported as training data (``raqib decisions export``), on real Redis."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

from raqib.service.decisions import COLUMNS, export, labels
from raqib.service.store import Store

from .conftest import Api, process_env

SALMA, KARIM = {"X-Raqib-Actor": "salma"}, {"X-Raqib-Actor": "karim"}


def submit(api: Api, item_id: str, text: str) -> None:
    body = {"item_id": item_id, "item_type": "comment", "author_id": "u-1", "text": text}
    assert api.post("/v1/submissions", json=body).ok


def decide(api: Api, item_id: str, action: str, code: str, headers: dict[str, str] = SALMA, **extra: Any) -> None:
    body = {"action": action, "reason_code": code, **extra}
    response = api.post(f"/v1/review/items/{item_id}/decision", role="moderator", json=body, headers=headers)
    assert response.status_code == 200, response.text


def test_the_label_table() -> None:
    assert labels("remove", "hate_speech") == {"offensive": 1, "hate": 1}
    assert labels("uphold", "vulgarity") == {"offensive": 1, "vulgar": 1}
    assert labels("remove", "spam") == {"spam": 1}
    assert labels("remove", "other_violation") == {}
    assert labels("restore", "no_violation") == dict.fromkeys(("offensive", "hate", "vulgar", "violence", "spam"), 0)
    assert labels("dismiss", "report_abuse")["offensive"] == 0


def test_export_takes_each_comments_final_decision(
    api: Api, store: Store, settings: dict[str, Any], tmp_path: Path
) -> None:
    for item_id, text in [("d-1", "كراهية"), ("d-2", "نص عادي"), ("d-3", "سب وشتم"), ("d-4", "غامض"), ("d-5", "x")]:
        submit(api, item_id, text)
    decide(api, "d-1", "remove", "hate_speech")
    decide(api, "d-2", "remove", "harassment")
    decide(api, "d-2", "restore", "no_violation", override=True)  # the later decision wins
    decide(api, "d-3", "remove", "harassment")
    api.post("/v1/appeals", json={"item_id": "d-3", "author_id": "u-1", "statement": "ظلم"})
    decide(api, "d-3", "reverse", "no_violation", headers=KARIM)  # a reversed appeal is the final label
    decide(api, "d-4", "remove", "other_violation")  # says too little: left out
    out = io.StringIO()
    assert export(store, out) == 3
    rows = {r["item_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert set(rows) == {"d-1", "d-2", "d-3"}
    assert (rows["d-1"]["offensive"], rows["d-1"]["hate"], rows["d-1"]["vulgar"]) == ("1", "1", "")
    assert rows["d-2"]["offensive"] == rows["d-2"]["spam"] == "0" and rows["d-2"]["decision"] == "restore"
    assert rows["d-3"]["decision"] == "reverse" and rows["d-3"]["offensive"] == "0"
    assert rows["d-1"]["text"] == "كراهية" and rows["d-1"]["source"] == "site" and rows["d-1"]["decided_at"]
    assert list(csv.DictReader(io.StringIO(out.getvalue())).fieldnames or []) == list(COLUMNS)

    env = process_env(
        REDIS_URL=settings["redis_url"],
        RAQIB_PARTITIONS="4",
        RAQIB_REDIS_CLUSTER=str(settings["redis_cluster"]).lower(),
    )
    target = tmp_path / "decisions.csv"
    done = subprocess.run(
        [sys.executable, "-m", "raqib.service.cli", "decisions", "export", "--out", str(target)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "3 rows written" in done.stderr
    with open(target, encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == list(csv.DictReader(io.StringIO(out.getvalue())))
