"""Logging: one JSON object per line (``RAQIB_LOG_FORMAT=json``, the default) or plain text, each
record carrying the request id of the HTTP request it belongs to."""

from __future__ import annotations

import json
import logging
import random
import re
from datetime import UTC, datetime

from flask import Flask, Response, g, has_app_context, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_app_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, fmt: str) -> None:
    """Set up the root logger once per process."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def new_request_id() -> str:
    """A fresh id: 64 random bits from the process's Mersenne Twister (reseeded in every forked
    child), not the OS's: an id names a request in logs, it guards nothing, and ``os.urandom`` per
    request was 4 % of a report's time."""
    return f"req_{random.getrandbits(64):016x}"


def chosen_request_id(given: str) -> str:
    """The client's ``X-Request-Id`` when well formed, else a new id."""
    return given if _REQUEST_ID.match(given) else new_request_id()


def request_id() -> str:
    """This request's id (``X-Request-Id`` when well formed, else a new one)."""
    return str(g.get("request_id", "-"))


def init_app(app: Flask) -> None:
    @app.before_request
    def assign() -> None:
        g.request_id = chosen_request_id(request.headers.get("X-Request-Id", ""))

    @app.after_request
    def echo(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-Id"] = g.request_id
        return response
