"""Classifier versions in the service: registered, listed, activated in every process without a
restart (web and worker), rolled back; each scored item names the version that scored it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from raqib.service.store import Store
from raqib.service.versions import checksum

from .conftest import Api, process_env

ApiFactory = Callable[[dict[str, Any]], Api]


@pytest.fixture(scope="module")
def second_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from raqib.models.training.tiny import build_tiny_artifact

    return build_tiny_artifact(tmp_path_factory.mktemp("tiny-model-2"), seed=7)


def scores(api: Api) -> dict[str, float]:
    result: dict[str, float] = api.post("/v1/classify", json={"text": "يا حمار"}).json()["scores"]
    return result


def queue_for_scoring(store: Store, item_id: str) -> None:
    """A reported comment with a text, queued for the worker's classifier."""
    store.report(
        item_id=item_id,
        item_type="comment",
        reporter_id="r",
        reason="hate",
        report={},
        threshold=3,
        rule="default_comment_threshold",
        new_item_fields={"text": "نص"},
    )
    store.scoring.enqueue(item_id)


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)


def test_register_activate_and_roll_back(
    settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path, second_model: Path, store: Store
) -> None:
    settings.update(model_dir=str(tiny_model), model_check_s=0, classify_rate_limit="off")
    api = api_factory(settings)
    before = scores(api)
    assert api.get("/readyz", role=None).json()["checks"]["model_version"] == "default"
    for name, directory in (("v1", tiny_model), ("v2", second_model)):
        added = api.post("/v1/models", role="admin", json={"name": name, "path": str(directory)})
        assert added.status_code == 201, added.text
        assert added.json()["checksum"] == checksum(directory)
    listed = api.get("/v1/models", role="admin").json()
    assert [m["version"] for m in listed["models"]] == ["v1", "v2"] and listed["active"] is None

    assert api.post("/v1/models/v2/activate", role="admin").json() == {"active": "v2", "previous": None}
    wait_for(lambda: scores(api) != before)  # this process switched, no restart
    assert api.get("/readyz", role=None).json()["checks"]["model_version"] == "v2"
    answer = api.post("/v1/classify", json={"text": "نص"})
    assert answer.headers["X-Raqib-Model-Version"] == "v2"  # the answer names the version that scored
    body = {"item_id": "mv-1", "item_type": "comment", "author_id": "a", "text": "يا حمار"}
    api.post("/v1/submissions", json=body)
    record = store.get_item("mv-1")
    assert record is not None and record.fields["model_version"] == "v2"  # the item names its model

    assert api.post("/v1/models/v1/activate", role="admin").json() == {"active": "v1", "previous": "v2"}
    wait_for(lambda: scores(api) == before)  # v1 is the same directory as the start: rolled back


def test_bad_registrations_change_nothing(
    settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path, tmp_path: Path
) -> None:
    api = api_factory(settings)
    empty = tmp_path / "empty"
    empty.mkdir()
    for body in ({"name": "x", "path": str(empty)}, {"name": "x", "path": "relative/dir"}):
        refused = api.post("/v1/models", role="admin", json=body)
        assert refused.status_code == 422 and refused.json()["error"] == "invalid_model"
    mismatch = api.post(
        "/v1/models", role="admin", json={"name": "x", "path": str(tiny_model), "checksum": "sha256:00"}
    )
    assert mismatch.status_code == 422 and "checksum" in mismatch.json()["message"]
    assert api.get("/v1/models", role="admin").json()["models"] == []
    assert api.post("/v1/models/nope/activate", role="admin").status_code == 404
    assert api.post("/v1/models", role="admin", json={"name": "v1", "path": str(tiny_model)}).status_code == 201
    assert api.post("/v1/models", role="admin", json={"name": "v1", "path": str(tiny_model)}).status_code == 409
    assert api.get("/v1/models", role="moderator").status_code == 403


def test_the_worker_switches_too(settings: dict[str, Any], tiny_model: Path, second_model: Path, store: Store) -> None:
    from raqib.models import load_classifier
    from raqib.service.config import Config
    from raqib.service.scorer import TextScorer
    from raqib.service.versions import ModelHolder

    config = Config.from_mapping({**settings, "model_dir": str(tiny_model), "model_check_s": 0})
    holder = ModelHolder(store, load_classifier(tiny_model), 0, 1)
    scorer = TextScorer(store, holder, config, "test")
    store.models.add("v2", {"path": str(second_model)})
    store.models.activate("v2")
    holder.current()
    wait_for(lambda: holder.current() is not None and holder.version == "v2")
    queue_for_scoring(store, "w-1")
    assert scorer.run_once(block_ms=None) == 1
    record = store.get_item("w-1")
    assert record is not None and record.fields["model_version"] == "v2"


