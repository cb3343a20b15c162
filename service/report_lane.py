"""The report lane: ``POST /v1/reports`` with a JSON body and an API key, answered without Flask's
request machinery.

A report is the request a site sends most (every reader's click), and it is small: at saturation
Flask's request context, URL matching, hooks and response object were a quarter of a report's
CPU samples (issue 28, point 3). The lane is WSGI middleware in front of the app that serves the common
case with the same functions the view uses — :func:`~.auth.authenticate`, :func:`~.auth.admit`,
:func:`~.auth.charge_key`, :func:`~.api.parse_json`, :func:`~.blueprints.reports.accept_report`,
:func:`~.errors.answer_for`, :func:`~.metrics.observe` — inside an app context (the store, the
classifier and ``g.request_id`` as the view sees them). Everything else goes to Flask untouched:
other routes, multipart reports, a moderator's session cookie, a chunked body, one without a length
or over the JSON cap, a missing Authorization header. ``tests/test_report_lane.py`` sends the same
requests both ways and compares status, headers and body.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g
from werkzeug.exceptions import ClientDisconnected
from werkzeug.http import HTTP_STATUS_CODES

from .api import parse_json
from .auth import admit, authenticate, charge_key
from .blueprints.reports import accept_report
from .config import Config
from .errors import answer_for
from .i18n import best_language
from .logs import chosen_request_id
from .metrics import observe
from .schemas import ReportRequest

ROUTE = "/v1/reports"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ReportLane:
    """WSGI middleware: JSON reports served here, every other request by ``inner`` (Flask's)."""

    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self.app = app
        self.inner = inner
        self.config: Config = app.config["RAQIB"]

    def takes(self, environ: dict[str, Any]) -> bool:
        """Whether the request is one the lane answers exactly as the view would."""
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != ROUTE:
            return False
        if "HTTP_AUTHORIZATION" not in environ or "HTTP_TRANSFER_ENCODING" in environ:
            return False
        if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != "application/json":
            return False
        length = environ.get("CONTENT_LENGTH", "")
        return length.isdigit() and 0 < int(length) <= self.config.max_json_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not self.takes(environ):
            return self.inner(environ, start_response)
        started = time.perf_counter()
        with self.app.app_context():
            g.request_id = chosen_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
            headers: dict[str, str] = {}
            try:
                status, body = 202, self._report(environ)
            except Exception as err:  # rendered as Flask's handlers render it (errors.answer_for)
                status, body, headers = answer_for(err)
            payload = self._json(body)
            observe(ROUTE, "POST", status, time.perf_counter() - started)
            head = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
            head += [*headers.items(), ("X-Request-Id", g.request_id)]
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}", head)
        return [payload]

    def _report(self, environ: dict[str, Any]) -> dict[str, Any]:
        """What ``require("client")`` and the view do, in their order."""
        g.key_id, g.role = authenticate(environ["HTTP_AUTHORIZATION"], self.config.keys)
        admit(g.role, ("client",))
        charge_key(g.key_id, self.config)
        length = int(environ["CONTENT_LENGTH"])
        data = environ["wsgi.input"].read(length)
        if len(data) < length:
            raise ClientDisconnected()
        report = parse_json(ReportRequest, data)
        return accept_report(report, self.config, best_language(environ.get("HTTP_ACCEPT_LANGUAGE", "")))

    def _json(self, body: dict[str, Any]) -> bytes:
        """``body`` as Flask's JSON provider writes a response (``jsonify``)."""
        provider = self.app.json
        compact = getattr(provider, "compact", None)
        args: dict[str, Any] = (
            {"indent": 2} if (compact is None and self.app.debug) or compact is False else {"separators": (",", ":")}
        )
        return f"{provider.dumps(body, **args)}\n".encode()


def init_app(app: Flask) -> None:
    app.wsgi_app = ReportLane(app, app.wsgi_app)  # type: ignore[method-assign]
