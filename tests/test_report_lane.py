"""The report lane answers exactly as Flask's view does: the same requests, over real HTTP, to the
app (lane in front) and to the Flask app behind it, each from an empty database."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from prometheus_client import REGISTRY
from raqib.service.app import create_app
from raqib.service.report_lane import ReportLane
from raqib.service.schemas import ReportAccepted
from raqib.service.store import Store

from .conftest import KEYS, LiveServer

Case = tuple[str, dict[str, str], bytes | str]  # a name, headers, a body

ROUTE = "/v1/reports"
KEEP = ("Content-Type", "Content-Length", "Retry-After", "WWW-Authenticate", "X-Request-Id")
REQUEST_ID = re.compile(r"^req_[0-9a-f]{16}$")


def _body(item: str, reporter: str, **fields: Any) -> str:
    return json.dumps({"item_id": item, "item_type": "comment", "reporter_id": reporter, **fields})


def _cases() -> list[Case]:
    client = {"Authorization": f"Bearer {KEYS['client']}", "Content-Type": "application/json"}
    counted: list[Case] = [
        (f"reporter {n}", client, _body("c1", f"u{n}", text="تعليق", reason="hate")) for n in range(4)
    ]
    counted.append(("duplicate", client, _body("c1", "u1")))
    cases: list[Case] = [
        ("french", {**client, "Accept-Language": "fr-FR,fr;q=0.9"}, _body("c2", "u1")),
        ("charset", {**client, "Content-Type": "application/json; charset=utf-8"}, _body("c3", "u1")),
        ("context", client, _body("c4", "u1", context={"author_id": "a1", "url": "https://x.ma/1"}, note="n")),
        ("image url", client, _body("i1", "u1", item_type="image", image_url="https://img.example/1.jpg")),
        ("image url on a comment", client, _body("c5", "u1", image_url="https://img.example/1.jpg")),
        ("type mismatch", client, _body("i1", "u2")),
        ("invalid json", client, '{"item_id": "c6",'),
        ("invalid utf-8", client, b'{"item_id": "\xff\xfe"}'),
        ("missing field", client, json.dumps({"item_id": "c7", "item_type": "comment"})),
        ("extra field", client, _body("c8", "u1", colour="red")),
        ("bad reason", client, _body("c9", "u1", reason="boring")),
        ("json array", client, "[1, 2]"),
        ("given request id", {**client, "X-Request-Id": "site-42.a"}, _body("c10", "u1")),
        ("bad request id", {**client, "X-Request-Id": "no spaces"}, _body("c11", "u1")),
        ("no key", {"Content-Type": "application/json"}, _body("c12", "u1")),
        ("empty bearer", {**client, "Authorization": "Bearer "}, _body("c12", "u1")),
        ("basic auth", {**client, "Authorization": "Basic dTpw"}, _body("c12", "u1")),
        ("unknown key", {**client, "Authorization": "Bearer nope"}, _body("c12", "u1")),
        ("moderator key", {**client, "Authorization": f"Bearer {KEYS['moderator']}"}, _body("c12", "u1")),
        ("admin key", {**client, "Authorization": f"Bearer {KEYS['admin']}"}, _body("c13", "u1")),
        ("text/plain", {**client, "Content-Type": "text/plain"}, _body("c14", "u1")),
        ("over the json cap", client, _body("c15", "u1", text="ن" * 900)),
    ]
    cases = [(name, headers, _own_reporter(body, n)) for n, (name, headers, body) in enumerate(cases)]
    limited: list[Case] = [(f"rate limit {n}", client, _body(f"r{n}", "busy")) for n in range(4)]
    return counted + cases + limited


def _own_reporter(body: bytes | str, n: int) -> bytes | str:
    """Each case by a reader of its own (``u1`` becomes ``u1-5``): the reader's limit is its own case."""
    return re.sub('"reporter_id": "(u[0-9]+)"', rf'"reporter_id": "\1-{n}"', body) if isinstance(body, str) else body


def _run(app: Any, cases: list[Case]) -> list[tuple[str, int, dict[str, str], Any]]:
    server = LiveServer(app)
    try:
        answers = []
        for name, headers, body in cases:
            answer = requests.post(server.url + ROUTE, data=body, headers={**headers, "X-Case": name}, timeout=30)
            kept = {k: answer.headers[k] for k in KEEP if k in answer.headers}
            if REQUEST_ID.match(kept.get("X-Request-Id", "")):
                kept["X-Request-Id"] = "(fresh)"
            answers.append((name, answer.status_code, kept, answer.json()))
        return answers
    finally:
        server.stop()


