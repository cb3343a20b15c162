"""``POST /v1/reports`` against two anchors, and scoring off the report path, in one run.

1. Saturation: wrk (Debian package ``wrk``) drives three apps under the same gunicorn settings as
   ``raqib serve``: a bare Flask endpoint that does nothing, the *minimal report* (Flask,
   ``request.get_json()``, one registered Lua script that records the reporter once and counts
   it, a JSON answer: the least a report can be in this stack) and the service;
   each request reports a distinct comment (with its text) by a distinct reader;
   the service uses a real Redis (embedded, or ``REDIS_URL``) and, by default, the bundled model.
   The minimal report and the service are saturated in turn ``--rounds`` times (a neighbour's burst
   then spoils one round's ratio, not the figure); prints the medians of requests/s, p50 and p99,
   the ratio of each round and their median, and the CPU each request costs the
   web processes and Redis (the load generator, Redis and the web processes share this machine's
   cores, so every microsecond of theirs is a request the endpoint does not serve).
2. The service as deployed, web processes and a scoring worker: its capacity (reports accepted
   and scored per second: load for ``--seconds``, then until the worker caught up), and at half
   of it, reports sent on a fixed schedule (a late send counts against the server): their p50
   and p99, and the time from a report to its scores stored (Redis's clock at both ends:
   ``first_report_at``, ``scored_at``).
3. The same rate during a flood of heavy ``/v1/classify`` calls: report p50 over its value in 2.

With ``REDIS_URL``, use a server kept for benchmarks: phase 2 empties the scoring queue. The
scoring worker runs at ``RAQIB_MODEL_NICE`` below the web processes, as ``raqib worker`` does.
Without wrk, phase 1 uses a Python client and says so (it spends more CPU than the server it
measures on two cores). Usage:

    python bench/report_endpoint.py [--seconds 10] [--workers N] [--threads N] [--clients 16]
                                    [--rounds 3] [--model off] [--flood 4] [--cluster]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from common import free_port, pct, serve, wait, wrk
from flask import Flask
from scoring import KEY, drained, paced_phases, report_body, with_scorer
from scoring import settings as scoring_settings


def bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/v1/reports")
    def ok() -> dict[str, bool]:
        return {"ok": True}

    return app


MINIMAL_SCRIPT = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  return redis.call('HINCRBY', KEYS[2], 'reports', 1)
end
return tonumber(redis.call('HGET', KEYS[2], 'reports'))
"""


def minimal_app(redis_url: str) -> Flask:
    """The least a report can be in the same stack (the anchor of issue 28): Flask,
    ``request.get_json()``, one registered Lua script that records the reporter once and counts
    it, a JSON answer."""
    import redis
    from flask import request

    client = redis.Redis.from_url(redis_url)
    count = client.register_script(MINIMAL_SCRIPT)
    app = Flask("minimal")

    @app.post("/v1/reports")
    def report() -> tuple[dict[str, object], int]:
        body = request.get_json()
        item = body["item_id"]
        reports = count(keys=[f"min:{item}:reporters", f"min:{item}"], args=[body["reporter_id"]])
        return {"item_id": item, "reports": int(reports)}, 202

    return app


def _settings(redis_url: str, model: str, cluster: bool, nice: int = 10) -> dict[str, Any]:
    return {**scoring_settings(redis_url), "model_dir": model, "redis_cluster": cluster, "model_nice": nice}


def _serve(kind: str, port: int, args: argparse.Namespace, settings: dict[str, Any]) -> None:
    """The service, or with ``kind`` "bare" the bare Flask app, under the run's gunicorn settings."""
    factory = {"bare": bare_app, "minimal": lambda: minimal_app(settings["redis_url"])}.get(kind)
    serve(port, args.workers, settings, args.threads, args.worker_class, factory)


def load(port: int, seconds: float, clients: int) -> dict[str, float]:
    """Reports of distinct comments by distinct readers without pause: wrk when installed."""
    if shutil.which("wrk"):
        return wrk("report_load.lua", {"RAQIB_KEY": KEY, "RAQIB_PREFIX": f"w{time.time_ns()}"}, port, seconds, clients)
    return python_load(port, seconds, clients)


