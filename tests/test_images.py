"""Images over real HTTP, a real Redis and the real worker code: intake checks, the bank of
removed images (PDQ), text read by Tesseract, and an image model loaded from a local directory."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from raqib.service import classifier
from raqib.service.config import Config
from raqib.service.images.analysis import ImageAnalyser, load_image_model
from raqib.service.images.jobs import ImageWorker
from raqib.service.store import Store

from .conftest import Api, skip_requested
from .imagegen import arabic_meme, encode, reuploads, scene

ApiFactory = Callable[[dict[str, Any]], Api]
MODERATOR = {"X-Raqib-Actor": "amina"}
needs_ocr = pytest.mark.skipif(skip_requested("ocr"), reason="RAQIB_TEST_SKIP names ocr")


def report_image(api: Api, item_id: str, reporter: str, data: bytes, content_type: str = "image/png") -> Any:
    fields = {"item_id": item_id, "item_type": "image", "reporter_id": reporter, "reason": "offensive"}
    return api.post("/v1/reports", data=fields, files={"image": ("upload", io.BytesIO(data), content_type)})


def image_worker(store: Store, settings: dict[str, Any], name: str = "test") -> ImageWorker:
    """The worker's image jobs, built from the app's settings as ``raqib worker`` builds them."""
    config = Config.from_mapping(settings)
    store.images.ensure_group()
    text_model = classifier.load(config)
    return ImageWorker(store, ImageAnalyser(config, lambda: text_model, load_image_model(config)), name)


def drain(worker: ImageWorker) -> ImageWorker:
    """Run image jobs until none is left."""
    while worker.run_once(block_ms=None):
        pass
    return worker


def run_worker(store: Store, settings: dict[str, Any]) -> ImageWorker:
    return drain(image_worker(store, settings))


def item(api: Api, item_id: str) -> Any:
    return api.get(f"/v1/review/items/{item_id}", role="moderator").json()


def remove(api: Api, item_id: str) -> None:
    body = {"action": "remove", "reason_code": "violence"}
    response = api.post(f"/v1/review/items/{item_id}/decision", role="moderator", json=body, headers=MODERATOR)
    assert response.status_code == 200, response.text


@pytest.fixture
def banked(api: Api, store: Store, settings: dict[str, Any]) -> Image.Image:
    """An image reported, analysed and removed by a moderator: it is in the bank."""
    original = scene(1)
    assert report_image(api, "img-orig", "r1", encode(original)).status_code == 202
    run_worker(store, settings)
    assert item(api, "img-orig")["image_analysis"]["pdq"]["quality"] >= 50
    remove(api, "img-orig")
    return original


def test_removed_image_comes_back_edited_and_is_hidden_on_first_report(
    api: Api, store: Store, settings: dict[str, Any], banked: Image.Image
) -> None:
    for name, data in reuploads(banked).items():
        assert report_image(api, f"img-{name}", "r9", data, "image/png" if name == "resized" else "image/jpeg").ok
    assert report_image(api, "img-unrelated", "r9", encode(scene(7))).ok
    run_worker(store, settings)
    for name in reuploads(banked):
        view = item(api, f"img-{name}")
        assert view["status"] == "hidden", name
        hidden = [h for h in view["history"] if h["type"] == "item.hidden"]
        assert hidden[0]["rule"] == "pdq_match"
        assert hidden[0]["match"]["entry"] == "img-orig"
        assert hidden[0]["match"]["distance"] <= 31
        assert view["image_analysis"]["bank_match"]["entry"] == "img-orig"
    assert item(api, "img-unrelated")["status"] == "visible"
    assert api.get("/v1/items/img-jpeg_q30").json()["status"] == "hidden"  # the host sees it
    assert store.review.queue_counts() == (len(reuploads(banked)) + 1, len(reuploads(banked)), 0)


def test_a_hash_taken_out_of_the_bank_no_longer_matches(
    api: Api, store: Store, settings: dict[str, Any], banked: Image.Image
) -> None:
    entries = api.get("/v1/images/bank", role="moderator").json()["entries"]
    assert [(e["entry_id"], e["added_by"]) for e in entries] == [("img-orig", "moderator:amina")]
    assert entries[0]["hashes"] > 1  # the image and its crops
    assert api.request("DELETE", "/v1/images/bank/img-orig", role="client").status_code == 403
    assert api.request("DELETE", "/v1/images/bank/img-orig", role="moderator").status_code == 204
    assert api.request("DELETE", "/v1/images/bank/img-orig", role="moderator").status_code == 404
    report_image(api, "img-back", "r2", reuploads(banked)["jpeg_q30"], "image/jpeg")
    run_worker(store, settings)
    assert item(api, "img-back")["status"] == "visible"


def test_restoring_an_image_takes_it_out_of_the_bank(api: Api, banked: Image.Image) -> None:
    body = {"action": "restore", "reason_code": "no_violation", "override": True}
    assert api.post("/v1/review/items/img-orig/decision", role="moderator", json=body, headers=MODERATOR).ok
    assert api.get("/v1/images/bank", role="moderator").json()["entries"] == []


def test_a_bank_change_left_by_a_dead_request_is_done_by_the_worker(
    api: Api, store: Store, settings: dict[str, Any], banked: Image.Image
) -> None:
    images, worker = store.images, image_worker(store, settings)
    assert store.banks.pending(0) == []  # the request that removed img-orig did its part
    assert report_image(api, "img-2", "r1", encode(scene(2))).status_code == 202
    drain(worker)
    # a decision is recorded, and the process dies before touching the bank
    removed = store.review.decide("img-2", "remove", "moderator:amina", {"action": "remove"}, False, "", "add")
    assert "img-2" not in {e.entry_id for e in images.bank_entries()}
    assert store.banks.pending(0) == ["img-2"]
    assert worker.retry_bank_changes(older_than_ms=60_000) == 0  # not yet: the request may still be at it
    assert worker.retry_bank_changes(older_than_ms=0) == 1
    [entry] = [e for e in images.bank_entries() if e.entry_id == "img-2"]
    assert entry.added_by == "moderator:amina" and entry.added_at > 0
    assert store.banks.pending(0) == [] and worker.retry_bank_changes(older_than_ms=0) == 0
    restored = store.review.decide("img-2", "restore", "moderator:amina", {}, True, "", "remove")
    assert not store.banks.apply("img-2", 50, removed.seq)  # a later decision owes the bank now
    assert store.banks.pending(0) == ["img-2"]
    assert store.banks.apply("img-2", 50, restored.seq)
    assert "img-2" not in {e.entry_id for e in images.bank_entries()}
    assert store.banks.pending(0) == []


def test_an_image_removed_before_its_analysis_is_banked_when_the_analysis_lands(
    api: Api, store: Store, settings: dict[str, Any]
) -> None:
    original = scene(3)
    assert report_image(api, "img-early", "r1", encode(original)).status_code == 202
    remove(api, "img-early")  # seconds after the report: not hashed yet
    assert store.banks.pending(0) == ["img-early"]  # owed, not dropped
    worker = image_worker(store, settings)
    started = time.monotonic()
    drain(worker)
    assert time.monotonic() - started < 10  # at once, not at the outbox's 30 s sweep
    assert [e.entry_id for e in store.images.bank_entries()] == ["img-early"]
    assert store.banks.pending(0) == []
    assert worker.retry_bank_changes(older_than_ms=0) == 0  # idempotent: nothing left to do
    report_image(api, "img-again", "r2", reuploads(original)["jpeg_q30"], "image/jpeg")
    drain(worker)
    assert item(api, "img-again")["status"] == "hidden"


def test_check_at_upload_time(api: Api, banked: Image.Image) -> None:
    def check(data: bytes) -> Any:
        return api.post("/v1/images/check", files={"image": ("u.jpg", io.BytesIO(data), "image/jpeg")})

    hit = check(reuploads(banked)["all_three"])
    assert hit.status_code == 200, hit.text
    assert hit.json()["matched"] is True
    assert hit.json()["match"]["item_id"] == "img-orig"
    miss = check(encode(scene(8), "JPEG")).json()
    assert miss["matched"] is False and miss["match"] is None and len(miss["pdq"]["hash"]) == 64
    assert check(b"GIF89a not really").status_code == 422
    assert api.post("/v1/images/check", files={"ocr": (None, "true")}).status_code == 422


def test_preview_for_moderators_only(api: Api, banked: Image.Image) -> None:
    response = api.get("/v1/review/items/img-orig/image", role="moderator")
    assert response.headers["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(response.content)).size) <= 800
    assert api.get("/v1/review/items/img-orig/image", role="client").status_code == 403
    assert api.get("/v1/review/items/nothing/image", role="moderator").status_code == 404


@needs_ocr
def test_text_in_an_image_is_read_and_scored(
    api_factory: ApiFactory, store: Store, settings: dict[str, Any], tiny_model: Path
) -> None:
    settings.update(model_dir=str(tiny_model))
    api = api_factory(settings)
    assert report_image(api, "meme-1", "r1", arabic_meme()).status_code == 202
    run_worker(store, settings)
    analysis = item(api, "meme-1")["image_analysis"]
    assert "كلب" in analysis["ocr_text"] and "اسكت" in analysis["ocr_text"]
    # The text categories of the caption, and the bundled image model's "sexual".
    scores = api.get("/v1/items/meme-1").json()["scores"]
    assert set(scores) == {"offensive", "hate", "vulgar", "violence", "spam", "sexual"}
    assert analysis["image_scores"]["sexual"] < 0.2
    checked = api.post(
        "/v1/images/check", data={"ocr": "true"}, files={"image": ("m.png", io.BytesIO(arabic_meme()), "image/png")}
    ).json()
    assert "غبي" in checked["text"] and checked["scores"] is not None


@pytest.fixture
def vit_settings(settings: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    from raqib.models.training.image import build_tiny_vit

    settings.update(image_model=str(build_tiny_vit(tmp_path / "vit")), image_model_labels="nsfw:vulgar,gore:violence")
    return settings


def test_image_model_scores_and_moves_the_threshold(
    api_factory: ApiFactory, store: Store, vit_settings: dict[str, Any]
) -> None:
    # The tiny random ViT scores every image ~0.33: call that "confident" to see the threshold move.
    vit_settings.update(confident_offensive_score=0.3, confident_offensive_threshold=2, ocr=False)
    api = api_factory(vit_settings)
    assert api.get("/readyz").json()["checks"]["image_model"] == vit_settings["image_model"]
    for reader in ("r1", "r2"):
        assert report_image(api, "img-m", reader, encode(scene(3))).json()["status"] == "visible"  # 2 of 3
    run_worker(store, vit_settings)
    view = item(api, "img-m")
    assert set(view["image_analysis"]["image_scores"]) == {"vulgar", "violence"}
    assert view["threshold"] == 2 and view["threshold_rule"] == "model_confident_offensive"
    assert view["status"] == "hidden"
    assert [h["rule"] for h in view["history"] if h["type"] == "item.hidden"] == ["model_confident_offensive"]


def test_a_bad_image_model_directory_fails_at_start(settings: dict[str, Any], tmp_path: Path) -> None:
    from raqib.service.app import create_app
    from raqib.service.config import ConfigError

    settings.update(image_model=str(tmp_path), image_model_labels="nsfw:vulgar")
    with pytest.raises(ConfigError, match="RAQIB_IMAGE_MODEL"):
        create_app(settings)
