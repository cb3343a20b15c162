"""The worker's image jobs: bad images recorded (never retried forever), fetching by URL from
allowed hosts only, jobs of a crashed worker taken over, retries without double effects."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from raqib.service.store import Store

from .conftest import Api
from .imagegen import encode, scene
from .test_images import drain, image_worker

PNG = encode(scene(5), "PNG")


def review_item(api: Api, item_id: str) -> Any:
    return api.get(f"/v1/review/items/{item_id}", role="moderator").json()


@pytest.fixture
def image_host() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving /ok.png, /huge.png and a redirect."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = {"/ok.png": PNG, "/huge.png": PNG * 40}.get(self.path)
            if self.path == "/moved.png":
                self.send_response(302)
                self.send_header("Location", "/ok.png")
                self.end_headers()
                return
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_an_undecodable_image_is_recorded_not_retried(api: Api, store: Store, settings: dict[str, Any]) -> None:
    broken = bytearray(PNG)
    broken[100:400] = bytes(300)  # the header and the end marker are intact; the pixel data is not
    fields = {"item_id": "broken", "item_type": "image", "reporter_id": "r1"}
    files = {"image": ("b.png", io.BytesIO(bytes(broken)), "image/png")}
    assert api.post("/v1/reports", data=fields, files=files).status_code == 202
    w = image_worker(store, settings)
    drain(w)
    analysis = review_item(api, "broken")["image_analysis"]
    assert "cannot be decoded" in analysis["image_error"]
    assert review_item(api, "broken")["status"] == "visible"
    assert w.run_once(block_ms=None) == 0  # acknowledged: not tried again


def test_fetch_from_an_allowed_host(api_factory: Any, store: Store, settings: dict[str, Any], image_host: str) -> None:
    settings.update(image_fetch_hosts="127.0.0.1", max_image_bytes=len(PNG) * 2, ocr=False)
    api = api_factory(settings)
    for item_id, path in (("u-ok", "/ok.png"), ("u-huge", "/huge.png"), ("u-moved", "/moved.png")):
        body = {"item_id": item_id, "item_type": "image", "reporter_id": "r1", "image_url": image_host + path}
        assert api.post("/v1/reports", json=body).status_code == 202
    drain(image_worker(store, settings))
    assert review_item(api, "u-ok")["image_analysis"]["pdq"]["quality"] == 100
    assert "larger than" in review_item(api, "u-huge")["image_analysis"]["image_error"]
    assert "answered 302" in review_item(api, "u-moved")["image_analysis"]["image_error"]  # redirects not followed


def test_private_addresses_are_refused_unless_allowed(
    api_factory: Any, store: Store, settings: dict[str, Any], image_host: str
) -> None:
    settings.update(image_fetch_hosts="127.0.0.1", webhook_allow_private=False, ocr=False)
    api = api_factory(settings)
    body = {"item_id": "u-private", "item_type": "image", "reporter_id": "r1", "image_url": image_host + "/ok.png"}
    assert api.post("/v1/reports", json=body).status_code == 202
    drain(image_worker(store, settings))
    assert "not a public address" in review_item(api, "u-private")["image_analysis"]["image_error"]


def test_a_crashed_workers_job_is_taken_over(api: Api, store: Store, settings: dict[str, Any]) -> None:
    settings.update(ocr_timeout_s=0.5, image_job_lease_s=0.6, ocr=False)
    fields = {"item_id": "orphan", "item_type": "image", "reporter_id": "r1"}
    assert api.post("/v1/reports", data=fields, files={"image": ("o.png", io.BytesIO(PNG), "image/png")}).ok
    crashed = image_worker(store, settings, "crashed")
    assert len(store.images.read_jobs(crashed.consumer, count=10, block_ms=None)) == 1  # read, never finished
    time.sleep(0.7)
    drain(image_worker(store, settings, "survivor"))
    assert review_item(api, "orphan")["image_analysis"]["analysed"] is True


def test_a_retried_job_changes_nothing_twice(api_factory: Any, store: Store, settings: dict[str, Any]) -> None:
    settings.update(ocr=False)
    api = api_factory(settings)
    fields = {"item_id": "twice", "item_type": "image", "reporter_id": "r1"}
    assert api.post("/v1/reports", data=fields, files={"image": ("t.png", io.BytesIO(PNG), "image/png")}).ok
    w = image_worker(store, settings)
    data, _ = store.images.upload("twice")
    drain(w)
    first = review_item(api, "twice")
    analysis = w.analyser.analyse(data or b"")
    assert store.images.landed("twice", analysis.item_fields(1), w.analyser.settings(analysis, None)) is not None
    assert review_item(api, "twice")["seq"] == first["seq"]
