"""``POST /v1/reports``: a reader's report of a comment or an image."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, current_app, request
from pydantic import ValidationError
from werkzeug.datastructures import FileStorage

from ..api import documented, form_body, json_body
from ..auth import require
from ..classifier import get_classifier, predict
from ..config import Config
from ..errors import Conflict, PayloadTooLarge, RateLimited, UnsupportedMediaType, ValidationFailed
from ..i18n import thanks
from ..logs import request_id
from ..metrics import AUTO_HIDES, REPORTS
from ..policy import report_rules, threshold_for
from ..schemas import ReportAccepted, ReportContext, ReportForm, ReportRequest
from ..store import RateLimitExceeded, TypeMismatch, get_store

bp = Blueprint("reports", __name__)

# The first bytes of each accepted image format; full decoding happens later, in the worker.
_SIGNATURES = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png", b"GIF87a": "gif", b"GIF89a": "gif"}


def image_format(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return next((fmt for sig, fmt in _SIGNATURES.items() if head.startswith(sig)), None)


def _image_reference(upload: Any, limit: int) -> dict[str, Any]:
    if not isinstance(upload, FileStorage):
        raise ValidationFailed("image: expected a file part named 'image'")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the image is larger than {limit} bytes")
    if not data:
        raise ValidationFailed("image: the file is empty")
    fmt = image_format(data[:16])
    if fmt is None:
        raise UnsupportedMediaType("image: only JPEG, PNG, WebP and GIF files are accepted")
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "format": fmt}


def _form_report(form: ReportForm, config: Config) -> tuple[ReportRequest, dict[str, Any] | None]:
    try:
        context = ReportContext.model_validate_json(form.context) if form.context else None
    except ValidationError as err:
        raise ValidationFailed(f"context: {err.errors()[0]['msg']}") from None
    image = _image_reference(form.image, config.max_image_bytes) if form.image is not None else None
    fields = form.model_dump(exclude={"context", "image"})
    return ReportRequest(**fields, context=context), image


def _first_report_scores(report: ReportRequest) -> tuple[dict[str, float] | None, list[str]]:
    """The classifier's scores and flagged categories for a comment reported for the first time
    (they fix its threshold); later reports reuse what is stored. Two concurrent first reports may
    both score: the script keeps the first."""
    classifier = get_classifier()
    if classifier is None or report.item_type != "comment" or not report.text:
        return None, []
    if get_store().item_exists(report.item_id):
        return None, []
    result = predict(classifier, [report.text])[0]
    return result["scores"], result["flagged"]


@bp.post("/v1/reports")
@require("client")
@documented(
    ("HTTP_202", ReportAccepted),
    (400, 401, 403, 409, 413, 415, 422, 429, 503),
    tags=["reports"],
    json=ReportRequest,
    form=ReportForm,
)
def create_report() -> tuple[dict[str, Any], int]:
    """Report an item. Once enough distinct readers reported it, it is hidden (exactly once)."""
    config: Config = current_app.config["RAQIB"]
    image = None
    if request.mimetype == "multipart/form-data":
        report, image = _form_report(form_body(ReportForm), config)
    else:
        report = json_body(ReportRequest)
    new_fields: dict[str, str] = {}
    scores, flagged = _first_report_scores(report)
    threshold = threshold_for(config, report.item_type, scores)
    if scores is not None:
        new_fields["scores"] = json.dumps(scores)
        new_fields["offensive"] = str(scores.get("offensive", 0.0))
    if report.text:
        new_fields["text"] = report.text
    if image:
        new_fields["image"] = json.dumps(image)
    details = {"note": report.note, "context": report.context.model_dump(exclude_none=True) if report.context else None}
    try:
        outcome = get_store().report(
            item_id=report.item_id,
            item_type=report.item_type,
            reporter_id=report.reporter_id,
            reason=report.reason,
            report={k: v for k, v in details.items() if v},
            threshold=threshold.reports,
            rule=threshold.rule,
            new_item_fields=new_fields,
            rules=report_rules(config),
            flagged=flagged,
            request_id=request_id(),
        )
    except RateLimitExceeded as err:
        REPORTS.labels(report.item_type, "rate_limited").inc()
        raise RateLimited("this reader sent too many reports; retry later", err.retry_after) from None
    except TypeMismatch as err:
        raise Conflict(f"item {report.item_id!r} is a {err.existing}; this report says {report.item_type}") from None
    REPORTS.labels(report.item_type, "duplicate" if outcome.duplicate else "accepted").inc()
    if outcome.hidden_now:
        AUTO_HIDES.labels(threshold.rule).inc()
    body = ReportAccepted(
        item_id=report.item_id,
        status=outcome.status,  # type: ignore[arg-type]
        reports=outcome.reports,
        threshold=outcome.threshold,
        duplicate=outcome.duplicate,
        message=thanks(report.item_type, outcome.status),
    )
    return body.model_dump(), 202
