"""Scoring off the report path, in one run, with the bundled model and a worker scoring comments:

1. Time from a report to its scores stored (Redis's own clock on both ends: ``first_report_at``
   and ``scored_at``), reports paced at ``--rate`` per second: p50 and p99.
2. Report latency at that fixed offered load (a paced generator: every request leaves on its
   schedule, so the figure is not the queue's), p50 and p99.
3. The same while ``--flood`` clients send heavy ``/v1/classify`` calls without pause (but for the
   ``Retry-After`` of a refusal, as clients do): report p50 with the flood over p50 without (the
   target: within 2x), and how the flood's calls were answered.

    python bench/scoring.py [--rate 100] [--seconds 8] [--flood 4]

``bench/report_endpoint.py`` runs the same phases at half of the capacity it measured first, in one
run with the saturation figures; this script fixes the rate instead.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from common import free_port, pct, serve, wait
from raqib.service.store import Store
from raqib.service.store.embedded import EmbeddedRedis
from raqib.service.store.keys import SCORE_GROUP, SCORE_JOBS

KEY = "bench-client-key"
TEXT = "يا حمار سير تقود، هاد التعليق غير مقبول"
HEAVY = json.dumps({"texts": ["يا حمار يا كلب، هذا تعليق طويل جدا " * 8] * 30}, ensure_ascii=False).encode()


def settings(redis_url: str) -> dict[str, object]:
    return {
        "redis_url": redis_url,
        "api_keys": f"client:{KEY}",
        "model_dir": "",
        "reporter_rate_limit": "off",
        "classify_rate_limit": "off",
    }


def run_scorer(settings: dict[str, Any], stop: mp.Event) -> None:  # type: ignore[valid-type]
    """A scoring worker (the ``TextScorer`` of ``raqib worker``) until ``stop``: a process's target."""
    from raqib.service import classifier
    from raqib.service.config import Config
    from raqib.service.scorer import TextScorer
    from raqib.service.versions import ModelHolder

    config = Config.from_mapping(settings)
    classifier.lower_cpu_priority(config.model_nice)
    model = classifier.load(config)
    assert model is not None
    store = Store.from_url(config.redis_url)
    scorer = TextScorer(store, ModelHolder(store, model, config.model_check_s, 1), config, "bench")
    while not stop.is_set():  # type: ignore[attr-defined]
        scorer.run_once(block_ms=200)


def report_body(item_id: str) -> bytes:
    """A first report of a comment, by a reader of its own."""
    body = {"item_id": item_id, "item_type": "comment", "reporter_id": f"r{item_id}", "reason": "hate", "text": TEXT}
    return json.dumps(body, ensure_ascii=False).encode()