def test_an_idle_process_follows_an_activation(
    settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path, second_model: Path, store: Store
) -> None:
    """The holder's watcher loads the new version with no request in between, so the very first
    comment scored after the activation names it, and the review view shows which version scored."""
    from raqib.models import load_classifier
    from raqib.service.config import Config
    from raqib.service.scorer import TextScorer
    from raqib.service.versions import ModelHolder

    config = Config.from_mapping({**settings, "model_dir": str(tiny_model), "model_check_s": 0.2})
    holder = ModelHolder(store, load_classifier(tiny_model), 0.2, 1)
    holder.watch()
    scorer = TextScorer(store, holder, config, "test")
    store.models.add("cand1", {"path": str(second_model)})
    store.models.activate("cand1")
    wait_for(lambda: holder.served[1] == "cand1")  # read without current(): nothing used the holder
    queue_for_scoring(store, "idle-1")
    assert scorer.run_once(block_ms=None) == 1
    record = store.get_item("idle-1")
    assert record is not None and record.fields["model_version"] == "cand1"
    api = api_factory(settings)
    assert api.get("/v1/review/items/idle-1", role="moderator").json()["model_version"] == "cand1"


def test_raqib_models_add(settings: dict[str, Any], tiny_model: Path, store: Store) -> None:
    env = process_env(
        REDIS_URL=settings["redis_url"],
        RAQIB_PARTITIONS="4",
        RAQIB_REDIS_CLUSTER=str(settings["redis_cluster"]).lower(),
    )
    done = subprocess.run(
        [sys.executable, "-m", "raqib.service.cli", "models", "add", str(tiny_model), "--name", "cli-1"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert store.models.get("cli-1") is not None and '"version": "cli-1"' in done.stdout


def test_shadow_scoring_and_its_report(
    settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path, second_model: Path, store: Store
) -> None:
    from raqib.models import load_classifier
    from raqib.service.config import Config
    from raqib.service.scorer import TextScorer
    from raqib.service.versions import ModelHolder

    settings.update(model_dir=str(tiny_model), model_check_s=0)
    api = api_factory(settings)
    assert api.post("/v1/models", role="admin", json={"name": "cand", "path": str(second_model)}).status_code == 201
    assert api.post("/v1/models/nope/shadow", role="admin").status_code == 404
    assert api.post("/v1/models/cand/shadow", role="admin").json() == {"shadow": "cand"}
    for n in range(3):
        api.post(
            "/v1/reports", json={"item_id": f"sh-{n}", "item_type": "comment", "reporter_id": "r", "text": f"نص {n}"}
        )
    api.post("/v1/submissions", json={"item_id": "sh-s", "item_type": "comment", "author_id": "a", "text": "يا حمار"})
    config = Config.from_mapping(settings)
    scorer = TextScorer(store, ModelHolder(store, load_classifier(tiny_model), 0, 1), config, "test")
    while scorer.run_once(block_ms=None):
        pass
    record = store.get_item("sh-s")
    assert record is not None and record.fields["shadow_version"] == "cand"
    for item_id, action, code in (("sh-0", "remove", "harassment"), ("sh-1", "dismiss", "no_violation")):
        body = {"action": action, "reason_code": code}
        assert api.post(f"/v1/review/items/{item_id}/decision", role="moderator", json=body).ok
    report = api.get("/v1/models/cand/shadow", role="admin").json()
    assert (report["items"], report["decided"], report["shadow"], report["against"]) == (4, 2, True, "default")
    offensive = report["categories"]["offensive"]
    assert 0 <= offensive["agreement"] <= 1 and offensive["labelled"] == 2
    assert set(offensive["active"]) == set(offensive["shadow"]) == {"precision", "recall"}
    assert api.request("DELETE", "/v1/models/cand/shadow", role="admin").json() == {"shadow": None}
    assert api.get("/v1/models/cand/shadow", role="admin").json()["shadow"] is False


def test_the_shadow_comparison_flags_each_comment_at_its_language_threshold() -> None:
    from raqib.models.thresholds import Thresholds
    from raqib.service.versions import compare

    active = Thresholds({"hate": 0.5})
    shadow = Thresholds({"hate": 0.5}, {"fr": {"hate": 0.3}})
    rows = [
        {"scores": {"hate": 0.4}, "shadow_scores": {"hate": 0.4}, "language": "fr", "labels": {"hate": 1}},
        {"scores": {"hate": 0.4}, "shadow_scores": {"hate": 0.4}, "language": "ar", "labels": {"hate": 0}},
    ]
    hate = compare(rows, active, shadow)["categories"]["hate"]
    assert hate["agreement"] == 0.5
    assert hate["shadow"] == {"precision": 1.0, "recall": 1.0} and hate["active"]["recall"] == 0.0
