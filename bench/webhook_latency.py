"""Time from the report that hides an item to its signed ``item.hidden`` arriving at a receiver.

Runs the service under gunicorn and one ``raqib worker`` process on an embedded Redis, with a
receiver on 127.0.0.1 that verifies each signature. Items are hidden one after another (threshold
1), so the figure is latency, not queueing. Usage: python bench/webhook_latency.py [--items 300]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from raqib.service.events import sign
from raqib.service.store.embedded import EmbeddedRedis

KEYS = "client:bench-client-key,admin:bench-admin-key"


def _serve(port: int, env: dict[str, str]) -> None:
    os.environ.update(env)
    from raqib.service.app import create_app
    from raqib.service.config import Config
    from raqib.service.serve import GunicornApp

    options = {
        "bind": f"127.0.0.1:{port}",
        "workers": 2,
        "worker_class": "gthread",
        "threads": 2,
        "accesslog": None,
        "loglevel": "warning",
        "control_socket_disable": True,
    }
    GunicornApp(lambda: create_app(Config.from_env()), options).run()


def _burst(
    session: requests.Session, base: str, count: int, arrivals: dict[str, float], arrived: threading.Condition
) -> float:
    """Hide ``count`` items as fast as 8 clients can, then time until every item.hidden arrived."""
    from concurrent.futures import ThreadPoolExecutor

    def hide(n: int) -> None:
        body = {"item_id": f"burst-{n}", "item_type": "comment", "reporter_id": f"b{n}"}
        requests.post(base + "/v1/reports", json=body, headers={"Authorization": "Bearer bench-client-key"}, timeout=30)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(hide, range(count)))
    with arrived:
        arrived.wait_for(lambda: sum(k.startswith("burst-") for k in arrivals) >= count, timeout=300)
    last = max(t for k, t in arrivals.items() if k.startswith("burst-"))
    return count / (last - started)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--burst", type=int, default=2000, help="items hidden at once, to measure deliveries/s")
    args = parser.parse_args()
    arrivals: dict[str, float] = {}
    secret_box: list[str] = []
    bad = [0]
    arrived = threading.Condition()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            now = time.perf_counter()
            expected = sign(secret_box[0], self.headers["webhook-id"], int(self.headers["webhook-timestamp"]), body)
            if expected not in self.headers["webhook-signature"].split(" "):
                bad[0] += 1
            with arrived:
                arrivals[json.loads(body)["data"]["item_id"]] = now
                arrived.notify_all()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a: object) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    redis_server = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-")).start()
    env = {
        "REDIS_URL": redis_server.url,
        "RAQIB_API_KEYS": KEYS,
        "RAQIB_THRESHOLD_COMMENT": "1",
        "RAQIB_WEBHOOK_ALLOW_PRIVATE": "true",
        "RAQIB_MODEL_DIR": "off",
        "RAQIB_LOG_LEVEL": "WARNING",
    }
    port = _free_port()
    server = mp.Process(target=_serve, args=(port, env), daemon=True)
    server.start()
    worker = subprocess.Popen([sys.executable, "-m", "raqib.service.worker"], env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    try:
        for _ in range(200):
            try:
                if session.get(base + "/readyz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        hook = session.post(
            base + "/v1/webhooks",
            json={"url": f"http://127.0.0.1:{receiver.server_port}/", "events": ["item.hidden"]},
            headers={"Authorization": "Bearer bench-admin-key"},
            timeout=10,
        ).json()
        secret_box.append(hook["secret"])
        latencies = []
        for n in range(args.items + 20):
            item = f"bench-{n}"
            sent = time.perf_counter()
            response = session.post(
                base + "/v1/reports",
                timeout=10,
                json={"item_id": item, "item_type": "comment", "reporter_id": f"r{n}"},
                headers={"Authorization": "Bearer bench-client-key"},
            )
            assert response.json()["status"] == "hidden"
            with arrived:
                arrived.wait_for(lambda item=item: item in arrivals, timeout=30)  # type: ignore[misc]
            if n >= 20:  # the first deliveries warm up connections and code paths
                latencies.append(1000 * (arrivals[item] - sent))
        burst_rate = _burst(session, base, args.burst, arrivals, arrived)
    finally:
        worker.terminate()
        worker.wait(10)
        server.terminate()
        server.join(10)
        redis_server.stop()
    print(f"burst: {args.burst} items hidden at once, delivered by one worker at {burst_rate:.0f} webhooks/s")
    latencies.sort()
    p50, p99 = statistics.median(latencies), latencies[int(0.99 * (len(latencies) - 1))]
    print(
        f"items={len(latencies)} report→signed item.hidden at receiver: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {latencies[-1]:.1f} ms (target p50 <= 50 ms); bad signatures: {bad[0]}"
    )


if __name__ == "__main__":
    main()
