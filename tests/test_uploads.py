"""Image intake: every bad file is a clear 4xx JSON error and leaves nothing behind; good files of
each format are accepted; the checks need no decoding."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from PIL import Image
from raqib.service.images.media import ImageLimits, ImageRejected, inspect
from raqib.service.store import Store

from .conftest import Api
from .imagegen import encode, scene

SMALL = scene(2, (64, 48))


def png_claiming(width: int, height: int) -> bytes:
    """A small, well-formed PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024)  # far too little data for the claimed size; never decoded
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def animated_gif() -> bytes:
    frames = [scene(3, (64, 48)), scene(4, (64, 48))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


GOOD = {
    "png": (encode(SMALL, "PNG"), "image/png"),
    "jpeg": (encode(SMALL, "JPEG"), "image/jpeg"),
    "webp": (encode(SMALL, "WEBP"), "image/webp"),
    "gif (animated: first frame)": (animated_gif(), "image/gif"),
    "octet-stream type": (encode(SMALL, "PNG"), "application/octet-stream"),
}
PNG = encode(SMALL, "PNG")
JPEG = encode(SMALL, "JPEG")
BAD = {
    "not an image": (b"hello, world", "image/png", 415, "unsupported_media_type"),
    "empty file": (b"", "image/png", 422, "invalid_image"),
    "png sent as jpeg": (PNG, "image/jpeg", 422, "invalid_image"),
    "bmp type": (PNG, "image/bmp", 415, "unsupported_media_type"),
    "bmp file": (encode(SMALL, "BMP"), "image/bmp", 415, "unsupported_media_type"),
    "truncated png": (PNG[: len(PNG) // 2], "image/png", 422, "invalid_image"),
    "truncated jpeg": (JPEG[: len(JPEG) // 2], "image/jpeg", 422, "invalid_image"),
    "truncated webp": (GOOD["webp"][0][:-20], "image/webp", 422, "invalid_image"),
    "truncated gif": (GOOD["gif (animated: first frame)"][0][:-30], "image/gif", 422, "invalid_image"),
    "png header only": (PNG[:33], "image/png", 422, "invalid_image"),
    "pixel bomb 50 MP": (png_claiming(10_000, 5_000), "image/png", 413, "payload_too_large"),
    "pixel bomb 4 GP": (png_claiming(65_535, 65_535), "image/png", 413, "payload_too_large"),
    "zero width": (png_claiming(0, 10), "image/png", 422, "invalid_image"),
}


def upload(api: Api, item_id: str, data: bytes, content_type: str) -> Any:
    fields = {"item_id": item_id, "item_type": "image", "reporter_id": "r1"}
    return api.post("/v1/reports", data=fields, files={"image": ("f", io.BytesIO(data), content_type)})


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_are_refused_and_leave_nothing(api: Api, store: Store, case: str) -> None:
    data, content_type, status, code = BAD[case]
    response = upload(api, "bad-1", data, content_type)
    assert response.status_code == status, response.text
    assert response.json()["error"] == code and response.json()["message"]
    assert api.get("/v1/items/bad-1").status_code == 404
    assert store.images.upload("bad-1") == (None, None)


@pytest.mark.parametrize("case", list(GOOD))
def test_each_format_is_accepted(api: Api, store: Store, case: str) -> None:
    data, content_type = GOOD[case]
    assert upload(api, "good-1", data, content_type).status_code == 202
    assert store.images.upload("good-1")[0] == data


def test_limits_are_settings(api_factory: Any, settings: dict[str, Any]) -> None:
    settings.update(max_image_pixels=64 * 47)
    api = api_factory(settings)
    response = upload(api, "big", PNG, "image/png")  # 64 x 48
    assert response.status_code == 413 and "pixels" in response.json()["message"]


def test_only_the_first_image_of_an_item_is_kept(api: Api, store: Store) -> None:
    assert upload(api, "one", PNG, "image/png").status_code == 202
    assert upload(api, "one", JPEG, "image/jpeg").status_code == 202
    assert store.images.upload("one")[0] == PNG
    assert store.client.xlen("raqib:{images}:jobs") == 1


def test_image_fields_need_an_image_item(api: Api) -> None:
    fields = {"item_id": "c1", "item_type": "comment", "reporter_id": "r1"}
    response = api.post("/v1/reports", data=fields, files={"image": ("f", io.BytesIO(PNG), "image/png")})
    assert response.status_code == 422
    both = {"item_id": "i1", "item_type": "image", "reporter_id": "r1", "image_url": "https://cdn.example/x.png"}
    response = api.post("/v1/reports", data=both, files={"image": ("f", io.BytesIO(PNG), "image/png")})
    assert response.status_code == 422


def test_an_image_url_is_stored_not_fetched(api: Api, store: Store) -> None:
    body = {"item_id": "u1", "item_type": "image", "reporter_id": "r1", "image_url": "https://cdn.example/x.png"}
    assert api.post("/v1/reports", json=body).status_code == 202
    assert api.get("/v1/items/u1").json()["image"] == {"url": "https://cdn.example/x.png"}
    assert store.images.upload("u1") == (None, None)  # not queued: the host is not allowed
    bad = {**body, "item_id": "u2", "image_url": "file:///etc/passwd"}
    assert api.post("/v1/reports", json=bad).status_code == 422


def test_inspect_never_decodes() -> None:
    limits = ImageLimits(max_bytes=10_000_000, max_pixels=40_000_000)
    info = inspect(png_claiming(6000, 6000), limits)  # 36 MP claimed, ~1 KB of data: fine until decoded
    assert (info.width, info.height) == (6000, 6000)
    with pytest.raises(ImageRejected) as err:
        inspect(png_claiming(6000, 6000), ImageLimits(max_pixels=1000))
    assert err.value.kind == "too_large"
    assert getattr(Image.open(io.BytesIO(GOOD["gif (animated: first frame)"][0])), "n_frames", 1) == 2