def python_load(port: int, seconds: float, clients: int) -> dict[str, float]:
    """Without wrk: ``clients`` keep-alive connections in two processes, each sending without pause."""
    queue: mp.Queue = mp.Queue()
    per_process = max(1, clients // 2)
    started = time.monotonic()
    procs = [
        mp.Process(target=_client, args=(port, seconds, f"py{p}{time.time_ns()}", per_process, queue)) for p in (0, 1)
    ]
    for c in procs:
        c.start()
    latencies = sorted(x for _ in procs for x in queue.get())
    elapsed = time.monotonic() - started
    for c in procs:
        c.join()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(latencies, 0.5),
        "p99_ms": pct(latencies, 0.99),
        "requests": len(latencies),
    }


def _client(port: int, seconds: float, prefix: str, threads: int, queue: mp.Queue) -> None:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop(tid: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, n = [], 0
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        while time.monotonic() < deadline:
            n += 1
            body = report_body(f"{prefix}-{tid}-{n}")
            start = time.perf_counter()
            conn.request("POST", "/v1/reports", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
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


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes and their children."""
    total = 0.0
    for pid in pids:
        try:
            parent = psutil.Process(pid)
            for p in [parent, *parent.children(recursive=True)]:
                total += sum(p.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return total


def saturate(kind: str, args: argparse.Namespace, settings: dict[str, Any], redis_pid: int | None) -> dict[str, float]:
    """Phase 1 for one app: wrk's figures plus CPU µs per request (web processes, Redis)."""
    port = free_port()
    server = mp.Process(target=_serve, args=(kind, port, args, settings), daemon=True)
    server.start()
    try:
        wait(port)
        load(port, 2, args.clients)
        before = _cpu_seconds([server.pid or 0]), _cpu_seconds([redis_pid] if redis_pid else [])
        result = load(port, args.seconds, args.clients)
        after = _cpu_seconds([server.pid or 0]), _cpu_seconds([redis_pid] if redis_pid else [])
        n = result["requests"]
        result["web_us"] = (after[0] - before[0]) / n * 1e6
        result["redis_us"] = (after[1] - before[1]) / n * 1e6 if redis_pid else float("nan")
        return result
    finally:
        server.terminate()
        server.join(10)


def alternated(
    args: argparse.Namespace, redis_url: str, redis_pid: int | None
) -> tuple[dict[str, float], dict[str, float], list[float]]:
    """The minimal report and the service saturated in turn, ``--rounds`` times: on a shared
    machine a neighbour's burst lands in one run, not in the ratio of every round. Returns the
    medians of both (per figure) and each round's ratio of rates."""
    minimal: list[dict[str, float]] = []
    raqib: list[dict[str, float]] = []
    for _ in range(args.rounds):
        minimal.append(saturate("minimal", args, {"redis_url": redis_url}, redis_pid))
        raqib.append(saturate("raqib", args, _settings(redis_url, args.model, False), redis_pid))
    ratios = [r["rps"] / m["rps"] for m, r in zip(minimal, raqib, strict=True)]
    return _median(minimal), _median(raqib), ratios


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def deployed(args: argparse.Namespace, redis_url: str) -> dict[str, Any]:
    """Phases 2 and 3, on the service as deployed: web processes and a scoring worker. Its capacity
    is the rate of reports accepted and scored (load for ``--seconds``, then until the worker caught
    up); then reports paced at half that, without and with a classify flood."""
    port = free_port()
    settings = _settings(redis_url, args.model, False, args.model_nice)
    server = mp.Process(target=_serve, args=("raqib", port, args, settings), daemon=True)
    with with_scorer(server, settings) as store:
        wait(port)
        load(port, 2, args.clients)
        drained(store)
        started = time.monotonic()
        accepted = load(port, args.seconds, args.clients)["requests"]
        drained(store)
        capacity = accepted / (time.monotonic() - started)
        found = paced_phases(port, store, capacity / 2, args.seconds, args.flood)
    return {**found, "capacity": capacity, "rate": capacity / 2}


def _row(name: str, r: dict[str, float]) -> str:
    cpu = f"   cpu/request: web {r['web_us']:4.0f} µs, redis {r['redis_us']:3.0f} µs" if "web_us" in r else ""
    return (
        f"{name:26s} {r['rps']:6.0f} req/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms "
        f"({r['requests']:.0f} requests){cpu}"
    )


def main() -> None:
    from raqib.service.serve import default_workers
    from raqib.service.store.embedded import EmbeddedRedis

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=default_workers(), help="default: as raqib serve")
    parser.add_argument("--threads", type=int, default=2, help="default: as raqib serve")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--rounds", type=int, default=3, help="minimal and service saturated in turn this often")
    parser.add_argument("--model", default="", help="RAQIB_MODEL_DIR: empty for the bundled model, or off")
    parser.add_argument("--flood", type=int, default=4, help="clients sending heavy /v1/classify calls")
    parser.add_argument("--model-nice", type=int, default=10, help="RAQIB_MODEL_NICE for phases 2 and 3 (0: off)")
    parser.add_argument("--cluster", action="store_true", help="also saturate a local 3-master Redis Cluster")
    args = parser.parse_args()

    embedded = None
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-"), fsync="no").start()
        redis_url = embedded.url
    redis_pid = embedded.process.pid if embedded else None
    print(
        f"cores={os.cpu_count()} workers={args.workers} threads={args.threads} clients={args.clients} "
        f"seconds={args.seconds} redis={'embedded' if embedded else 'REDIS_URL'} model={args.model or 'bundled'} "
        f"model_nice={args.model_nice} "
        f"load={'wrk' if shutil.which('wrk') else 'python (install wrk for figures that measure the server)'}"
    )
    try:
        bare = saturate("bare", args, {}, None)
        minimal, raqib, ratios = alternated(args, redis_url, redis_pid)
        rows = [("bare flask", bare), ("minimal report (1 script)", minimal), ("POST /v1/reports", raqib)]
        if args.cluster:
            from raqib.service.store.local_cluster import LocalCluster

            local = LocalCluster(Path(tempfile.mkdtemp(prefix="raqib-cluster-"))).start()
            try:
                rows.append(
                    ("reports, 3-master cluster", saturate("raqib", args, _settings(local.url, "", True), None))
                )
            finally:
                local.stop()
        half = deployed(args, redis_url) if args.model != "off" else None
    finally:
        if embedded:
            embedded.stop()

    print("1. saturation (no scoring worker running: its cost is phase 2's)")
    for name, r in rows:
        print(_row(name, r))
    print(
        f"   report/minimal, each round: {', '.join(f'{r:.2f}' for r in ratios)}; "
        f"median {statistics.median(ratios):.2f} of the rate (target >= 0.8), "
        f"p99 {raqib['p99_ms'] / minimal['p99_ms']:.2f}x the minimal's (target <= 2); "
        f"report/bare: {raqib['rps'] / bare['rps']:.2f}, p99 {raqib['p99_ms'] / bare['p99_ms']:.2f}x"
    )
    if half is None:
        return
    calm, delays, flooded, rate = half["calm"], half["delays"], half["flooded"], half["rate"]
    print(
        f"2. with a scoring worker: {half['capacity']:.0f} reports/s accepted and scored; "
        f"at half that, {rate:.0f}/s for {args.seconds:.0f} s:"
    )
    print(f"   report latency p50 {pct(calm, 0.5):.2f} ms, p99 {pct(calm, 0.99):.2f} ms (target p99 <= 25)")
    scored = f"{len(delays)} of {len(calm)} scored"
    if delays:
        print(f"   report to scores stored: p50 {pct(delays, 0.5):.0f} ms, p99 {pct(delays, 0.99):.0f} ms ({scored})")
    else:
        print(f"   report to scores stored: none scored ({scored})")
    print(
        f"3. the same rate during a classify flood ({args.flood} clients, answers {half['answers']}): "
        f"p50 {pct(flooded, 0.5):.2f} ms, p99 {pct(flooded, 0.99):.2f} ms; "
        f"p50 flood/calm {pct(flooded, 0.5) / pct(calm, 0.5):.2f} (target <= 2)"
    )


if __name__ == "__main__":
    main()
