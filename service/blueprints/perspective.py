"""Perspective API, self-hosted: ``POST /v1alpha1/comments:analyze`` and ``comments:suggestscore``
in Perspective's shapes, authenticated by ``?key=`` (or the usual header), errors in Google's
shape, and the discovery document at ``/$discovery/rest?version=v1alpha1`` for Google's client.
A site that called Perspective (Coral: its endpoint setting) switches one URL to Raqib."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from ..api import documented
from ..auth import authenticate
from ..classifier import get_classifier, get_model_queue, score_queued
from ..config import Config
from ..errors import ModelBusy, RaqibError, Unauthorized
from ..logs import request_id
from ..perspective import discovery
from ..perspective.attributes import LABELS, VERDICTS, attribute_score, canonical, detect_languages, spans
from ..perspective.shapes import (
    MAX_TEXT_BYTES,
    AnalyzeCommentRequest,
    GoogleError,
    GoogleErrorBody,
    SuggestCommentScoreRequest,
    TextEntry,
)
from ..store import get_store, keys

bp = Blueprint("perspective", __name__)
GOOGLE_ERRORS = (400, 403, 429, 503)  # in Google's shape; 400 also for bad JSON, 413 and 415
M = TypeVar("M", bound=BaseModel)
View = TypeVar("View", bound=Callable[..., Any])
_TAG = re.compile(r"<[^>]+>")


def _render(error: GoogleError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.code
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(GoogleError)
def google_error(error: GoogleError) -> Response:
    return _render(error)


@bp.errorhandler(RaqibError)
def raqib_error(error: RaqibError) -> Response:
    """Errors raised before the view (a body that is not JSON, too large) in Google's shape."""
    return _render(GoogleError(error.status if error.status in (400, 403, 404, 429, 503) else 400, error.message))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    code = error.code or 400
    return _render(GoogleError(400 if code in (413, 415) else code, error.description or error.name))


def _authenticate() -> str:
    """The key's id: ``?key=`` as Perspective takes it, or ``Authorization: Bearer``."""
    config: Config = current_app.config["RAQIB"]
    key = request.args.get("key")
    header = f"Bearer {key}" if key else request.headers.get("Authorization")
    if not header:
        raise GoogleError(403, "The request is missing a valid API key.", reason="API_KEY_MISSING")
    try:
        kid, role = authenticate(header, config.keys)
    except Unauthorized:
        raise GoogleError(400, "API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID") from None
    if role not in ("client", "admin"):
        raise GoogleError(403, f"This API needs a client key; the key has the role {role}.", reason="PERMISSION_DENIED")
    limit = config.perspective_limit
    if limit is not None:
        wait = get_store().hit_rate_limit(keys.api_key_rate(f"{kid}:perspective"), limit.limit, limit.window_s)
        if wait:
            raise GoogleError(
                429, "Quota exceeded for this API key; retry later.", reason="RATE_LIMIT_EXCEEDED", retry_after=wait
            )
    g.key_id = kid
    return kid


def _body(model: type[M]) -> M:
    try:
        return model.model_validate_json(request.get_data(cache=True), strict=True)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            raise GoogleError(400, f"Invalid JSON payload received. {first['msg']}") from None
        where = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            raise GoogleError(
                400, f'Invalid JSON payload received. Unknown name "{where}": Cannot find field.'
            ) from None
        raise GoogleError(400, f"Invalid value at '{where}': {first['msg']}") from None


def _text(entry: TextEntry) -> str:
    """The comment's plain text (HTML reduced to its text), checked as Perspective checks it."""
    text = entry.text or ""
    if entry.type == "HTML":
        text = html.unescape(_TAG.sub(" ", text))
    if not text.strip():
        raise GoogleError(400, "Comment must be non-empty.", reason="COMMENT_EMPTY")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise GoogleError(400, f"Comment text too long: at most {MAX_TEXT_BYTES} bytes.", reason="COMMENT_TOO_LONG")
    return text


class _Analysis(NamedTuple):
    body: AnalyzeCommentRequest
    text: str
    requested: dict[str, tuple[str, float | None]]  # attribute name -> (our category, its threshold)
    parts: list[tuple[int, int]]  # the spans scored after the whole text
    results: list[dict[str, Any]]


def _analyzed() -> _Analysis:
    """The request read and checked, then its text (and spans) scored in the model queue."""
    body = _body(AnalyzeCommentRequest)
    text = _text(body.comment)
    requested: dict[str, tuple[str, float | None]] = {}
    for name, params in body.requestedAttributes.items():
        known = canonical(name)
        if known is None:
            if body.dropUnsupportedAttributes:
                continue
            raise GoogleError(400, f"Attribute {name} does not exist.", reason="INVALID_REQUESTED_ATTRIBUTE")
        if params.scoreType not in (None, "PROBABILITY"):
            raise GoogleError(400, f"Score type {params.scoreType} is not supported; use PROBABILITY.")
        requested[name] = (known, params.scoreThreshold)
    if not body.requestedAttributes:
        raise GoogleError(400, "Must specify at least one requested attribute.", reason="NO_REQUESTED_ATTRIBUTE")
    classifier = get_classifier()
    if classifier is None:
        raise GoogleError(503, "No classifier is configured (RAQIB_MODEL_DIR).")
    parts = spans(text) if body.spanAnnotations else []
    results = score_queued(classifier, [text, *(text[b:e] for b, e in parts)])
    return _Analysis(body, text, requested, parts, results)


