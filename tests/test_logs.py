from __future__ import annotations

import json
import logging

from raqib.service.logs import JsonFormatter, RequestIdFilter

from .conftest import Api


def test_request_id_is_echoed_or_made(api: Api) -> None:
    given = api.get("/healthz", role=None, headers={"X-Request-Id": "host-123"})
    assert given.headers["X-Request-Id"] == "host-123"
    made = api.get("/healthz", role=None, headers={"X-Request-Id": "bad id with spaces"})
    assert made.headers["X-Request-Id"].startswith("req_")


def test_json_lines() -> None:
    record = logging.LogRecord("raqib.test", logging.WARNING, __file__, 1, "hidden %s", ("c-1",), None)
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["message"], line["request_id"]) == ("WARNING", "hidden c-1", "-")
    assert line["ts"].endswith("Z")