def test_the_lane_answers_as_the_view(settings: dict[str, Any], store: Store) -> None:
    settings = {**settings, "reporter_rate_limit": "3/60", "max_json_bytes": 1024}
    app = create_app(settings)
    assert isinstance(app.wsgi_app, ReportLane)
    cases = _cases()
    flask = app.wsgi_app.inner
    deferred: list[str] = []

    def counted_flask(environ: dict[str, Any], start_response: Any) -> Any:
        deferred.append(environ["HTTP_X_CASE"])
        return flask(environ, start_response)

    app.wsgi_app.inner = counted_flask
    through_lane = _run(app, cases)
    assert deferred == ["no key", "text/plain", "over the json cap"]  # the lane served every other case
    store.client.flushall()
    through_flask = _run(flask, cases)
    for lane, flask in zip(through_lane, through_flask, strict=True):
        assert lane == flask
    statuses = {name: status for name, status, _, _ in through_lane}
    assert statuses["reporter 2"] == statuses["admin key"] == 202
    assert (statuses["invalid json"], statuses["missing field"], statuses["unknown key"]) == (400, 422, 401)
    assert (statuses["moderator key"], statuses["type mismatch"], statuses["rate limit 3"]) == (403, 409, 429)
    assert (statuses["text/plain"], statuses["over the json cap"]) == (415, 413)
    assert through_lane[2][3]["status"] == "hidden"
    assert through_lane[4][3]["duplicate"] is True
    for _, status, _, body in through_lane:  # the answer is exactly what the documented model says
        if status == 202:
            assert ReportAccepted.model_validate(body).model_dump() == body


def test_which_requests_the_lane_takes(settings: dict[str, Any]) -> None:
    lane = create_app(settings).wsgi_app
    assert isinstance(lane, ReportLane)
    base = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": ROUTE,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "50",
        "HTTP_AUTHORIZATION": "Bearer k",
    }
    assert lane.takes(base)
    others: list[dict[str, str]] = [
        {"REQUEST_METHOD": "GET"},
        {"PATH_INFO": "/v1/reports/"},
        {"CONTENT_TYPE": "multipart/form-data; boundary=x"},
        {"CONTENT_LENGTH": ""},
        {"CONTENT_LENGTH": "0"},
        {"CONTENT_LENGTH": str(64 * 1024 + 1)},
        {"HTTP_TRANSFER_ENCODING": "chunked"},
    ]
    for change in others:
        assert not lane.takes({**base, **change}), change
    assert not lane.takes({k: v for k, v in base.items() if k != "HTTP_AUTHORIZATION"})  # a session cookie's


def test_the_lane_counts_requests_and_keys(
    settings: dict[str, Any], api_factory: Callable[[dict[str, Any]], Any]
) -> None:
    api = api_factory({**settings, "key_rate_limit": "2/60"})
    labels = {"route": ROUTE, "method": "POST", "status": "202"}
    before = REGISTRY.get_sample_value("raqib_http_requests_total", labels) or 0.0
    answers = [api.post(ROUTE, json={"item_id": f"k{n}", "item_type": "comment", "reporter_id": "u"}) for n in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].json()["error"] == "rate_limited" and answers[2].headers["Retry-After"]
    assert REGISTRY.get_sample_value("raqib_http_requests_total", labels) == before + 2


@pytest.mark.parametrize("through", ["lane", "flask"])
def test_an_unreachable_store_is_a_503_either_way(settings: dict[str, Any], through: str) -> None:
    app = create_app({**settings, "redis_url": "redis://127.0.0.1:9/0", "redis_cluster": False})
    served = app if through == "lane" else app.wsgi_app.inner
    answers = _run(
        served,
        [
            (
                "report",
                {"Authorization": f"Bearer {KEYS['client']}", "Content-Type": "application/json"},
                _body("c", "u"),
            )
        ],
    )
    _, status, headers, body = answers[0]
    assert (status, body["error"], headers["Retry-After"]) == (503, "store_unavailable", "5")
