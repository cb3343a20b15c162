from __future__ import annotations

from flask import Flask
from raqib.service.app import create_app

from .conftest import Api


def test_healthz_needs_no_key(api: Api) -> None:
    assert api.get("/healthz", role=None).json() == {"status": "ok", "checks": {}}


def test_readyz_reports_redis(api: Api) -> None:
    body = api.get("/readyz", role=None).json()
    assert body["checks"]["redis"] == "ok"


def test_readyz_is_503_when_redis_is_down() -> None:
    app = create_app({"redis_url": "redis://127.0.0.1:1/0", "api_keys": "client:abcdefghij", "model_dir": "off"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["error"] == "not_ready"


def test_redis_down_is_503_not_500() -> None:
    app = create_app({"redis_url": "redis://127.0.0.1:1/0", "api_keys": "client:abcdefghij", "model_dir": "off"})
    body = {"item_id": "c", "item_type": "comment", "reporter_id": "r"}
    response = app.test_client().post("/v1/reports", json=body, headers={"Authorization": "Bearer abcdefghij"})
    assert response.status_code == 503
    assert response.get_json()["error"] == "store_unavailable"


def _api_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "openapi") or rule.rule.startswith(("/apidoc", "/review/")):  # pages
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        routes |= {(path, m.lower()) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    return routes


def test_every_route_is_in_openapi(api: Api, settings: dict) -> None:
    spec = api.get("/openapi.json", role=None).json()
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert _api_routes(create_app(settings)) <= documented
    report = spec["paths"]["/v1/reports"]["post"]
    assert "202" in report["responses"] and "422" in report["responses"]
    assert report["security"] == [{"bearer": []}]
