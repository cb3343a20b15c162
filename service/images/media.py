"""Images: checks at intake, decoding, PDQ hashes, fetching by URL (text read by OCR: ``ocr``).

Intake (:func:`inspect`) runs in the request and never decodes pixels: it checks the magic
bytes, the declared content type, the header's dimensions (decompression bombs are refused before
any pixel exists) and each format's end marker (truncated uploads). Decoding (:func:`decode`),
hashing and OCR run in the worker, or in ``/v1/images/check`` which must answer at once.
No Redis or Flask here.
"""

from __future__ import annotations

import io
import struct
import time
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import pdqhash
import urllib3
from PIL import Image, ImageFile, ImageOps

from ..ssrf import UnsafeURL, pinned_request

FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}
CONTENT_TYPES = {
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
}
_SIGNATURES = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png", b"GIF87a": "gif", b"GIF89a": "gif"}
HASH_SIDE = 512  # images are reduced to this before PDQ hashing (PDQ itself works on 64 x 64)
PREVIEW_SIDE = 800  # what moderators see; the original is not kept
ImageFile.LOAD_TRUNCATED_IMAGES = False


class ImageRejected(ValueError):
    """A bad image. ``kind``: ``unsupported`` (415), ``too_large`` (413) or ``invalid`` (422)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 40_000_000


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    bytes: int


@dataclass(frozen=True)
class PdqHash:
    hex: str  # 64 hex digits, 256 bits
    quality: int  # 0-100; below ~50 the hash says little (flat or tiny images)


def sniff(head: bytes) -> str | None:
    """The format the first bytes announce, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return next((fmt for sig, fmt in _SIGNATURES.items() if head.startswith(sig)), None)


def _complete(fmt: str, data: bytes) -> bool:
    """Whether the file reaches its format's end marker (no pixel is decoded)."""
    if fmt == "png":
        return b"IEND\xaeB`\x82" in data[-256:]
    if fmt == "jpeg":
        return b"\xff\xd9" in data[-1024:]
    if fmt == "gif":
        return data.rstrip(b"\x00")[-1:] == b";"
    (size,) = struct.unpack("<I", data[4:8])  # webp: RIFF chunk size
    return len(data) >= size + 8


def inspect(data: bytes, limits: ImageLimits, declared_type: str | None = None) -> ImageInfo:
    """Check an upload without decoding it; raises :class:`ImageRejected`."""
    if not data:
        raise ImageRejected("invalid", "the file is empty")
    if len(data) > limits.max_bytes:
        raise ImageRejected("too_large", f"the image is larger than {limits.max_bytes} bytes")
    fmt = sniff(data[:16])
    if fmt is None:
        raise ImageRejected("unsupported", "only JPEG, PNG, WebP and GIF files are accepted")
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream":
        if declared not in CONTENT_TYPES:
            raise ImageRejected("unsupported", f"content type {declared!r} is not an accepted image type")
        if CONTENT_TYPES[declared] != fmt:
            raise ImageRejected("invalid", f"the file is a {fmt.upper()} but was sent as {declared}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[FORMATS[fmt]]) as img:
                width, height = img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("too_large", f"the image has more than {limits.max_pixels} pixels") from None
    except (OSError, SyntaxError, ValueError, struct.error) as err:
        raise ImageRejected("invalid", f"the {fmt.upper()} header is unreadable: {err}") from None
    if width < 1 or height < 1:
        raise ImageRejected("invalid", "the image has no pixels")
    if width * height > limits.max_pixels:
        raise ImageRejected("too_large", f"{width} x {height} is more than {limits.max_pixels} pixels")
    if not _complete(fmt, data):
        raise ImageRejected("invalid", f"the {fmt.upper()} file is truncated")
    return ImageInfo(fmt, width, height, len(data))


def decode(data: bytes, limits: ImageLimits) -> tuple[ImageInfo, Image.Image]:
    """What :func:`inspect` finds, and the first frame as RGB, upright (EXIF orientation applied).
    Raises :class:`ImageRejected`."""
    info = inspect(data, limits)
    try:
        with Image.open(io.BytesIO(data), formats=[FORMATS[info.format]]) as img:
            img.seek(0)
            img.load()
            frame = ImageOps.exif_transpose(img) or img
            return info, frame.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise ImageRejected("invalid", f"the {info.format.upper()} data cannot be decoded: {err}") from None


def reduce(image: Image.Image, side: int) -> Image.Image:
    """A copy at most ``side`` pixels a side (the image itself if already that small)."""
    if max(image.size) <= side:
        return image
    small = image.copy()
    small.thumbnail((side, side), Image.Resampling.BILINEAR)
    return small


def pdq(image: Image.Image) -> PdqHash:
    bits, quality = pdqhash.compute(np.asarray(reduce(image, HASH_SIDE), dtype=np.uint8))
    return PdqHash(np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality))


