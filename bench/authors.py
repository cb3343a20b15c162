"""A sanction with ``remove_visible`` on an author with 10,000 visible items, in one run: how long
it takes, and the longest Redis was blocked meanwhile (the target: never more than 50 ms at a
time). A probe connection PINGs Redis every millisecond throughout; Redis's own slow log (every
command over 10 ms) and latency monitor are read at the end.

    python bench/authors.py [--items 10000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time

import redis
from raqib.service.app import create_app
from raqib.service.store import Store
from raqib.service.store.embedded import EmbeddedRedis

KEY = "bench-moderator-key"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-"), fsync="no").start()
    store = Store.from_url(embedded.url, partitions=16)
    try:
        started = time.perf_counter()
        for n in range(args.items):
            settings = {"decision": "publish", "reasons": [], "rules": [], "threshold": 3, "rule": "default"}
            store.moderation.submit(
                f"item-{n}", "comment", {"author_id": "prolific", "text": f"تعليق رقم {n}"}, settings
            )
            store.authors.settle(f"item-{n}", 86_400_000)
        print(f"{args.items:,} published items of one author made in {time.perf_counter() - started:.0f} s")
        app = create_app(
            {"redis_url": embedded.url, "api_keys": f"moderator:{KEY}", "model_dir": "off", "partitions": 16},
            store=store,
        )
        probe = redis.Redis.from_url(embedded.url)
        probe.config_set("slowlog-log-slower-than", 10_000)  # µs: every command over 10 ms
        probe.slowlog_reset()
        probe.config_set("latency-monitor-threshold", 10)
        pings: list[float] = []
        done = threading.Event()

        def ping() -> None:
            while not done.is_set():
                t0 = time.perf_counter()
                probe.ping()
                pings.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.001)

        thread = threading.Thread(target=ping)
        thread.start()
        started = time.perf_counter()
        answer = app.test_client().post(
            "/v1/authors/prolific/sanction",
            json={"action": "ban", "reason_code": "spam", "remove_visible": True},
            headers={"Authorization": f"Bearer {KEY}", "X-Raqib-Actor": "bench"},
        )
        elapsed = time.perf_counter() - started
        done.set()
        thread.join()
        removed = json.loads(answer.data)["removed"]
        slow = probe.slowlog_get(128)
        worst_command = max((entry["duration"] for entry in slow), default=0) / 1000
        latest = probe.execute_command("LATENCY", "LATEST")
        worst_event = max((int(row[2]) for row in latest), default=0)
        pings.sort()
        print(f"remove_visible removed {removed:,} items in {elapsed:.1f} s ({removed / elapsed:.0f} items/s)")
        print(
            f"probe PINGs during it: {len(pings):,}, p50 {pings[len(pings) // 2]:.2f} ms, "
            f"max {pings[-1]:.2f} ms (target: Redis never blocked over 50 ms)"
        )
        print(
            f"Redis slow log: {len(slow)} commands over 10 ms, the longest {worst_command:.1f} ms; "
            f"latency monitor's worst event {worst_event} ms"
        )
    finally:
        store.close()
        embedded.stop()


if __name__ == "__main__":
    main()
