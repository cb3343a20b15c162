"""What the HTTP benchmarks share: the service under gunicorn as ``raqib serve`` runs it, a free
port, waiting for it, and wrk's one-line JSON result (the ``*_load.lua`` scripts print it)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any


def serve(
    port: int,
    workers: int,
    settings: dict[str, Any],
    threads: int = 2,
    worker_class: str = "gthread",
    factory: Callable[[], Any] | None = None,
) -> None:
    """Run the app with ``settings`` (or ``factory``'s app) under gunicorn as ``raqib serve`` does
    (gthread, 2 threads unless told otherwise, plus the model queue's): a process's target."""
    from raqib.service.app import create_app
    from raqib.service.config import Config
    from raqib.service.serve import GunicornApp, handler_threads

    if factory is None:
        threads = handler_threads(threads, Config.from_mapping(settings))

    options = {
        "bind": f"127.0.0.1:{port}",
        "workers": workers,
        "worker_class": worker_class,
        "threads": threads,
        "keepalive": 5,
        "accesslog": None,
        "loglevel": "warning",
        "control_socket_disable": True,
    }
    GunicornApp(factory or (lambda: create_app(settings)), options).run()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait(port: int) -> None:
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def wrk(script: str, env: dict[str, str], port: int, seconds: float, clients: int) -> dict[str, float]:
    """Run wrk with a script of this folder; requests/s, p50 and p99 (ms)."""
    path = Path(__file__).with_name(script)
    command = ["wrk", "-t2", f"-c{clients}", f"-d{round(seconds)}s", "-s", str(path), f"http://127.0.0.1:{port}"]
    env = {**os.environ, **env, "RAQIB_BENCH_DIR": str(path.parent)}  # the scripts load wrk_done.lua from it
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if result["errors"]:
        raise RuntimeError(f"wrk saw {result['errors']} errors")
    return {
        "rps": result["requests"] / result["seconds"],
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "requests": result["requests"],
    }


def sequential(port: int, key: str, requests: Iterable[tuple[str, str]], warmup: int = 20) -> list[float]:
    """Latencies (ms) of ``(path, JSON body)`` POSTs sent one at a time on one connection; the first
    ``warmup`` are not counted. Any answer but 200 or 202 stops the run."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    out = []
    for n, (path, body) in enumerate(requests):
        started = time.perf_counter()
        conn.request("POST", path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status not in (200, 202):
            raise RuntimeError(f"{path}: HTTP {response.status}")
        if n >= warmup:
            out.append((time.perf_counter() - started) * 1000)
    conn.close()
    return out


def pct(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile of ``values``."""
    return sorted(values)[int(q * (len(values) - 1))]
