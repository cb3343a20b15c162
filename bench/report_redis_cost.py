"""What a report costs Redis, and how much of it the append-only file is, in one run.

The embedded Redis server (as ``raqib serve`` starts it; ``appendfsync`` as ``--fsync`` says,
``everysec`` by default as there, ``bench/report_endpoint.py`` runs it with ``no``) runs with the AOF
on and off (``CONFIG SET appendonly no``) in turn, ``--pairs`` times, the order swapped each time so
that a drift of the machine's pace cancels. Each time the service (in process, model off) takes
``--reports`` first reports of distinct comments by distinct readers, and the bench prints the CPU
the Redis process spent per report and ``report.lua``'s own time per call from ``INFO
commandstats`` (the script with the commands it runs; the rest of the process's time is reading
requests, writing answers and, with the AOF on, writing the file). A run of 3,000 reports moves by
±15 % from the next: hence 10,000 and six pairs by default. Usage:

    python bench/report_redis_cost.py [--reports 10000] [--pairs 6] [--fsync everysec]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

import psutil
import redis
from scoring import KEY, report_body, settings


def measure(aof: bool, reports: int, fsync: str) -> tuple[float, float]:
    """(Redis process CPU µs a report, ``report.lua`` µs a call) over ``reports`` first reports."""
    from raqib.service.app import create_app
    from raqib.service.store.embedded import EmbeddedRedis

    data_dir = Path(tempfile.mkdtemp(prefix="raqib-aof-"))
    embedded = EmbeddedRedis(data_dir, fsync=fsync).start()
    try:
        server = redis.Redis.from_url(embedded.url)
        if not aof:
            server.config_set("appendonly", "no")
        client = create_app({**settings(embedded.url), "model_dir": "off"}).test_client()
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        for n in range(200):
            client.post("/v1/reports", data=report_body(f"warm{n}"), headers=headers)
        server.config_resetstat()
        assert embedded.process is not None
        redis_process = psutil.Process(embedded.process.pid)
        before = sum(redis_process.cpu_times()[:2])
        for n in range(reports):
            answer = client.post("/v1/reports", data=report_body(str(n)), headers=headers)
            if answer.status_code >= 300:
                raise RuntimeError(f"report answered {answer.status_code}: {answer.data!r}")
        cpu = (sum(redis_process.cpu_times()[:2]) - before) / reports * 1e6
        script = server.info("commandstats")["cmdstat_evalsha"]["usec_per_call"]
        return cpu, float(script)
    finally:
        embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--pairs", type=int, default=6, help="AOF on and off this often, the order swapped each time")
    parser.add_argument("--fsync", default="everysec", choices=["always", "everysec", "no"])
    args = parser.parse_args()
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for pair in range(args.pairs):
        for aof in (True, False) if pair % 2 == 0 else (False, True):
            cpu, script = measure(aof, args.reports, args.fsync)
            results[aof].append((cpu, script))
            label = "yes" if aof else "no "
            print(f"appendonly {label}  redis cpu {cpu:5.0f} µs a report   report.lua {script:5.1f} µs")
    on = statistics.median(cpu for cpu, _ in results[True])
    off = statistics.median(cpu for cpu, _ in results[False])
    script_on = statistics.median(script for _, script in results[True])
    script_off = statistics.median(script for _, script in results[False])
    print(f"medians: redis cpu {on:.0f} µs with the AOF, {off:.0f} without", end=" ")
    print(f"(the AOF: {on - off:.0f} µs, {on / off:.2f}x);")
    print(f"         report.lua {script_on:.1f} µs with, {script_off:.1f} without")


if __name__ == "__main__":
    main()
