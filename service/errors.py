"""One exception family for the whole service, rendered by one handler as
``{"error": code, "message": ...}`` (plus ``details`` where useful)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class RaqibError(Exception):
    """Base of every error the API answers with; subclasses fix the status and code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}


class InvalidJSON(RaqibError):
    code = "invalid_json"


class ValidationFailed(RaqibError):
    status = 422
    code = "validation_failed"


class Unauthorized(RaqibError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="raqib"'})


class Forbidden(RaqibError):
    status = 403
    code = "forbidden"


class CsrfFailed(RaqibError):
    status = 403
    code = "csrf_failed"


class NotFound(RaqibError):
    status = 404
    code = "not_found"


class Conflict(RaqibError):
    status = 409
    code = "conflict"


class PayloadTooLarge(RaqibError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(RaqibError):
    status = 415
    code = "unsupported_media_type"


class InvalidImage(RaqibError):
    """The file says it is an image but is truncated, corrupt, or not the type it claims."""

    status = 422
    code = "invalid_image"


class RateLimited(RaqibError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})


class ModelUnavailable(RaqibError):
    status = 503
    code = "model_unavailable"


class ModelBusy(RaqibError):
    """Every model slot of this process is taken by other heavy requests: retry in a second."""

    status = 503
    code = "model_busy"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"Retry-After": "1"})


class StoreUnavailable(RaqibError):
    status = 503
    code = "store_unavailable"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


_HTTP_CODES = {413: PayloadTooLarge.code, 415: UnsupportedMediaType.code}


def answer_for(error: Exception) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The status, body and headers ``error`` is answered with, logging what must be logged: one
    mapping for Flask's handlers and the JSON report lane (``report_lane.py``)."""
    if isinstance(error, RaqibError):
        return error.status, error_body(error.code, error.message, error.details), error.headers
    if isinstance(error, HTTPException):
        code = _HTTP_CODES.get(error.code or 0) or (error.name or "error").lower().replace(" ", "_")
        return error.code or 500, error_body(code, error.description or error.name), {}
    if isinstance(error, RedisConnectionError | RedisTimeoutError):
        # The store cannot be reached: a temporary condition (other Redis errors are our bugs: 500).
        log.error("redis unavailable: %s", error)
        body = error_body(StoreUnavailable.code, "the data store is unavailable; retry later")
        return 503, body, {"Retry-After": "5"}
    log.exception("unhandled error", exc_info=error)
    return 500, error_body("internal_error", "an unexpected error occurred; it has been logged"), {}


def _render(error: Exception) -> Response:
    status, body, headers = answer_for(error)
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    if isinstance(error, HTTPException) and error.code == 405 and error.response is None:
        response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
    return response


def init_app(app: Flask) -> None:
    for kind in (RaqibError, HTTPException, RedisConnectionError, RedisTimeoutError, Exception):
        app.register_error_handler(kind, _render)
