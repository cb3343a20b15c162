"""Heavy model calls against reports, in one run, with the bundled model under gunicorn:

1. **Flood** (``--workers 2``): ``--flood`` client processes each send ``POST /v1/classify`` with
   64 texts of 800 characters in a loop and retry *at once* on 429/503 (a broken or abusive client
   ignores ``Retry-After``), while one client sends reports one at a time. Report p50 during the
   flood over p50 without it (target <= 2), and how fast the flood's refusals come back.
2. **Burst** (``--workers 1``): ten Perspective ``comments:analyze`` calls at once, as Coral sends
   them when ten comments are posted under one article, repeated ``--bursts`` times: how many were
   scored (target: all), how many refused, the slowest answer.

    python bench/heavy_calls.py [--seconds 8] [--flood 8] [--bursts 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from common import free_port, pct, serve, wait
from raqib.service.store.embedded import EmbeddedRedis
from scoring import KEY
from scoring import settings as scoring_settings

JSON = {"Content-Type": "application/json"}
REPORT_TEXT = "يا حمار سير تقود، هاد التعليق غير مقبول"
# 800 characters of Arabizi and French (within the 64 KB JSON cap at 64 texts: the model scores them)
LONG = ("wach nta 7mar ola chno, had l'article khayb bzaf, merci pour rien " * 13)[:800]
HEAVY = json.dumps({"texts": [LONG] * 64}).encode()
BURST = ["يا حمار يا كلب", "مقال رائع، شكرا", "تفو عليك يا وسخ", "الله يعطيك الصحة", "nta 7mar w wld l9a7ba"] * 2


def settings(redis_url: str) -> dict[str, Any]:
    """``bench/scoring.py``'s service settings, Perspective's rate limit off too."""
    return {**scoring_settings(redis_url), "perspective_rate_limit": "off"}


def flood_client(port: int, seconds: float, out: mp.Queue) -> None:
    """Heavy calls without pause for ``seconds``; puts (status counts, refusal latencies in ms)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
    answers: Counter[int] = Counter()
    refused_ms: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        conn.request("POST", "/v1/classify", body=HEAVY, headers=headers)
        response = conn.getresponse()
        response.read()
        answers[response.status] += 1
        if response.status in (429, 503):
            refused_ms.append((time.perf_counter() - started) * 1000)
        if response.will_close:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()
    out.put((dict(answers), refused_ms))


def reports(port: int, seconds: float, prefix: str) -> list[float]:
    """Report latencies (ms), one request at a time on one connection, for ``seconds``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
    out, n, end = [], 0, time.monotonic() + seconds
    while time.monotonic() < end:
        body = {"item_id": f"{prefix}-{n}", "item_type": "comment", "reporter_id": f"r{n}", "reason": "hate"}
        body["text"] = REPORT_TEXT
        started = time.perf_counter()
        conn.request("POST", "/v1/reports", body=json.dumps(body, ensure_ascii=False).encode(), headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 202:
            raise RuntimeError(f"report: HTTP {response.status}")
        out.append((time.perf_counter() - started) * 1000)
        n += 1
    conn.close()
    return out


def flood_phase(redis_url: str, seconds: float, clients: int) -> dict[str, Any]:
    port = free_port()
    server = mp.Process(target=serve, args=(port, 2, settings(redis_url)), daemon=True)
    server.start()
    wait(port)
    try:
        reports(port, 2, "warm")
        quiet = reports(port, seconds, "quiet")
        queue: mp.Queue = mp.Queue()
        floods = [mp.Process(target=flood_client, args=(port, seconds + 2, queue)) for _ in range(clients)]
        for p in floods:
            p.start()
        time.sleep(1.0)  # the flood under way
        flooded = reports(port, seconds, "flood")
        results = [queue.get(timeout=120) for _ in floods]
        for p in floods:
            p.join()
    finally:
        server.terminate()
        server.join()
    answers: Counter[int] = Counter()
    refused: list[float] = []
    for counts, refused_ms in results:
        answers.update(counts)
        refused += refused_ms
    return {"quiet": quiet, "flooded": flooded, "answers": dict(answers), "refused_ms": refused}


def burst_phase(redis_url: str, bursts: int) -> dict[str, Any]:
    port = free_port()
    server = mp.Process(target=serve, args=(port, 1, settings(redis_url)), daemon=True)
    server.start()
    wait(port)

    def analyze(text: str) -> tuple[int, float]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": True}
        started = time.perf_counter()
        conn.request("POST", f"/v1alpha1/comments:analyze?key={KEY}", body=json.dumps(body), headers=JSON)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, (time.perf_counter() - started) * 1000

    try:
        analyze("تسخين")
        answers: Counter[int] = Counter()
        slowest = 0.0
        with ThreadPoolExecutor(len(BURST)) as pool:
            for _ in range(bursts):
                for status, ms in pool.map(analyze, BURST):
                    answers[status] += 1
                    slowest = max(slowest, ms)
                time.sleep(0.5)
    finally:
        server.terminate()
        server.join()
    return {"answers": dict(answers), "slowest_ms": slowest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--flood", type=int, default=8, help="client processes sending heavy classify calls")
    parser.add_argument("--bursts", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        redis = EmbeddedRedis(tmp).start()
        try:
            flood = flood_phase(redis.url, args.seconds, args.flood)
            burst = burst_phase(redis.url, args.bursts)
        finally:
            redis.stop()
    quiet, flooded, refused = flood["quiet"], flood["flooded"], flood["refused_ms"]
    print(f"1. reports one at a time, quiet: p50 {pct(quiet, 0.5):.2f} ms, p99 {pct(quiet, 0.99):.2f} ms")
    print(
        f"   during a flood of {args.flood} clients (64 texts x 800 chars, retrying at once): "
        f"p50 {pct(flooded, 0.5):.2f} ms, p99 {pct(flooded, 0.99):.2f} ms; "
        f"p50 ratio flood/quiet {pct(flooded, 0.5) / pct(quiet, 0.5):.2f} (target <= 2)"
    )
    refusals = f"p50 {pct(refused, 0.5):.1f} ms, p99 {pct(refused, 0.99):.1f} ms" if refused else "none"
    print(f"   the flood's answers {flood['answers']}; refusals came back in {refusals}")
    scored = burst["answers"].get(200, 0)
    total = sum(burst["answers"].values())
    print(
        f"2. bursts of {len(BURST)} analyze calls at once, {args.bursts} times, 1 web process: "
        f"{scored} of {total} scored, answers {burst['answers']}, slowest {burst['slowest_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
