"""Image uploads in requests: read within the size cap and checked without decoding."""

from __future__ import annotations

import hashlib
from typing import Any

from werkzeug.datastructures import FileStorage

from ..config import Config
from ..errors import InvalidImage, PayloadTooLarge, RaqibError, UnsupportedMediaType, ValidationFailed
from . import media


def image_upload(upload: Any, config: Config) -> tuple[bytes, dict[str, Any]]:
    """The bytes of an uploaded image and what is stored about it, after the checks that need no
    decoding (see :func:`media.inspect`); a bad file raises the matching 4xx error."""
    if not isinstance(upload, FileStorage):
        raise ValidationFailed("image: expected a file part named 'image'")
    limit = config.max_image_bytes
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the image is larger than {limit} bytes")
    try:
        info = media.inspect(data, media.ImageLimits(limit, config.max_image_pixels), upload.mimetype)
    except media.ImageRejected as err:
        raise image_error(err) from None
    meta = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": info.bytes, "format": info.format}
    return data, {**meta, "width": info.width, "height": info.height}


def image_error(err: media.ImageRejected) -> RaqibError:
    kind = {"too_large": PayloadTooLarge, "unsupported": UnsupportedMediaType}.get(err.kind, InvalidImage)
    return kind(f"image: {err}")
