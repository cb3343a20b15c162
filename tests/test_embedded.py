"""Persistence of the embedded Redis: acknowledged reports survive restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from raqib.service.app import create_app
from raqib.service.store.embedded import EmbeddedRedis

from .conftest import API_KEYS, KEYS


def _report_many(url: str, count: int) -> None:
    client = create_app(
        {"redis_url": url, "api_keys": API_KEYS, "reporter_rate_limit": "off", "model_dir": "off"}
    ).test_client()
    for n in range(count):
        body = {"item_id": f"p{n % 7}", "item_type": "comment", "reporter_id": f"r{n}"}
        response = client.post("/v1/reports", json=body, headers={"Authorization": f"Bearer {KEYS['client']}"})
        assert response.status_code == 202


def _total_reports(url: str) -> int:
    client = create_app({"redis_url": url, "api_keys": API_KEYS, "model_dir": "off"}).test_client()
    headers = {"Authorization": f"Bearer {KEYS['client']}"}
    return sum(client.get(f"/v1/items/p{n}", headers=headers).get_json()["reports"] for n in range(7))


@pytest.mark.slow
@pytest.mark.parametrize("crash", [False, True], ids=["graceful-restart", "kill-9-with-fsync-always"])
def test_acknowledged_reports_survive_a_restart(tmp_path: Path, crash: bool) -> None:
    server = EmbeddedRedis(tmp_path, fsync="always" if crash else "everysec").start()
    try:
        _report_many(server.url, 60)
        if crash:
            server.kill()
        else:
            server.stop()
        server.start()
        assert _total_reports(server.url) == 60
    finally:
        server.stop()


def test_stale_server_is_replaced(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path).start()
    second = EmbeddedRedis(tmp_path).start()
    try:
        assert first.process is not None and first.process.wait(timeout=10) is not None
    finally:
        second.stop()


def test_stop_only_stops_its_own_server(tmp_path: Path) -> None:
    """A server that lost its socket path to a newer one must not shut the newer one down."""
    old = EmbeddedRedis(tmp_path / "old").start()
    new = EmbeddedRedis(tmp_path / "new").start()
    old.socket = new.socket  # as after a restart on the same data directory
    try:
        old.stop()
        assert new.process is not None and new.process.poll() is None
        assert redis.Redis(unix_socket_path=str(new.socket)).ping()
    finally:
        new.stop()
