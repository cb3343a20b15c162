"""The Perspective-compatible layer's cost, in one run: ``POST /v1alpha1/comments:analyze`` beside
``POST /v1/classify`` on the same texts (dev.csv comments when ``../shared`` is there), same
server, bundled model. One comment at a time (p50, p99), then throughput under load (``wrk``, one
text per request, as Perspective takes them). Target: the layer costs at most 10% more.

    python bench/perspective.py [--requests 300] [--seconds 5] [--clients 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from common import free_port, pct, sequential, serve, wait, wrk

KEY = "bench-client-key"
DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "labeled" / "dev.csv"
FALLBACK = ["تعليق للاختبار، شكرا على المقال", "يا حمار سير تقود", "مبروك للفريق هاد الفوز المستحق"]


def texts(count: int) -> list[str]:
    if not DEV.exists():
        return [FALLBACK[n % len(FALLBACK)] for n in range(count)]
    with open(DEV, encoding="utf-8", newline="") as handle:
        rows = [r["text"] for r in csv.DictReader(handle) if r["text"].strip()]
    return rows[:count]


def request_for(kind: str, text: str) -> tuple[str, str]:
    if kind == "analyze":
        body = {
            "comment": {"text": text},
            "languages": ["en"],
            "doNotStore": True,
            "requestedAttributes": {"TOXICITY": {}},
        }
        return f"/v1alpha1/comments:analyze?key={KEY}", json.dumps(body, ensure_ascii=False)
    return "/v1/classify", json.dumps({"text": text}, ensure_ascii=False)


def load(port: int, kind: str, sample: list[str], seconds: float, clients: int) -> float:
    if not shutil.which("wrk"):
        started, done = time.monotonic(), 0
        while time.monotonic() - started < seconds:
            sequential(port, KEY, (request_for(kind, t) for t in sample[:50]))
            done += 50
        return done / (time.monotonic() - started)
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as bodies:
        for text in sample:  # one request a line: path, a tab, the JSON body (which holds no raw tab)
            bodies.write("\t".join(request_for(kind, text)) + "\n")
    try:
        return wrk("perspective_load.lua", {"RAQIB_KEY": KEY, "RAQIB_BODIES": bodies.name}, port, seconds, clients)[
            "rps"
        ]
    finally:
        os.unlink(bodies.name)


def settings(redis_url: str) -> dict[str, Any]:
    return {
        "redis_url": redis_url,
        "api_keys": f"client:{KEY}",
        "model_dir": "",
        "perspective_rate_limit": "off",
        "classify_rate_limit": "off",
        "model_queue": 16,  # both routes wait in the same model queue: the same bounds for each
        "model_host_slots": 8,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    from raqib.service.serve import default_workers

    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    from raqib.service.store.embedded import EmbeddedRedis

    sample = texts(args.requests + 20)
    embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-")).start()
    port = free_port()
    server = mp.Process(target=serve, args=(port, args.workers, settings(embedded.url)), daemon=True)
    server.start()
    try:
        wait(port)
        source = "dev.csv" if DEV.exists() else "3 fixed comments"
        generator = "wrk" if shutil.which("wrk") else "python"
        print(f"cores={os.cpu_count()} workers={args.workers} texts={source} load={generator}")
        for kind in ("classify", "analyze"):  # warm every worker on both routes first
            sequential(port, KEY, (request_for(kind, t) for t in sample[:100]))
        single = {
            kind: sequential(port, KEY, (request_for(kind, t) for t in sample)) for kind in ("classify", "analyze")
        }
        for kind, values in single.items():
            print(f"one comment, {kind:<8} p50 {statistics.median(values):6.2f} ms   p99 {pct(values, 0.99):6.2f} ms")
        ratio = statistics.median(single["analyze"]) / statistics.median(single["classify"])
        print(f"latency ratio analyze / classify (p50): {ratio:.2f}")
        # Load figures on two cores swing by ±20% from one run to the next: the routes take turns,
        # three rounds each, and the medians are compared.
        rounds: dict[str, list[float]] = {"classify": [], "analyze": []}
        for _ in range(args.rounds):
            for kind in rounds:
                rounds[kind].append(load(port, kind, sample, args.seconds, args.clients))
        rps = {kind: statistics.median(values) for kind, values in rounds.items()}
        ratio = rps["analyze"] / rps["classify"]
        print(
            f"under load (median of {args.rounds} alternating rounds): classify {rps['classify']:.0f} req/s, "
            f"analyze {rps['analyze']:.0f} req/s, throughput ratio analyze / classify {ratio:.2f}"
        )
    finally:
        server.terminate()
        server.join(10)
        embedded.stop()


if __name__ == "__main__":
    main()
