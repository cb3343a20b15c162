"""Shared fixtures: a real Redis server, an empty database per test, the app served over real HTTP."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from raqib.service.app import create_app
from raqib.service.store import ReportOutcome, Store
from raqib.service.store.embedded import EmbeddedRedis
from raqib.service.store.local_cluster import LocalCluster
from werkzeug.serving import make_server

KEYS = {"client": "test-client-key", "moderator": "test-moderator-key", "admin": "test-admin-key"}
API_KEYS = ",".join(f"{role}:{key}" for role, key in KEYS.items())


def skip_requested(part: str) -> bool:
    """Whether a person asked to leave ``part`` (``browser``, ``ocr``) out: ``RAQIB_TEST_SKIP=browser,ocr``.
    Otherwise a missing Chromium or Tesseract fails its tests (``.ci/system-packages`` installs them)."""
    return part in {p.strip() for p in os.environ.get("RAQIB_TEST_SKIP", "").split(",")}


@pytest.fixture(scope="session", params=["single", "cluster"])
def redis_kind(request: pytest.FixtureRequest) -> str:
    """Every test that uses Redis runs against one server and against a 3-master Redis Cluster."""
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def redis_url(redis_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``RAQIB_TEST_REDIS_URL`` names an existing single server; otherwise servers are started."""
    if redis_kind == "single" and os.environ.get("RAQIB_TEST_REDIS_URL"):
        yield os.environ["RAQIB_TEST_REDIS_URL"]
        return
    if redis_kind == "cluster":
        cluster = LocalCluster(tmp_path_factory.mktemp("cluster")).start()
        yield cluster.url
        cluster.stop()
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def store(redis_url: str, redis_kind: str) -> Iterator[Store]:
    store = Store.from_url(redis_url, cluster=redis_kind == "cluster", partitions=4)
    store.client.flushall()
    yield store
    store.close()


@pytest.fixture
def settings(redis_url: str, redis_kind: str) -> dict[str, Any]:
    """The app's configuration as a dict; tests change it before asking for ``app``."""
    return {
        "redis_url": redis_url,
        "redis_cluster": redis_kind == "cluster",
        "api_keys": API_KEYS,
        "partitions": 4,
        "reporter_rate_limit": "1000/60",
        "model_dir": "off",
        "webhook_allow_private": True,
        "webhook_retry_schedule": "100ms,100ms,100ms,100ms",
        "webhook_timeout_s": 2.0,
        "webhook_lease_s": 3.0,
    }


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random classifier artifact, built once per session with the real training code."""
    from raqib.models.training.tiny import build_tiny_artifact

    return build_tiny_artifact(tmp_path_factory.mktemp("tiny-model"))


class Api:
    """A real HTTP client for the served app, authenticated as ``role`` by default."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def request(self, method: str, path: str, role: str | None = "client", **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if role is not None:
            headers.setdefault("Authorization", f"Bearer {KEYS[role]}")
        return self.session.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)


class LiveServer:
    """The app on a real HTTP server on 127.0.0.1, in a thread."""

    def __init__(self, app: Any) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join()


@pytest.fixture
def api_factory(store: Store) -> Iterator[Callable[[dict[str, Any]], Api]]:
    """Serve an app built from given settings; for tests that change them."""
    made: list[tuple[LiveServer, Api]] = []

    def make(settings: dict[str, Any]) -> Api:
        server = LiveServer(create_app(settings))
        made.append((server, Api(server.url)))
        return made[-1][1]

    yield make
    for server, client in made:
        client.session.close()
        server.stop()


@pytest.fixture
def api(api_factory: Callable[[dict[str, Any]], Api], settings: dict[str, Any]) -> Api:
    return api_factory(settings)


def serve_command(port: int, *extra: str) -> list[str]:
    """`raqib serve` on 127.0.0.1 with two gunicorn workers, as a child process runs it."""
    return [
        sys.executable,
        "-m",
        "raqib.service.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        *extra,
    ]


def process_env(**values: str) -> dict[str, str]:
    """This process's environment without Raqib's settings, plus ``values``: for child processes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAQIB_") and k != "REDIS_URL"}
    env.update(values)
    return env


def direct_report(store: Store, item_id: str, reporter: str, **overrides: Any) -> ReportOutcome:
    """A report straight through the store, with the test defaults."""
    values: dict[str, Any] = {
        "item_id": item_id,
        "item_type": "comment",
        "reporter_id": reporter,
        "reason": "other",
        "report": {},
        "threshold": 3,
        "rule": "test",
        "new_item_fields": {},
        **overrides,
    }
    return store.report(**values)


def report(api: Api, item_id: str, reporter: str, **fields: Any) -> requests.Response:
    body = {"item_id": item_id, "item_type": "comment", "reporter_id": reporter, **fields}
    return api.post("/v1/reports", json=body)


@pytest.fixture
def receivers() -> Iterator[Callable[..., Any]]:
    """Make real webhook receivers on 127.0.0.1; all are closed after the test."""
    from .receiver import Receiver

    made: list[Receiver] = []

    def make(
        answer: Callable[[int], tuple[int, float]] = lambda n: (200, 0.0), headers: dict[str, str] | None = None
    ) -> Receiver:
        made.append(Receiver(answer, headers))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()
