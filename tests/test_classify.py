from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from raqib.models.training.data import CATEGORIES
from raqib.service.store import Store

from .conftest import Api, LiveServer, report

ApiFactory = Callable[[dict[str, Any]], Api]


def score(store: Store, settings: dict[str, Any]) -> int:
    """Run the worker's text scoring until no comment waits; how many it scored."""
    from raqib.service import classifier
    from raqib.service.config import Config
    from raqib.service.scorer import TextScorer
    from raqib.service.versions import ModelHolder

    config = Config.from_mapping(settings)
    model = classifier.load(config)
    assert model is not None
    view = Store(store.client, partitions=store.partitions, cluster=store.cluster)
    scorer = TextScorer(view, ModelHolder(view, model, config.model_check_s, 1), config, "test")
    done = 0
    while taken := scorer.run_once(block_ms=None):
        done += taken
    return done


@pytest.fixture
def model_api(settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path) -> Api:
    settings["model_dir"] = str(tiny_model)
    return api_factory(settings)


def test_one_text(model_api: Api) -> None:
    answer = model_api.post("/v1/classify", json={"text": "يا حمار"})
    assert answer.headers["X-Raqib-Model-Version"] == "default"
    body = answer.json()
    assert list(body["scores"]) == list(CATEGORIES)
    assert isinstance(body["flagged"], list)


def test_many_texts_keep_their_order(model_api: Api) -> None:
    texts = ["يا حمار", "صباح الخير", "3lach"]
    many = model_api.post("/v1/classify", json={"texts": texts}).json()["results"]
    single = [model_api.post("/v1/classify", json={"text": t}).json() for t in texts]
    assert many == single