def paced(port: int, rate: float, seconds: float, prefix: str) -> list[float]:
    """Report latencies (ms) of requests ``{prefix}-{n}`` sent on a fixed schedule by 8 threads,
    each measured from when it was due: a late send counts against the server."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    total = int(rate * seconds)

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        for n in range(offset, total, 8):
            due = start + n / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            conn.request("POST", "/v1/reports", body=report_body(f"{prefix}-{n}"), headers=headers)
            conn.getresponse().read()
            with lock:
                latencies.append((time.perf_counter() - due) * 1000)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies)


def scoring_delays(store: Store, item_ids: list[str]) -> list[float]:
    """For each scored item, ms from its first report to its scores stored (Redis's clock)."""
    pipe = store.client.pipeline(transaction=False)
    for item_id in item_ids:
        pipe.hmget(store.item_keys(item_id).item, "first_report_at", "scored_at")
    return sorted(float(int(s) - int(r)) for r, s in pipe.execute() if r and s)


def flood(port: int, stop: threading.Event, answers: Counter[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
    while not stop.is_set():
        conn.request("POST", "/v1/classify", body=HEAVY, headers=headers)
        response = conn.getresponse()
        response.read()
        answers[response.status] += 1
        if response.status in (429, 503):  # a client that honours Retry-After
            stop.wait(float(response.headers.get("Retry-After", "1")))
    conn.close()


def drained(store: Store, timeout_s: float = 120.0) -> None:
    """Wait until the scoring worker took and acknowledged every queued comment."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        last = store.client.xinfo_stream(SCORE_JOBS)["last-generated-id"]
        groups = [g for g in store.client.xinfo_groups(SCORE_JOBS) if g["name"] == SCORE_GROUP]
        if groups and groups[0]["last-delivered-id"] == last and not groups[0]["pending"]:
            return
        time.sleep(0.05)
    raise RuntimeError("the scoring worker did not catch up")


@contextmanager
def with_scorer(server: mp.Process, settings: dict[str, Any]) -> Iterator[Store]:
    """Run ``server`` (the web processes) and a scoring worker on ``settings``' Redis, whose scoring
    queue starts empty; yields a store on it, and stops both."""
    store = Store.from_url(str(settings["redis_url"]))
    store.client.delete(SCORE_JOBS)  # a queue that earlier runs filled is not this run's
    stop = mp.Event()
    scorer = mp.Process(target=run_scorer, args=(settings, stop), daemon=True)
    server.start()
    scorer.start()
    try:
        yield store
    finally:
        stop.set()
        scorer.join(10)
        server.terminate()
        server.join(10)
        store.close()


def paced_phases(port: int, store: Store, rate: float, seconds: float, flood_clients: int) -> dict[str, Any]:
    """Reports paced at ``rate`` (after a warm-up the worker caught up with): their latencies, the
    time to their scores, then their latencies during a classify flood and how it was answered."""
    paced(port, rate, 2, f"warm{time.time_ns()}")
    drained(store)
    prefix = f"calm{time.time_ns()}"
    calm = paced(port, rate, seconds, prefix)
    drained(store)
    delays = scoring_delays(store, [f"{prefix}-{n}" for n in range(int(rate * seconds))])
    stop, answers = threading.Event(), Counter[int]()
    floods = [threading.Thread(target=flood, args=(port, stop, answers)) for _ in range(flood_clients)]
    for t in floods:
        t.start()
    time.sleep(1)
    flooded = paced(port, rate, seconds, f"flood{time.time_ns()}")
    stop.set()
    for t in floods:
        t.join()
    return {"calm": calm, "delays": delays, "flooded": flooded, "answers": dict(answers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100.0, help="reports per second")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--flood", type=int, default=4, help="clients sending heavy classify calls")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-"), fsync="no").start()
    port = free_port()
    server = mp.Process(target=serve, args=(port, args.workers, settings(embedded.url)), daemon=True)
    try:
        with with_scorer(server, settings(embedded.url)) as store:
            wait(port)
            found = paced_phases(port, store, args.rate, args.seconds, args.flood)
    finally:
        embedded.stop()
    calm, delays, flooded = found["calm"], found["delays"], found["flooded"]
    print(
        f"reports paced at {args.rate:.0f}/s for {args.seconds:.0f} s, {args.workers} web workers, one scoring worker"
    )
    print(
        f"report to scores stored: p50 {pct(delays, 0.5):.0f} ms, p99 {pct(delays, 0.99):.0f} ms "
        f"({len(delays)} of {len(calm)} scored)"
    )
    print(f"report latency at the fixed rate: p50 {pct(calm, 0.5):.2f} ms, p99 {pct(calm, 0.99):.2f} ms")
    print(
        f"during a classify flood ({args.flood} clients, answers {found['answers']}): "
        f"p50 {pct(flooded, 0.5):.2f} ms, p99 {pct(flooded, 0.99):.2f} ms; "
        f"p50 ratio flood/calm {pct(flooded, 0.5) / pct(calm, 0.5):.2f} (target <= 2)"
    )


if __name__ == "__main__":
    main()
