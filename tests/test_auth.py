from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from raqib.service.auth import ensure_keys, key_id
from raqib.service.config import Config

from .conftest import Api, report


def test_missing_key_is_401_with_json(api: Api) -> None:
    response = api.post("/v1/reports", role=None, json={})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_key_is_401(api: Api) -> None:
    response = api.get("/v1/items/x", role=None, headers={"Authorization": "Bearer not-a-key"})
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["moderator"])
def test_wrong_role_is_403(api: Api, role: str) -> None:
    response = api.post("/v1/reports", role=role, json={"item_id": "c", "item_type": "comment", "reporter_id": "r"})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_admin_may_do_what_a_client_does(api: Api) -> None:
    response = api.post("/v1/reports", role="admin", json={"item_id": "c", "item_type": "comment", "reporter_id": "r"})
    assert response.status_code == 202


def test_auth_runs_before_validation(api: Api) -> None:
    assert api.post("/v1/reports", role=None, json={"bad": 1}).status_code == 401


def test_key_rate_limit_when_enabled(settings: dict[str, Any], api_factory: Callable[[dict[str, Any]], Api]) -> None:
    settings["key_rate_limit"] = "2/60"
    api = api_factory(settings)
    codes = [report(api, f"c{i}", f"r{i}").status_code for i in range(3)]
    assert codes == [202, 202, 429]


def test_generated_keys_are_kept_and_valid(tmp_path: Path) -> None:
    text, created = ensure_keys(tmp_path / "api_keys")
    again, created_again = ensure_keys(tmp_path / "api_keys")
    assert created and not created_again and text == again
    assert sorted(Config.from_mapping({"api_keys": text}).keys.values()) == ["admin", "client", "moderator"]
    assert (tmp_path / "api_keys").stat().st_mode & 0o077 == 0
    assert len(key_id("secret")) == 12
