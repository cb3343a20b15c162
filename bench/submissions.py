"""What a submission costs beside a report, in one run, with the bundled model on.

1. One request at a time (p50 and p99 of each): ``POST /v1/submissions`` of a new comment,
   ``POST /v1/reports`` of a new comment (its first report scores it), and one classifier call in
   the same process. The target: a submission costs no more than a report plus one classifier call.
2. Under load (``wrk`` when installed, else Python clients): requests/s of each endpoint under the
   same gunicorn settings as ``raqib serve``, and their ratio.

    python bench/submissions.py [--requests 300] [--seconds 5] [--clients 16] [--rounds 3]
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

from common import free_port, pct, sequential, serve, wait, wrk

KEY = "bench-client-key"
TEXTS = ["تعليق للاختبار، شكرا على المقال", "يا حمار سير تقود", "مبروك للفريق هاد الفوز المستحق"]


def body(kind: str, item_id: str, n: int) -> str:
    text = TEXTS[n % len(TEXTS)]
    if kind == "submissions":
        return json.dumps({"item_id": item_id, "item_type": "comment", "author_id": f"a{n % 50}", "text": text})
    return json.dumps(
        {"item_id": item_id, "item_type": "comment", "reporter_id": f"r{item_id}", "reason": "hate", "text": text}
    )


def requests_of(kind: str, count: int) -> list[tuple[str, str]]:
    """``count`` + 20 requests of ``kind``, each for a new item."""
    return [(f"/v1/{kind}", body(kind, f"seq-{kind}-{time.time_ns()}-{n}", n)) for n in range(count + 20)]


def classifier_ms(count: int) -> list[float]:
    from raqib.models import load_classifier

    classifier = load_classifier(threads=1)
    out = []
    for n in range(count + 20):
        started = time.perf_counter()
        classifier.predict([TEXTS[n % len(TEXTS)]])
        if n >= 20:
            out.append((time.perf_counter() - started) * 1000)
    return out


def _client(port: int, kind: str, seconds: float, prefix: str, queue: mp.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
    deadline, done = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        conn.request("POST", f"/v1/{kind}", body=body(kind, f"{prefix}-{done}", done), headers=headers)
        conn.getresponse().read()
        done += 1
    queue.put(done)


def load(port: int, kind: str, seconds: float, clients: int) -> float:
    """Requests/s of ``kind`` under ``clients`` keep-alive connections."""
    prefix = f"load-{kind}-{time.time_ns()}"
    if shutil.which("wrk"):
        env = {"RAQIB_KEY": KEY, "RAQIB_PREFIX": prefix, "RAQIB_KIND": kind}
        return wrk("submissions_load.lua", env, port, seconds, clients)["rps"]
    queue: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, kind, seconds, f"{prefix}-{c}", queue)) for c in range(clients)]
    for p in procs:
        p.start()
    total = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def settings(redis_url: str) -> dict[str, str]:
    return {"redis_url": redis_url, "api_keys": f"client:{KEY}", "reporter_rate_limit": "1000000/60", "model_dir": ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    from raqib.service.serve import default_workers

    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    from raqib.service.store.embedded import EmbeddedRedis

    embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-")).start()
    port = free_port()
    server = mp.Process(target=serve, args=(port, args.workers, settings(embedded.url)), daemon=True)
    server.start()
    try:
        wait(port)
        print(f"cores={os.cpu_count()} workers={args.workers} load={'wrk' if shutil.which('wrk') else 'python'}")
        single = {
            kind: sorted(sequential(port, KEY, requests_of(kind, args.requests))) for kind in ("reports", "submissions")
        }
        model = classifier_ms(args.requests)
        for name, values in (
            ("POST /v1/reports", single["reports"]),
            ("POST /v1/submissions", single["submissions"]),
            ("one classifier call", model),
        ):
            print(f"{name:<24} p50 {statistics.median(values):6.2f} ms   p99 {pct(values, 0.99):6.2f} ms")
        budget = statistics.median(single["reports"]) + statistics.median(model)
        print(
            f"submission p50 / (report p50 + classifier p50): {statistics.median(single['submissions']) / budget:.2f}"
        )
        # load figures on two cores swing from run to run: the routes take turns, the medians compare
        rounds: dict[str, list[float]] = {"reports": [], "submissions": []}
        for _ in range(args.rounds):
            for kind in rounds:
                rounds[kind].append(load(port, kind, args.seconds, args.clients))
        rps = {kind: statistics.median(values) for kind, values in rounds.items()}
        print(
            f"under load (median of {args.rounds} alternating rounds): reports {rps['reports']:.0f} req/s, "
            f"submissions {rps['submissions']:.0f} req/s, ratio submissions/reports "
            f"{rps['submissions'] / rps['reports']:.2f}"
        )
    finally:
        server.terminate()
        server.join(10)
        embedded.stop()


if __name__ == "__main__":
    main()
