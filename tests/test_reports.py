from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from raqib.service.store import Store

from .conftest import KEYS, Api, report
from .imagegen import encode

THANKS_AR = "شكرا على الإبلاغ! سيتم حجب هذه الصورة تلقائيا عندما يتم الإبلاغ عنها من طرف عدة أشخاص"
PNG = encode(Image.new("RGB", (4, 3), "white"))


def event_types(store: Store, item_id: str) -> list[str]:
    return [e.type for e in store.events() if e.item_id == item_id]


def test_third_distinct_reporter_hides_the_item(api: Api, store: Store) -> None:
    first = report(api, "c-1", "u1", reason="hate", text="تعليق")
    assert first.status_code == 202
    assert first.json() == {
        "item_id": "c-1",
        "status": "visible",
        "reports": 1,
        "threshold": 3,
        "weight": 1.0,
        "min_reporters": 2,
        "duplicate": False,
        "message": "شكرا على الإبلاغ! سيتم حجب هذا التعليق تلقائيا عندما يتم الإبلاغ عنه من طرف عدة أشخاص",
    }
    assert report(api, "c-1", "u2").json()["status"] == "visible"
    third = report(api, "c-1", "u3").json()
    assert (third["status"], third["reports"]) == ("hidden", 3)
    assert report(api, "c-1", "u4").json()["status"] == "hidden"
    assert event_types(store, "c-1") == ["item.reported"] * 3 + ["item.hidden", "item.reported"]


def test_same_reporter_counts_once(api: Api, store: Store) -> None:
    report(api, "c-2", "u1")
    again = report(api, "c-2", "u1", reason="spam").json()
    assert again["duplicate"] is True
    assert again["reports"] == 1
    assert event_types(store, "c-2") == ["item.reported"]


def test_image_thanks_is_the_sites_sentence(api: Api) -> None:
    body = report(api, "img-1", "u1", item_type="image").json()
    assert body["message"] == THANKS_AR


@pytest.mark.parametrize(
    ("header", "start"),
    [("fr-FR,fr;q=0.9", "Merci pour votre signalement"), ("en", "Thanks for reporting"), ("de", "شكرا")],
)
def test_message_follows_accept_language(api: Api, header: str, start: str) -> None:
    body = {"item_id": "c-3", "item_type": "comment", "reporter_id": "u1"}
    response = api.post("/v1/reports", json=body, headers={"Accept-Language": header})
    assert response.json()["message"].startswith(start)


def test_threshold_per_item_type(settings: dict[str, Any], api_factory: Callable[[dict[str, Any]], Api]) -> None:
    settings.update(threshold_image=2, threshold_comment=4)
    api = api_factory(settings)
    assert [report(api, "i", f"u{n}", item_type="image").json()["status"] for n in range(2)] == ["visible", "hidden"]
    assert [report(api, "c", f"u{n}").json()["status"] for n in range(4)] == ["visible"] * 3 + ["hidden"]


def test_multipart_image_report(api: Api) -> None:
    fields = {
        "item_id": "img-2",
        "item_type": "image",
        "reporter_id": "u1",
        "context": json.dumps({"section": "sport"}),
    }
    response = api.post("/v1/reports", data=fields, files={"image": ("x.png", io.BytesIO(PNG), "image/png")})
    assert response.status_code == 202, response.text
    item = api.get("/v1/items/img-2").json()
    assert item["image"]["format"] == "png"
    assert item["image"]["bytes"] == len(PNG)


def test_reporter_rate_limit(settings: dict[str, Any], api_factory: Callable[[dict[str, Any]], Api]) -> None:
    settings["reporter_rate_limit"] = "3/60"
    api = api_factory(settings)
    codes = [report(api, f"c{n}", "busy-reader").status_code for n in range(3)]
    limited = report(api, "c9", "busy-reader")
    assert codes == [202, 202, 202]
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert report(api, "c9", "another-reader").status_code == 202


def test_type_mismatch_is_409_and_changes_nothing(api: Api, store: Store) -> None:
    report(api, "c-5", "u1")
    response = report(api, "c-5", "u2", item_type="image")
    assert response.status_code == 409
    assert api.get("/v1/items/c-5").json()["reports"] == 1


def _raw(data: bytes, content_type: str = "application/json") -> dict[str, Any]:
    return {"data": data, "headers": {"Content-Type": content_type}}


