"""What one ``raqib serve`` costs at start, in one run: seconds until ``/healthz`` and ``/readyz``
answer, and the resident memory of each web process with the bundled model loaded (ONNX Runtime,
no torch), beside the same model loaded through torch (the path every web process took before)
in a fresh process on the same machine.

    python bench/startup.py [--workers N]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

TORCH_PATH = (
    "import resource\n"
    "from raqib.models import load_classifier\n"
    "load_classifier(backend='torch', threads=1).predict(['يا حمار'])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append((child, command.strip()))
            todo.append(child)
    return found


def wait_for(url: str, started: float, limit_s: float = 120) -> float:
    while time.perf_counter() - started < limit_s:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not answer within {limit_s} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=None, help="default: raqib serve's own default")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "RAQIB_DATA_DIR": data}
        env.pop("REDIS_URL", None)
        command = ["raqib", "serve", "--host", "127.0.0.1", "--port", str(port)]
        if args.workers:
            command += ["--workers", str(args.workers)]
        started = time.perf_counter()
        server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        try:
            health = wait_for(f"http://127.0.0.1:{port}/healthz", started)
            ready = wait_for(f"http://127.0.0.1:{port}/readyz", started)
            time.sleep(2)  # every worker has booted
            processes = descendants(server.pid)
            master = rss_mb(server.pid)
            web = [rss_mb(p) for p, cmd in processes if "raqib serve" in cmd]
            worker = [rss_mb(p) for p, cmd in processes if "raqib.service.worker" in cmd]
        finally:
            server.terminate()
            server.wait(timeout=30)
    torch_kb = int(subprocess.run([sys.executable, "-c", TORCH_PATH], capture_output=True, text=True).stdout)
    torch_mb = torch_kb / 1024
    print(f"/healthz answered after {health:.1f} s, /readyz after {ready:.1f} s (target: healthz <= 10 s)")
    print(f"gunicorn master: {master:.0f} MB; web processes: {', '.join(f'{m:.0f} MB' for m in web)}")
    print(f"background worker: {', '.join(f'{m:.0f} MB' for m in worker) or 'none'}")
    one = max(web)
    print(f"one web process with the model: {one:.0f} MB (target <= 250 MB, issue 42)")
    print(f"the same model through torch in a fresh process: {torch_mb:.0f} MB (peak)")
    print(f"ratio web process / torch path: {one / torch_mb:.2f}")


if __name__ == "__main__":
    main()
