"""``raqib serve`` as a user runs it: embedded Redis, generated keys, gunicorn, a clean stop."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import process_env, serve_command
from .imagegen import encode, scene


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    env = process_env(RAQIB_DATA_DIR=str(tmp_path / "var"))
    return subprocess.Popen(serve_command(port), env=env, stderr=subprocess.PIPE, text=True, cwd=tmp_path)


def _wait_ready(url: str, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "raqib serve exited early"
        try:
            if requests.get(url + "/readyz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("raqib serve did not become ready")


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    return stderr


@pytest.mark.slow
def test_serve_with_embedded_redis_persists_across_restarts(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = _start(tmp_path, port)
    try:
        _wait_ready(url, process)
        keys = dict(line.split(":", 1) for line in (tmp_path / "var" / "api_keys").read_text().strip().split(","))
        auth = {"Authorization": f"Bearer {keys['client']}"}
        for reader in ("a", "b", "c"):
            body = {"item_id": "served-1", "item_type": "image", "reporter_id": reader}
            assert requests.post(url + "/v1/reports", json=body, headers=auth, timeout=10).status_code == 202
        # two gunicorn workers served these; /metrics adds their counts up
        admin = {"Authorization": f"Bearer {keys['admin']}"}
        metrics = requests.get(url + "/metrics", headers=admin, timeout=10).text
        assert 'raqib_reports_total{item_type="image",outcome="accepted"} 3.0' in metrics
        # the worker process analyses uploaded images
        fields = {"item_id": "served-2", "item_type": "image", "reporter_id": "a"}
        files = {"image": ("p.png", encode(scene(1)), "image/png")}
        assert requests.post(url + "/v1/reports", data=fields, files=files, headers=auth, timeout=10).ok
        moderator = {"Authorization": f"Bearer {keys['moderator']}"}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            view = requests.get(url + "/v1/review/items/served-2", headers=moderator, timeout=10).json()
            if view["image_analysis"]["analysed"]:
                break
            time.sleep(0.3)
        assert view["image_analysis"]["pdq"]["quality"] == 100
        # ... and scores comments off the report path (the bundled model)
        body = {"item_id": "served-3", "item_type": "comment", "reporter_id": "a", "text": "يا حمار"}
        assert requests.post(url + "/v1/reports", json=body, headers=auth, timeout=10).status_code == 202
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            scores = requests.get(url + "/v1/items/served-3", headers=auth, timeout=10).json()["scores"]
            if scores:
                break
            time.sleep(0.2)
        assert scores and scores["offensive"] > 0.5
    finally:
        stderr = _stop(process)
    assert process.returncode == 0, stderr
    assert re.search(r"client:rq_cli_\S+", stderr), "the generated keys are printed once"

    process = _start(tmp_path, port)
    try:
        _wait_ready(url, process)
        item = requests.get(url + "/v1/items/served-1", headers=auth, timeout=10).json()
        assert (item["status"], item["reports"]) == ("hidden", 3)
    finally:
        stderr = _stop(process)
    assert "client:rq_cli_" not in stderr, "existing keys are not printed again"
    key_file = (tmp_path / "var" / "api_keys").resolve()
    assert f"API keys are in {key_file}" in stderr, "every start says where the keys are"
    # the README's examples read a key with `raqib keys ROLE`, run where raqib serve ran
    env = process_env(RAQIB_DATA_DIR=str(tmp_path / "var"))
    for role in ("client", "moderator", "admin"):
        printed = subprocess.run(["raqib", "keys", role], env=env, cwd=tmp_path, capture_output=True, text=True)
        assert printed.returncode == 0 and printed.stdout.strip() == keys[role], printed.stderr