VALID = {"item_id": "c-bad", "item_type": "comment", "reporter_id": "u1"}
BAD_INPUT = [
    ("invalid json", _raw(b'{"item_id": '), 400, "invalid_json"),
    (
        "invalid utf-8",
        _raw(b'{"item_id": "\xff\xfe", "item_type": "comment", "reporter_id": "u"}'),
        400,
        "invalid_json",
    ),
    ("deep nesting", _raw(b"[" * 20000 + b"]" * 20000), 400, "invalid_json"),
    ("not an object", {"json": [VALID]}, 422, "validation_failed"),
    ("missing field", {"json": {"item_id": "c-bad", "item_type": "comment"}}, 422, "validation_failed"),
    ("wrong type", {"json": {**VALID, "item_id": 42}}, 422, "validation_failed"),
    ("unknown enum", {"json": {**VALID, "item_type": "video"}}, 422, "validation_failed"),
    ("unknown reason", {"json": {**VALID, "reason": "ugly"}}, 422, "validation_failed"),
    ("bad id characters", {"json": {**VALID, "item_id": "a{b}"}}, 422, "validation_failed"),
    ("id too long", {"json": {**VALID, "item_id": "a" * 129}}, 422, "validation_failed"),
    ("note too long", {"json": {**VALID, "note": "n" * 501}}, 422, "validation_failed"),
    ("text too long", {"json": {**VALID, "text": "ن" * 5001}}, 422, "validation_failed"),
    ("unknown field", {"json": {**VALID, "colour": "red"}}, 422, "validation_failed"),
    ("bad context", {"json": {**VALID, "context": {"url": 3}}}, 422, "validation_failed"),
    ("json body too large", _raw(json.dumps({**VALID, "note": "x" * 70_000}).encode()), 413, "payload_too_large"),
    ("wrong content type", _raw(b"item_id=1", "text/plain"), 415, "unsupported_media_type"),
    (
        "multipart bad context",
        {"files": {k: (None, v) for k, v in {**VALID, "context": "{oops"}.items()}},
        422,
        "validation_failed",
    ),
    ("url-encoded form", {"data": VALID}, 415, "unsupported_media_type"),
    (
        "image not an image",
        {"data": {**VALID, "item_type": "image"}, "files": {"image": ("x.png", b"hello", "image/png")}},
        415,
        "unsupported_media_type",
    ),
    (
        "empty image",
        {"data": {**VALID, "item_type": "image"}, "files": {"image": ("x.png", b"", "image/png")}},
        422,
        "invalid_image",
    ),
]


@pytest.mark.parametrize(("case", "kwargs", "status", "code"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_a_json_4xx_and_writes_nothing(
    api: Api, store: Store, case: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    response = api.post("/v1/reports", **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert body["message"]
    assert [k for k in store.client.keys("*") if ":rate" not in k] == []


def test_image_over_the_size_cap(settings: dict[str, Any], api_factory: Callable[[dict[str, Any]], Api]) -> None:
    settings.update(max_image_bytes=1000)
    api = api_factory(settings)
    files = {"image": ("x.png", PNG + b"\x00" * 1000, "image/png")}
    response = api.post("/v1/reports", data={**VALID, "item_type": "image"}, files=files)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_unknown_route_and_method_are_json(api: Api) -> None:
    missing = api.get("/v1/nothing")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    wrong = api.request("DELETE", "/v1/reports")
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method_not_allowed"


def test_fifty_concurrent_reporters_hide_exactly_once(api: Api, store: Store) -> None:
    url = api.base_url + "/v1/reports"
    headers = {"Authorization": f"Bearer {KEYS['client']}"}

    def send(n: int) -> dict[str, Any]:
        body = {"item_id": "hot", "item_type": "comment", "reporter_id": f"reader-{n}"}
        response = requests.post(url, json=body, headers=headers, timeout=30)
        assert response.status_code == 202
        return response.json()

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(send, range(50)))
    counts = Counter(event_types(store, "hot"))
    assert counts == {"item.reported": 50, "item.hidden": 1}
    assert sorted(a["reports"] for a in answers) == list(range(1, 51))
    item = api.get("/v1/items/hot").json()
    assert (item["status"], item["reports"], len(item["history"])) == ("hidden", 50, 1)


def test_text_sent_after_the_first_report_is_stored_and_scored_then(
    settings: dict[str, Any], api_factory: Callable[[dict[str, Any]], Api], tiny_model: Path, store: Store
) -> None:
    settings.update(model_dir=str(tiny_model), confident_offensive_score=0.01, confident_clean_score=0.0)
    api = api_factory(settings)
    report(api, "late-1", "r1")  # no text: default threshold, no scores
    first = api.get("/v1/items/late-1").json()
    assert first["scores"] is None and first["threshold"] == 3
    report(api, "late-1", "r2", text="يا حمار يا غبي")
    from .test_classify import score

    assert score(store, settings) == 1  # scored by the worker once the text came
    item = api.get("/v1/items/late-1").json()
    assert item["scores"] is not None
    assert item["threshold"] == 2 and item["threshold_rule"] == "model_confident_offensive"
    assert item["status"] == "hidden"  # the score's rule applied when the scores landed
    text = api.get("/v1/review/items/late-1", role="moderator").json()["text"]
    assert text == "يا حمار يا غبي"
    report(api, "late-1", "r3", text="another text")
    assert api.get("/v1/review/items/late-1", role="moderator").json()["text"] == "يا حمار يا غبي"
