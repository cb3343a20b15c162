"""Statements of reasons add nothing measurable to a report's latency (issue 27), in one run.

By design the report route does no DSA work: ``raqib worker``'s ``dsa`` consumer group reads the
event streams and makes one statement per restriction, and its sender posts them to the
Transparency Database. This measures that: the service (gunicorn as ``raqib serve`` runs it, no
model, ``RAQIB_THRESHOLD_COMMENT=1`` so that every report hides a new comment and so makes one
statement) takes reports at a fixed rate, alternately with and without the statements worker
running (its maker and its sender, posting to a local receiver that answers as the database does),
``--rounds`` times. Prints report p50 and p99 of both, their ratio, and how many statements were
made and sent while reports came in.

    python bench/dsa_statements.py [--rate 150] [--seconds 8] [--rounds 3] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from common import free_port, pct, serve, wait
from scoring import paced
from scoring import settings as scoring_settings

TOKEN = "bench-tdb-token"


class _Database(BaseHTTPRequestHandler):
    """The Transparency Database's answer to a batch: 201 and a uuid per statement."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = {"statements": [{"puid": s["puid"], "uuid": str(uuid.uuid4())} for s in body["statements"]]}
        data = json.dumps(answer).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return


def run_statements(settings: dict[str, Any], stop: Any) -> None:
    """The statements worker (maker and sender threads of ``raqib worker``, at its CPU priority)
    until ``stop``."""
    from raqib.service import classifier
    from raqib.service.config import Config
    from raqib.service.dsa import worker
    from raqib.service.store import Store

    database = ThreadingHTTPServer(("127.0.0.1", 0), _Database)
    threading.Thread(target=database.serve_forever, daemon=True).start()
    database_url = f"http://127.0.0.1:{database.server_port}"
    config = Config.from_mapping({**settings, "dsa_tdb_url": database_url, "dsa_tdb_token": TOKEN})
    classifier.lower_cpu_priority(config.model_nice)  # as raqib worker does
    done = threading.Event()
    worker.start(Store.from_url(config.redis_url), config, "bench", done)
    stop.wait()
    done.set()


def _serve(port: int, workers: int, settings: dict[str, Any]) -> None:
    serve(port, workers, settings)


def counts(redis_url: str) -> tuple[int, int]:
    """Statements made, and of them sent."""
    from raqib.service.store import Store

    dsa = Store.from_url(redis_url).dsa
    made = dsa.statements("-", "+", 10**7)
    return len(made), len(made) - dsa.pending_count()


def caught_up(redis_url: str, restrictions: int, timeout_s: float = 120.0) -> tuple[int, int]:
    """Wait until the worker made and sent the statements of the reports so far (the round
    without it left a backlog), so that the round with it measures the steady state."""
    deadline = time.monotonic() + timeout_s
    found = counts(redis_url)
    while (found[0] < restrictions or found[1] < found[0]) and time.monotonic() < deadline:
        time.sleep(0.2)
        found = counts(redis_url)
    return found


def main() -> None:
    from raqib.service.serve import default_workers
    from raqib.service.store.embedded import EmbeddedRedis

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=150.0, help="reports per second, on a fixed schedule")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()

    embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-"), fsync="no").start()
    settings = {
        **scoring_settings(embedded.url),
        "model_dir": "off",
        "threshold_comment": 1,
    }
    port = free_port()
    server = mp.Process(target=_serve, args=(port, args.workers, settings), daemon=True)
    server.start()
    without: list[list[float]] = []
    with_: list[list[float]] = []
    made_during = sent_during = 0
    try:
        wait(port)
        warm = len(paced(port, args.rate, 2, f"warm{time.time_ns()}"))
        for n in range(args.rounds):
            without.append(paced(port, args.rate, args.seconds, f"off{n}-{time.time_ns()}"))
            stop = mp.Event()
            maker = mp.Process(target=run_statements, args=(settings, stop), daemon=True)
            maker.start()
            before = caught_up(embedded.url, warm + sum(len(r) for r in without + with_))
            with_.append(paced(port, args.rate, args.seconds, f"on{n}-{time.time_ns()}"))
            after = counts(embedded.url)
            made_during += after[0] - before[0]
            sent_during += after[1] - before[1]
            stop.set()
            maker.join(10)
    finally:
        server.terminate()
        server.join(10)
        embedded.stop()

    print(
        f"workers={args.workers} rate={args.rate:.0f}/s seconds={args.seconds:.0f} rounds={args.rounds} "
        "redis=embedded model=off threshold_comment=1 (every report hides a new comment: one statement each)"
    )
    for name, runs in (("without the statements worker", without), ("with it (made and sent)", with_)):
        p50 = statistics.median(pct(r, 0.5) for r in runs)
        p99 = statistics.median(pct(r, 0.99) for r in runs)
        print(f"{name:32s} report p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   ({sum(len(r) for r in runs)} reports)")
    ratios = [pct(b, 0.5) / pct(a, 0.5) for a, b in zip(without, with_, strict=True)]
    print(
        f"p50 with/without, each round: {', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}"
        f"; statements made while reports came in: {made_during}, sent: {sent_during}"
    )


if __name__ == "__main__":
    main()
