"""Throughput and latency of ``POST /v1/reports`` against a bare Flask endpoint, in one run.

Both apps run under the same gunicorn settings as ``raqib serve``; the report endpoint uses a
real Redis (embedded, or ``REDIS_URL``). Each request reports a distinct item by a distinct
reader. Load comes from ``wrk`` (Debian package ``wrk``) when installed: a Python load generator
spends more CPU than the server it measures on two cores; without wrk, a Python client is used
and the figures say so. Prints requests/s, p50 and p99 for both, and the ratio. Usage:

    python bench/report_endpoint.py [--seconds 10] [--workers N] [--threads N] [--clients 16] [--cluster]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from common import free_port, wait, wrk
from flask import Flask

KEY = "bench-client-key"


def bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/v1/reports")
    def ok() -> dict[str, bool]:
        return {"ok": True}

    return app


def _serve(
    kind: str, port: int, workers: int, threads: int, redis_url: str, worker_class: str, model: str, cluster: bool
) -> None:
    from raqib.service.app import create_app
    from raqib.service.serve import GunicornApp

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
    settings = {
        "redis_url": redis_url,
        "api_keys": f"client:{KEY}",
        "reporter_rate_limit": "1000000/60",
        "model_dir": model,
        "redis_cluster": cluster,
    }
    factory = (lambda: create_app(settings)) if kind == "raqib" else bare_app
    GunicornApp(factory, options).run()


def _client(port: int, seconds: float, prefix: str, threads: int, queue: mp.Queue) -> None:
    import threading

    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop(tid: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, n = [], 0
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        while time.monotonic() < deadline:
            n += 1
            body = json.dumps(
                {
                    "item_id": f"{prefix}-{tid}-{n}",
                    "item_type": "comment",
                    "reporter_id": f"r-{prefix}-{tid}-{n}",
                    "reason": "hate",
                    "text": "تعليق للاختبار",
                }
            )
            start = time.perf_counter()
            conn.request("POST", "/v1/reports", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status not in (200, 202):
                raise RuntimeError(f"unexpected status {response.status}")
        conn.close()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put(latencies)


def load_wrk(port: int, seconds: float, clients: int, prefix: str) -> dict[str, float]:
    return wrk("report_load.lua", {"RAQIB_KEY": KEY, "RAQIB_PREFIX": prefix}, port, seconds, clients)


def measure(kind: str, args: argparse.Namespace, redis_url: str, cluster: bool = False) -> dict[str, float]:
    port = free_port()
    server = mp.Process(
        target=_serve,
        args=(kind, port, args.workers, args.threads, redis_url, args.worker_class, args.model, cluster),
        daemon=True,
    )
    server.start()
    try:
        wait(port)
        if shutil.which("wrk"):
            load_wrk(port, 2, args.clients, f"warm{kind}")
            return load_wrk(port, args.seconds, args.clients, f"{kind}{time.time_ns()}")
        queue: mp.Queue = mp.Queue()
        per_proc = max(1, args.clients // 2)
        clients = [mp.Process(target=_client, args=(port, 1.0, f"warm{kind}{p}", per_proc, queue)) for p in range(2)]
        for c in clients:
            c.start()
        for _ in clients:
            queue.get()
        started = time.monotonic()
        clients = [
            mp.Process(target=_client, args=(port, args.seconds, f"{kind}{p}{time.time_ns()}", per_proc, queue))
            for p in range(2)
        ]
        for c in clients:
            c.start()
        latencies = [x for _ in clients for x in queue.get()]
        elapsed = time.monotonic() - started
        for c in clients:
            c.join()
    finally:
        server.terminate()
        server.join(10)
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "requests": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    from raqib.service.serve import default_workers

    parser.add_argument("--workers", type=int, default=default_workers(), help="default: as raqib serve")
    parser.add_argument("--threads", type=int, default=2, help="default: as raqib serve")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--cluster", action="store_true", help="also measure against a local 3-master Redis Cluster")
    parser.add_argument(
        "--model",
        default="off",
        help="RAQIB_MODEL_DIR for the service: off (the endpoint's own "
        "cost), or empty for the bundled model (every first report of a comment is scored)",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive connections")
    args = parser.parse_args()
    from raqib.service.store.embedded import EmbeddedRedis

    embedded = None
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-")).start()
        redis_url = embedded.url
    try:
        print(
            f"cores={os.cpu_count()} workers={args.workers} threads={args.threads} clients={args.clients} "
            f"seconds={args.seconds} redis={'embedded' if embedded else 'REDIS_URL'} model={args.model or 'bundled'} "
            f"load={'wrk' if shutil.which('wrk') else 'python (install wrk for figures that measure the server)'}"
        )
        bare = measure("bare", args, redis_url)
        raqib = measure("raqib", args, redis_url)
        rows = [("bare flask", bare), ("POST /v1/reports", raqib)]
        if args.cluster:
            from raqib.service.store.local_cluster import LocalCluster

            local = LocalCluster(Path(tempfile.mkdtemp(prefix="raqib-cluster-"))).start()
            try:
                rows.append(("reports, 3-master cluster", measure("raqib", args, local.url, cluster=True)))
            finally:
                local.stop()
    finally:
        if embedded:
            embedded.stop()
    for name, r in rows:
        print(
            f"{name:18s} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms   "
            f"({r['requests']:.0f} requests)"
        )
    ratio = raqib["rps"] / bare["rps"]
    print(f"ratio report/bare: {ratio:.2f} (target >= 0.60)   report p99: {raqib['p99_ms']:.1f} ms (target <= 25)")
    if args.cluster:
        print(
            f"ratio cluster/single server: {rows[2][1]['rps'] / raqib['rps']:.2f} "
            "(all processes on one 2-core machine: the cluster's three servers share the same cores)"
        )


if __name__ == "__main__":
    main()