def comments_method(name: str, body: type[BaseModel]) -> Callable[[View], View]:
    """Route and document ``POST /<version>/comments:<name>`` as Google's: keyed by ``?key=``, not a
    bearer token, and its errors in Google's shape."""

    def register(view: View) -> View:
        documented_view = documented(
            ("HTTP_200", None),
            GOOGLE_ERRORS,
            tags=["perspective"],
            json=body,
            secured=False,
            error_body=GoogleErrorBody,
        )(view)
        return bp.post(f"/{discovery.VERSION}/comments:{name}")(documented_view)

    return register


@comments_method("analyze", AnalyzeCommentRequest)
def analyze() -> dict[str, Any]:
    """Perspective's ``comments:analyze``: scores for the requested attributes (the mapping is in
    ``perspective/attributes.py`` and the README). Authenticated by ``?key=``; errors in Google's
    shape (``{"error": {"code", "message", "status"}}``)."""
    config: Config = current_app.config["RAQIB"]
    kid = _authenticate()
    try:
        with get_model_queue().admitted():  # before the body is read: a refusal costs little
            body, text, requested, parts, results = _analyzed()
    except ModelBusy:
        raise GoogleError(503, "The model is busy; retry in a second.", retry_after=1) from None
    summary, per_span = results[0]["scores"], [r["scores"] for r in results[1:]]
    scores: dict[str, Any] = {}
    for name, (known, threshold) in requested.items():
        value = attribute_score(known, summary)
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if body.spanAnnotations:
            entry["spanScores"] = [
                {"begin": b, "end": e, "score": {"value": attribute_score(known, s), "type": "PROBABILITY"}}
                for (b, e), s in zip(parts, per_span, strict=True)
            ]
        scores[name] = entry
    detected = detect_languages(text)
    if body.doNotStore is False:
        kept = {
            "request_id": request_id(),
            "key_id": kid,
            "text": text,
            "scores": summary,
            "client_token": body.clientToken,
        }
        get_store().perspective.keep(kept, config.perspective_retention_days)
    answer: dict[str, Any] = {
        "attributeScores": scores,
        "languages": detected,  # what Raqib read, whatever the hint (Coral says "en" for every locale)
        "detectedLanguages": detected,
    }
    if body.clientToken is not None:
        answer["clientToken"] = body.clientToken
    return answer


def _comment_id(body: SuggestCommentScoreRequest) -> str | None:
    """Coral's comment id, from the JSON it puts in ``context.entries[0].text``."""
    entries = body.context.entries if body.context and body.context.entries else []
    try:
        found = json.loads(entries[0].text or "") if entries else None
    except ValueError:
        return None
    return str(found["Coral_comment_id"]) if isinstance(found, dict) and "Coral_comment_id" in found else None


@comments_method("suggestscore", SuggestCommentScoreRequest)
def suggestscore() -> dict[str, Any]:
    """A moderator's verdict on a text, kept as a label for the learning loop: a known attribute's
    score labels its category (≥ 0.5: 1), Coral's ``APPROVED``/``DELETED`` label ``offensive``."""
    kid = _authenticate()
    body = _body(SuggestCommentScoreRequest)
    text = _text(body.comment)
    if not body.attributeScores:
        raise GoogleError(400, "attribute_scores must not be empty.")
    labels: dict[str, int] = {}
    for name, given in body.attributeScores.items():
        if given.summaryScore is None:
            raise GoogleError(400, f"attributeScores.{name}: summaryScore must be set.")
        value = given.summaryScore.value
        known = canonical(name)
        if known is not None:
            labels[LABELS[known]] = max(labels.get(LABELS[known], 0), int(value >= 0.5))
        elif name.upper() in VERDICTS:
            labels["offensive"] = int(VERDICTS[name.upper()] * value >= 0.5)
    get_store().perspective.suggest(
        {
            "request_id": request_id(),
            "key_id": kid,
            "text": text,
            "attribute_scores": {n: s.summaryScore.value for n, s in body.attributeScores.items() if s.summaryScore},
            "labels": labels,
            "client_token": body.clientToken,
            "community_id": body.communityId,
            "comment_id": _comment_id(body),
        }
    )
    answer: dict[str, Any] = {"detectedLanguages": detect_languages(text)}
    if body.clientToken is not None:
        answer["clientToken"] = body.clientToken
    return answer


@bp.get("/$discovery/rest")
@documented(("HTTP_200", None), (404,), tags=["perspective"], secured=False, error_body=GoogleErrorBody)
def discovery_document() -> Any:
    """The discovery document Google's API clients build their calls from."""
    if request.args.get("version", discovery.VERSION) != discovery.VERSION:
        raise GoogleError(404, f"Only {discovery.VERSION} is served.")
    return discovery.document(request.host_url)
