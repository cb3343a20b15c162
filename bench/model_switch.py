"""Switching the active model under load: how long until every web process answers with the new
version, how many requests fail meanwhile, and whether memory comes back to one model's worth.

The service runs as ``raqib serve`` does (gunicorn, several processes, embedded Redis) with the
bundled model; two versions are registered — the bundled directory and a copy of it, or
``--candidate DIR`` — and, while clients keep calling ``/v1/classify``, the candidate is activated,
then the first version again (the roll-back). Every answer names the version that scored it
(``X-Raqib-Model-Version``), so the switch is seen from the outside. Memory is the resident size
of the web processes (``/proc``), before, at its peak during the switch, and some seconds after.
Usage:

    python bench/model_switch.py [--workers N] [--clients 4] [--settle 10] [--candidate DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import free_port, serve, wait

CLIENT, ADMIN = "bench-client-key", "bench-admin-key"


def call(port: int, method: str, path: str, key: str, body: Any = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data


class Load:
    """Clients calling /v1/classify in a loop, each answer kept as (time, status, version)."""

    def __init__(self, port: int, clients: int) -> None:
        self.port, self.stop = port, threading.Event()
        self.answers: list[tuple[float, int, str]] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(clients)]

    def _loop(self) -> None:
        headers = {"Authorization": f"Bearer {CLIENT}", "Content-Type": "application/json", "Connection": "close"}
        body = json.dumps({"text": "والله مقال زوين، شكرا على المعلومات"})
        while not self.stop.is_set():
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)  # a new one: any process
            try:
                conn.request("POST", "/v1/classify", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                answer = (time.monotonic(), response.status, response.getheader("X-Raqib-Model-Version") or "")
            except (OSError, http.client.HTTPException):
                answer = (time.monotonic(), 0, "")
            finally:
                conn.close()
            with self.lock:
                self.answers.append(answer)

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()

    def since(self, started: float) -> list[tuple[float, int, str]]:
        with self.lock:
            return [a for a in self.answers if a[0] >= started]


def worker_rss_mb(master: int) -> list[float]:
    """Resident size (MB) of each child of the gunicorn master: the web processes."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != master:
                continue
            status = (entry / "status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes)


def switch(port: int, master: int, load: Load, target: str, settle: float) -> dict[str, Any]:
    """Activate ``target`` and watch: seconds until the last answer from the old version, failures,
    and the web processes' memory before, at peak and ``settle`` seconds after."""
    before = worker_rss_mb(master)
    started = time.monotonic()
    status, _, body = call(port, "POST", f"/v1/models/{target}/activate", ADMIN)
    if status != 200:
        raise RuntimeError(f"activate {target}: HTTP {status} {body!r}")
    peak = list(before)
    while time.monotonic() - started < settle:
        now = worker_rss_mb(master)
        if sum(now) > sum(peak):
            peak = now
        time.sleep(0.2)
    answers = load.since(started)
    old = [t for t, status, version in answers if status == 200 and version != target]
    new = [t for t, status, version in answers if status == 200 and version == target]
    return {
        "reached_all_s": (max(old) - started) if old else 0.0,
        "first_new_s": (min(new) - started) if new else None,
        "answers": len(answers),
        "failed": sum(1 for _, s, _ in answers if s != 200),
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "rss_after_mb": worker_rss_mb(master),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from raqib.models.paths import BUNDLED
    from raqib.service.serve import default_workers

    parser.add_argument("--workers", type=int, default=default_workers(), help="web processes (as raqib serve)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients calling /v1/classify")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds watched after each activation")
    parser.add_argument("--candidate", type=Path, default=None, help="the version switched to (default: a copy)")
    args = parser.parse_args()
    from raqib.service.store.embedded import EmbeddedRedis

    work = Path(tempfile.mkdtemp(prefix="raqib-switch-"))
    candidate = args.candidate or work / "candidate"
    if args.candidate is None:
        shutil.copytree(BUNDLED, candidate)
    embedded = EmbeddedRedis(str(work / "redis")).start()
    port = free_port()
    settings = {
        "redis_url": embedded.url,
        "api_keys": f"client:{CLIENT},admin:{ADMIN}",
        "classify_rate_limit": "off",
        "model_queue": 16,  # room for every client: a refusal here would be the queue, not the switch
        "model_host_slots": 64,
    }
    server = mp.Process(target=serve, args=(port, args.workers, settings), daemon=True)
    server.start()
    try:
        wait(port)
        for name, path in (("first", BUNDLED), ("second", candidate)):
            status, _, body = call(port, "POST", "/v1/models", ADMIN, {"name": name, "path": str(Path(path).resolve())})
            if status != 201:
                raise RuntimeError(f"register {name}: HTTP {status} {body!r}")
        print(f"cores={os.cpu_count()} web processes={args.workers} clients={args.clients} settle={args.settle}s")
        with Load(port, args.clients) as load:
            time.sleep(2)
            rows = [("default -> first", switch(port, server.pid or 0, load, "first", args.settle))]
            rows.append(("first -> second", switch(port, server.pid or 0, load, "second", args.settle)))
            rows.append(("second -> first (roll back)", switch(port, server.pid or 0, load, "first", args.settle)))
    finally:
        server.terminate()
        server.join(10)
        embedded.stop()
    print(f"{'switch':30s} {'every process':>14s} {'first new':>10s} {'answers':>8s} {'failed':>7s}  memory MB/process")
    for name, r in rows:
        mem = "before {} peak {} after {}".format(
            *("/".join(f"{x:.0f}" for x in r[k]) for k in ("rss_before_mb", "rss_peak_mb", "rss_after_mb"))
        )
        first = f"{r['first_new_s']:.2f}s" if r["first_new_s"] is not None else "-"
        print(f"{name:30s} {r['reached_all_s']:13.2f}s {first:>10s} {r['answers']:8d} {r['failed']:7d}  {mem}")
    end = sum(rows[-1][1]["rss_after_mb"])
    print(
        f"memory after the roll-back / after the first switch: {end / max(1.0, sum(rows[0][1]['rss_after_mb'])):.2f}; "
        f"/ at start: {end / max(1.0, sum(rows[0][1]['rss_before_mb'])):.2f} (the new model loads while the old one "
        "serves; what the heap keeps of that overlap is paid once, not per switch)"
    )


if __name__ == "__main__":
    main()
