"""``POST /v1/reports``: a reader's report of a comment or an image."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, current_app, request
from pydantic import ValidationError

from ..api import documented, form_body, json_body
from ..auth import require
from ..classifier import get_classifier
from ..config import Config
from ..errors import Conflict, RateLimited, ValidationFailed
from ..i18n import language, thanks
from ..images import media
from ..images.uploads import image_upload
from ..logs import request_id
from ..metrics import AUTO_HIDES, REPORTS
from ..policy import report_rules, threshold_for
from ..schemas import ID_PATTERN, ReportAccepted, ReportContext, ReportForm, ReportRequest
from ..store import RateLimitExceeded, TypeMismatch, get_store

bp = Blueprint("reports", __name__)


def _form_report(form: ReportForm, config: Config) -> tuple[ReportRequest, tuple[bytes, dict[str, Any]] | None]:
    try:
        context = ReportContext.model_validate_json(form.context) if form.context else None
    except ValidationError as err:
        raise ValidationFailed(f"context: {err.errors()[0]['msg']}") from None
    upload = image_upload(form.image, config) if form.image is not None else None
    fields = form.model_dump(exclude={"context", "image"})
    return ReportRequest(**fields, context=context), upload


def _match_bank(item_id: str, text: str, config: Config) -> str | None:
    """A comment's first text that is a near-copy of a removed one hides the item at once (rule
    ``text_match``): its status then, or None without a match."""
    store = get_store()
    match = store.texts.match(text, config.text_match_similarity, exclude=item_id)
    landed = store.text_matched(item_id, match.as_dict()) if match else None
    if landed is None:
        return None
    status, hidden_now = landed
    if hidden_now:
        AUTO_HIDES.labels("text_match").inc()
    return status


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
    upload = None
    if request.mimetype == "multipart/form-data":
        report, upload = _form_report(form_body(ReportForm), config)
    else:
        report = json_body(ReportRequest)
    return accept_report(report, config, language(), upload), 202


def accept_report(
    report: ReportRequest, config: Config, lang: str, upload: tuple[bytes, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Count ``report`` (hiding its item once it reached its threshold) and return the answer's
    body. Shared by the view and the JSON report lane (``service/report_lane.py``); runs in an app
    context whose ``g`` holds the request id."""
    if (upload or report.image_url) and report.item_type != "image":
        raise ValidationFailed("image and image_url are for item_type 'image'")
    if upload and report.image_url:
        raise ValidationFailed("send either an image file or an image_url, not both")
    new_fields: dict[str, str] = {}
    threshold = threshold_for(config, report.item_type, None)  # the scores, when they land, may move it
    if report.text:
        new_fields["text"] = report.text
    author = report.context.author_id if report.context else None
    if author and re.match(ID_PATTERN, author):  # the host's id of the author: strikes follow removals
        new_fields["author_id"] = author
    if upload:
        new_fields["image"] = json.dumps(upload[1])
    elif report.image_url:
        new_fields["image"] = json.dumps({"url": report.image_url})
    store = get_store()
    # The image is kept for the worker before the report counts, so no counted report lacks it.
    # A URL is only stored, unless its host is one the operator lets the worker fetch from.
    queued = (upload is not None and store.images.save_upload(report.item_id, upload[0])) or (
        report.image_url is not None
        and media.host_allowed(report.image_url, config.fetch_hosts)
        and store.images.save_url(report.item_id, report.image_url)
    )
    details = {"note": report.note, "context": report.context.model_dump(exclude_none=True) if report.context else None}
    rules = report_rules(config)
    try:
        outcome = store.report(
            item_id=report.item_id,
            item_type=report.item_type,
            reporter_id=report.reporter_id,
            reason=report.reason,
            report={k: v for k, v in details.items() if v},
            threshold=threshold.reports,
            rule=threshold.rule,
            new_item_fields=new_fields,
            rules=rules,
            request_id=request_id(),
            score=report.item_type == "comment" and bool(report.text) and get_classifier() is not None,
        )
    except RateLimitExceeded as err:
        if queued:
            store.images.discard(report.item_id)
        REPORTS.labels(report.item_type, "rate_limited").inc()
        raise RateLimited("this reader sent too many reports; retry later", err.retry_after) from None
    except TypeMismatch as err:
        if queued:
            store.images.discard(report.item_id)
        raise Conflict(f"item {report.item_id!r} is a {err.existing}; this report says {report.item_type}") from None
    if queued:
        store.images.enqueue(report.item_id)
    REPORTS.labels(report.item_type, "duplicate" if outcome.duplicate else "accepted").inc()
    if outcome.hidden_now:
        AUTO_HIDES.labels(threshold.rule).inc()
    status = outcome.status
    if report.item_type == "comment" and report.text and outcome.may_match_bank:
        status = _match_bank(report.item_id, report.text, config) or status
    # The answer as ReportAccepted documents it, built as a dict: a model and its dump cost 2 % of a
    # report (tests/test_report_lane.py checks the answer against the model).
    return {
        "item_id": report.item_id,
        "status": status,
        "reports": outcome.reports,
        "threshold": outcome.threshold,
        "weight": round(outcome.weight, 2),
        "min_reporters": min(rules.min_reporters, outcome.threshold) if rules.weighted else outcome.threshold,
        "duplicate": outcome.duplicate,
        "message": thanks(report.item_type, status, lang),
    }