CROP_FRACTIONS = (0.03, 0.06, 0.1)


def crop_variants(image: Image.Image) -> list[Image.Image]:
    """Crops of an image: the centre and each corner, for each fraction of the sides removed.
    PDQ moves ~30 bits for a 2% crop, so a banked image is also hashed as it would look cropped."""
    w, h = image.size
    variants = []
    for f in CROP_FRACTIONS:
        dx, dy = round(w * f), round(h * f)
        boxes = [(dx // 2, dy // 2, w - dx // 2, h - dy // 2)]
        boxes += [(x, y, x + w - dx, y + h - dy) for x in (0, dx) for y in (0, dy)]
        variants += [image.crop(box) for box in boxes]
    return variants


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def nearest(hash_hex: str, bank: dict[str, str]) -> tuple[str, int] | None:
    """The bank entry (id → hex hash) nearest to ``hash_hex`` and its distance, vectorised."""
    if not bank:
        return None
    ids = list(bank)
    table = np.frombuffer(b"".join(bytes.fromhex(bank[i]) for i in ids), dtype=np.uint8).reshape(len(ids), 32)
    probe = np.frombuffer(bytes.fromhex(hash_hex), dtype=np.uint8)
    distances = np.unpackbits(table ^ probe, axis=1).sum(axis=1)
    best = int(distances.argmin())
    return ids[best], int(distances[best])


def preview(image: Image.Image) -> bytes:
    """A JPEG of at most PREVIEW_SIDE pixels a side, for moderators."""
    out = io.BytesIO()
    reduce(image, PREVIEW_SIDE).save(out, format="JPEG", quality=80)
    return out.getvalue()


def host_allowed(url: str, allowed_hosts: frozenset[str]) -> bool:
    """Whether the worker may download ``url``: its host is one the operator listed."""
    return (urlsplit(url).hostname or "").lower() in allowed_hosts


class FetchRefused(ValueError):
    """The URL may not or could not be fetched; the message says why."""


def fetch(url: str, allowed_hosts: frozenset[str], limits: ImageLimits, timeout_s: float, allow_private: bool) -> bytes:
    """Download an image from a host the operator allows: SSRF-checked, no redirects, capped in
    size and in total time."""
    if not host_allowed(url, allowed_hosts):
        raise FetchRefused(f"{urlsplit(url).hostname or 'the URL'} is not in RAQIB_IMAGE_FETCH_HOSTS")
    try:
        response = pinned_request("GET", url, allow_private=allow_private, timeout_s=timeout_s)
    except UnsafeURL as err:
        raise FetchRefused(str(err)) from None
    except (urllib3.exceptions.HTTPError, OSError) as err:
        raise FetchRefused(f"download failed: {err}") from None
    try:
        if response.status != 200:
            raise FetchRefused(f"the host answered {response.status}")
        chunks, size, deadline = [], 0, time.monotonic() + timeout_s
        for chunk in response.stream(64 * 1024):
            size += len(chunk)
            if time.monotonic() > deadline:
                raise FetchRefused(f"the download took longer than {timeout_s} s")
            if size > limits.max_bytes:
                raise FetchRefused(f"the image is larger than {limits.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    except (urllib3.exceptions.HTTPError, OSError) as err:
        raise FetchRefused(f"download failed: {err}") from None
    finally:
        response.release_conn()
