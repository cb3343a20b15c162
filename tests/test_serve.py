"""``raqib serve`` as a user runs it: embedded Redis, generated keys, gunicorn, a clean stop."""

from __future__ import annotations

import os
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


def _proc_stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, start time) of a live process, None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), fields[0], fields[19]


def _descendants(root: int) -> dict[int, str]:
    """Every process under ``root``: pid -> start time (so that a reused pid is not taken for it)."""
    parents: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))) is not None:
            parents[int(entry.name)] = (stat[0], stat[2])
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, started) in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = started
                frontier.append(pid)
    return found


def _alive(pid: int, started: str) -> bool:
    stat = _proc_stat(pid)
    return stat is not None and stat[2] == started and stat[1] not in ("Z", "X")  # a zombie has died


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.slow
def test_no_child_outlives_a_master_killed_with_sigkill(tmp_path: Path) -> None:
    """An OOM kill of the master: its web workers, the background worker and the embedded
    redis-server get the parent-death signal and are gone within 15 s."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = process_env(RAQIB_DATA_DIR=str(tmp_path / "var"))
    with open(tmp_path / "serve.log", "w") as log:  # a pipe nobody reads could block the orphans
        process = subprocess.Popen(serve_command(port), env=env, stderr=log, cwd=tmp_path)
    children: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                healthy = requests.get(url + "/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                healthy = False
            children = _descendants(process.pid)
            commands = [_cmdline(pid) for pid in children]
            if healthy and any("redis-server" in c for c in commands) and any("service.worker" in c for c in commands):
                break
            time.sleep(0.2)
        commands = [_cmdline(pid) for pid in children]
        assert sum("service.cli serve" in c for c in commands) >= 2, commands  # gunicorn's web workers
        assert any("redis-server" in c for c in commands) and any("service.worker" in c for c in commands), commands
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        killed = time.monotonic()
        while time.monotonic() - killed < 15 and any(_alive(pid, started) for pid, started in children.items()):
            time.sleep(0.1)
        survivors = {pid: _cmdline(pid) for pid, started in children.items() if _alive(pid, started)}
        assert not survivors, f"alive {time.monotonic() - killed:.1f} s after the master's SIGKILL: {survivors}"
        print(f"{len(children)} children gone {time.monotonic() - killed:.1f} s after the master's SIGKILL")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid, started in children.items():  # never leave one behind, whatever failed
            if _alive(pid, started):
                os.kill(pid, signal.SIGKILL)
