"""Images: the host's upload-time check, the bank of removed images, and previews for moderators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app

from ..api import documented, form_body, path
from ..auth import require
from ..config import Config
from ..errors import NotFound, ValidationFailed
from ..images import media
from ..images.analysis import get_analyser
from ..images.uploads import image_error, image_upload
from ..schemas import BankPage, EntryPath, ImageCheckForm, ImageCheckResult, ItemPath
from ..store import get_store
from ..timefmt import iso

bp = Blueprint("images", __name__)
ERRORS = (400, 401, 403, 404, 413, 415, 422, 503)


@bp.post("/v1/images/check")
@require("client")
@documented(("HTTP_200", ImageCheckResult), ERRORS, tags=["images"], form=ImageCheckForm)
def check() -> dict[str, Any]:
    """Check an image at upload time: does it match an image moderators removed, and what do the
    configured models say? Nothing is stored. Decodes in the request, within the same limits."""
    form = form_body(ImageCheckForm)
    if form.image is None:
        raise ValidationFailed("image: expected a file part named 'image'")
    config: Config = current_app.config["RAQIB"]
    data, _ = image_upload(form.image, config)
    analyser = get_analyser()
    try:
        analysis = analyser.analyse(data, ocr=form.ocr)
    except media.ImageRejected as err:
        raise image_error(err) from None
    bank = get_store().images
    match = analyser.match(analysis.pdq, bank.bank_hashes())
    if match is not None:
        entry = bank.bank_entry(match["entry"])
        match["item_id"] = entry.item_id if entry else None
    return ImageCheckResult(
        matched=match is not None,
        match=match,  # type: ignore[arg-type]
        pdq={"hash": analysis.pdq.hex, "quality": analysis.pdq.quality},  # type: ignore[arg-type]
        scores=analysis.scores,
        flagged=analysis.flagged,
        text=analysis.text,
    ).model_dump()


@bp.get("/v1/images/bank")
@require("moderator")
@documented(("HTTP_200", BankPage), (401, 403, 503), tags=["images"])
def bank() -> dict[str, Any]:
    """The bank of removed images, newest first: a later image this close is hidden at once."""
    entries = get_store().images.bank_entries()
    return {
        "entries": [
            {
                "entry_id": e.entry_id,
                "item_id": e.item_id,
                "quality": e.quality,
                "hashes": len(e.hashes),
                "added_by": e.added_by,
                "added_at": iso(e.added_at),
            }
            for e in entries
        ]
    }


@bp.delete("/v1/images/bank/<entry_id>")
@require("moderator")
@documented(("HTTP_204", None), (401, 403, 404, 503), tags=["images"], path=EntryPath)
def unbank(entry_id: str) -> tuple[str, int]:
    """Take an image out of the bank: images like it are no longer hidden on sight."""
    path(EntryPath, entry_id=entry_id)
    if not get_store().images.bank_remove(entry_id):
        raise NotFound(f"no bank entry {entry_id!r}")
    return "", 204


@bp.get("/v1/review/items/<item_id>/image")
@require("moderator")
@documented(("HTTP_200", None), (401, 403, 404, 503), tags=["review"], path=ItemPath)
def preview(item_id: str) -> Response:
    """The reported image as moderators see it: a JPEG of at most 800 pixels a side."""
    path(ItemPath, item_id=item_id)
    data = get_store().images.preview(item_id)
    if data is None:
        raise NotFound("no analysed image for this item (yet)")
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
