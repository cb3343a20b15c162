"""The worker's heartbeat in Redis and `raqib worker --check`, the worker container's health check."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from raqib.service.store import Store
from raqib.service.store.embedded import EmbeddedRedis
from raqib.service.worker import heartbeat

from .conftest import process_env


def _check(settings: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    env = process_env(REDIS_URL=settings["redis_url"], RAQIB_REDIS_CLUSTER=str(settings["redis_cluster"]).lower())
    command = [sys.executable, "-m", "raqib.service.cli", "worker", "--check", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_a_beat_is_stamped_with_redis_time_and_forgotten(store: Store) -> None:
    at = store.workers.beat("host-a-1")
    store.workers.beat("host-b-2")
    assert abs(at - store.now_ms()) < 5_000
    ages = store.workers.ages_ms("host-a-")
    assert list(ages) == ["host-a-1"] and 0 <= ages["host-a-1"] < 5_000
    store.workers.forget("host-a-1")
    assert store.workers.ages_ms().keys() == {"host-b-2"}


def test_the_heartbeat_stops_when_a_loop_of_the_worker_dies(store: Store) -> None:
    stop, hold = threading.Event(), threading.Event()
    loop = threading.Thread(target=hold.wait, daemon=True)
    loop.start()
    beating = heartbeat(store, "host-c-3", [loop], stop, every_s=0.05)
    try:
        deadline = time.monotonic() + 5
        while "host-c-3" not in store.workers.ages_ms() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "host-c-3" in store.workers.ages_ms()
        hold.set()  # the loop ends: no more beats
        loop.join()
        time.sleep(0.2)
        first = store.workers.ages_ms()["host-c-3"]
        time.sleep(0.3)
        assert store.workers.ages_ms()["host-c-3"] >= first + 250
    finally:
        stop.set()
        beating.join(timeout=5)


def test_check_exits_0_only_while_the_heartbeat_is_fresh(store: Store, settings: dict[str, Any]) -> None:
    missing = _check(settings, "--consumer", "host-d-4")
    assert missing.returncode == 1 and "no heartbeat from host-d-4" in missing.stdout
    store.workers.beat("host-d-4")
    fresh = _check(settings, "--consumer", "host-d-4")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert fresh.stdout.startswith("healthy: host-d-4")
    time.sleep(0.6)
    stale = _check(settings, "--consumer", "host-d-4", "--max-age", "0.5")
    assert stale.returncode == 1 and "unhealthy: host-d-4 last beat" in stale.stdout
    other_host = _check(settings)  # by default: a worker of this host, named "<hostname>-<pid>"
    assert other_host.returncode == 1


def test_check_fails_when_redis_cannot_be_reached(settings: dict[str, Any]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _check({"redis_url": f"redis://127.0.0.1:{port}/0", "redis_cluster": False})
    assert result.returncode == 1 and "unhealthy: cannot read heartbeats" in result.stdout


@pytest.mark.slow
def test_a_running_worker_is_healthy_until_it_stops(store: Store, settings: dict[str, Any], tmp_path: Path) -> None:
    env = process_env(
        REDIS_URL=settings["redis_url"],
        RAQIB_REDIS_CLUSTER=str(settings["redis_cluster"]).lower(),
        RAQIB_PARTITIONS="4",
        RAQIB_MODEL_DIR="off",
        RAQIB_DATA_DIR=str(tmp_path),
    )
    worker = subprocess.Popen([sys.executable, "-m", "raqib.service.cli", "worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not store.workers.ages_ms(f"{socket.gethostname()}-{worker.pid}"):
            assert worker.poll() is None, "raqib worker exited early"
            assert time.monotonic() < deadline, "no heartbeat within 60 s"
            time.sleep(0.2)
        healthy = _check(settings)
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        assert f"{socket.gethostname()}-{worker.pid}" in healthy.stdout
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    assert _check(settings).returncode == 1  # a stopped worker takes its heartbeat with it


def test_check_without_redis_url_reads_the_embedded_redis_of_raqib_serve(tmp_path: Path) -> None:
    env = process_env(RAQIB_DATA_DIR=str(tmp_path))
    command = [sys.executable, "-m", "raqib.service.cli", "worker", "--check", "--consumer", "host-e-5"]
    none = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert none.returncode == 1 and "set REDIS_URL" in none.stdout
    server = EmbeddedRedis(tmp_path).start()
    try:
        store = Store.from_url(server.url)
        store.workers.beat("host-e-5")
        store.close()
        found = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert found.returncode == 0, found.stdout + found.stderr
    finally:
        server.stop()