@pytest.mark.parametrize(
    "body",
    [{}, {"text": "a", "texts": ["b"]}, {"texts": []}, {"texts": ["x"] * 65}, {"text": "x" * 5001}, {"text": 5}],
    ids=["neither", "both", "empty-list", "too-many", "too-long", "not-text"],
)
def test_bad_requests_are_422(model_api: Api, body: dict[str, Any]) -> None:
    response = model_api.post("/v1/classify", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_failed"


def test_without_a_model_it_is_503(api: Api) -> None:
    response = api.post("/v1/classify", json={"text": "نص"})
    assert (response.status_code, response.json()["error"]) == (503, "model_unavailable")


def test_moderator_may_classify(model_api: Api) -> None:
    assert model_api.post("/v1/classify", role="moderator", json={"text": "نص"}).status_code == 200


def test_readyz_names_the_model(model_api: Api, tiny_model: Path) -> None:
    assert model_api.get("/readyz", role=None).json()["checks"]["model"] == str(tiny_model)


def test_first_report_of_a_comment_is_scored_by_the_worker(
    model_api: Api, store: Store, settings: dict[str, Any]
) -> None:
    report(model_api, "m-1", "u1", text="يا حمار")
    assert model_api.get("/v1/items/m-1").json()["scores"] is None  # accepted without waiting for the model
    assert score(store, settings) == 1
    assert score(store, settings) == 0
    scores = model_api.get("/v1/items/m-1").json()["scores"]
    assert list(scores) == list(CATEGORIES)
    expected = model_api.post("/v1/classify", json={"text": "يا حمار"}).json()["scores"]
    assert scores == expected


def test_confident_score_lowers_the_threshold_and_the_rule_is_recorded(
    settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path, store: Store
) -> None:
    # The tiny random model scores about 0.5 everywhere; moving the cut-offs below that makes
    # every comment "confidently offensive" without touching the model.
    settings.update(model_dir=str(tiny_model), confident_offensive_score=0.3, confident_offensive_threshold=2)
    api = api_factory(settings)
    assert report(api, "m-2", "u1", text="نص").json()["threshold"] == 3  # the default, until scored
    assert report(api, "m-2", "u2").json()["status"] == "visible"
    score(store, settings)  # the score lowers the threshold to 2: the two reports now suffice
    assert api.get("/v1/items/m-2").json()["status"] == "hidden"
    [entry] = [e for e in api.get("/v1/items/m-2").json()["history"] if e["type"] == "item.hidden"]
    assert entry["rule"] == "model_confident_offensive"


def test_confident_clean_raises_the_threshold(
    settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path, store: Store
) -> None:
    settings.update(model_dir=str(tiny_model), confident_clean_score=0.9, confident_clean_threshold=5)
    api = api_factory(settings)
    report(api, "m-3", "u1", text="نص")
    score(store, settings)
    assert api.get("/v1/items/m-3").json()["threshold"] == 5
    assert api.get("/v1/items/m-3").json()["threshold_rule"] == "model_confident_clean"


def test_images_and_textless_comments_keep_the_default(model_api: Api) -> None:
    assert report(model_api, "m-4", "u1", item_type="image").json()["threshold"] == 3
    assert report(model_api, "m-5", "u1").json()["threshold"] == 3


def test_flagged_comment_emits_item_flagged(model_api: Api, store: Store, settings: dict[str, Any]) -> None:
    # The tiny model scores about 0.5 and its thresholds are 0.5: some categories are flagged.
    report(model_api, "m-6", "u1", text="نص")
    score(store, settings)
    types = [e.type for e in store.events() if e.item_id == "m-6"]
    flagged = model_api.post("/v1/classify", json={"text": "نص"}).json()["flagged"]
    assert types == (["item.reported", "item.flagged"] if flagged else ["item.reported"])
    if flagged:
        [entry] = model_api.get("/v1/items/m-6").json()["history"]
        assert (entry["type"], entry["flagged"]) == ("item.flagged", flagged)


def test_heavy_classify_calls_are_bounded_and_reports_go_on(settings: dict[str, Any], api_factory: ApiFactory) -> None:
    """A bounded queue per process: heavy calls beyond it are refused at once (503 model_busy,
    Retry-After), the admitted ones are scored, and reports sent meanwhile are accepted."""
    from concurrent.futures import ThreadPoolExecutor

    settings.update(model_dir="", model_queue=2, classify_rate_limit="off")  # the bundled model
    api = api_factory(settings)
    heavy = {"texts": ["يا حمار يا كلب، هذا تعليق طويل جدا " * 8] * 30}  # within the 64 KB JSON cap
    with ThreadPoolExecutor(12) as pool:
        floods = [pool.submit(api.post, "/v1/classify", json=heavy) for _ in range(8)]
        reports = [pool.submit(report, api, f"fair-{n}", f"r{n}", text="نص") for n in range(6)]
        answers = [f.result() for f in floods]
        accepted = [f.result().status_code for f in reports]
    assert accepted == [202] * 6
    codes = sorted(a.status_code for a in answers)
    assert 200 in codes and 503 in codes
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.json()["error"] == "model_busy" and busy.headers["Retry-After"] == "1"


def test_a_burst_waits_for_the_model_and_is_scored_in_batches(
    settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path
) -> None:
    """Ten comments at once (a viral article, each a call): every one is scored, none refused, and
    the model thread scored them in fewer batches than calls; past its deadline a call is refused."""
    from concurrent.futures import ThreadPoolExecutor

    from raqib.service import classifier
    from raqib.service.app import create_app

    settings.update(model_dir=str(tiny_model), model_queue=16, classify_rate_limit="off")
    app = create_app(settings)
    server = LiveServer(app)
    api = Api(server.url)
    try:
        queue = app.extensions[classifier.QUEUE]
        fast = queue.predict

        def slow(model: Any, texts: list[str]) -> Any:  # a model that takes time
            time.sleep(0.05)
            return fast(model, texts)

        queue.predict = slow
        before = queue.batches
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda n: api.post("/v1/classify", json={"text": f"تعليق رقم {n}"}), range(10)))
        assert [a.status_code for a in answers] == [200] * 10
        assert all(set(a.json()["scores"]) == set(answers[0].json()["scores"]) for a in answers)
        assert queue.batches - before < 10
        late = api.post("/v1/classify", json={"text": "نص"}, headers={"X-Server-Timeout": "0"})
        assert late.status_code == 503 and late.json()["error"] == "model_busy"
    finally:
        api.session.close()
        server.stop()


def test_classify_has_a_per_key_rate_limit(settings: dict[str, Any], api_factory: ApiFactory, tiny_model: Path) -> None:
    settings.update(model_dir=str(tiny_model), classify_rate_limit="2/60")
    api = api_factory(settings)
    codes = [api.post("/v1/classify", json={"text": "نص"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.skipif(sys.platform != "linux", reason="a thread has its own nice value on Linux only")
def test_heavy_model_work_runs_below_the_requests_cpu_priority(settings: dict[str, Any], tiny_model: Path) -> None:
    from raqib.service import classifier
    from raqib.service.app import create_app

    settings.update(model_dir=str(tiny_model), model_nice=3)
    app = create_app(settings)

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    queue = app.extensions[classifier.QUEUE]
    seen: list[int] = []

    def noting(model: Any, texts: list[str]) -> list[dict[str, Any]]:
        seen.append(nice())
        return [{} for _ in texts]

    queue.predict = noting
    queue.score(object(), ["نص"])
    assert seen == [min(19, nice() + 3)]


def test_the_worker_lowers_its_own_priority() -> None:
    code = (
        "import os; from raqib.service.classifier import lower_cpu_priority as lower; "
        "before = os.nice(0); lower(4); print(before, os.nice(0))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = map(int, done.stdout.split())
    assert after == min(19, before + 4)
