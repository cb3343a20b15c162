"""The learning loop, end to end, on a simulated site: one source of the shared data plays the site
whose dialect the model in service handles worst, its labels play its moderators' decisions.

1. The service runs (gunicorn, embedded Redis) with ``--current`` as its model. Each of the site's
   training comments is reported by a reader and decided by a moderator over HTTP: offensive →
   remove (``harassment``), clean → dismiss (``no_violation``; restore when a copy of a removed
   comment hid it at once).
2. ``raqib decisions export`` writes the decisions as training data.
3. ``raqib train --finetune-init CURRENT --extra-data decisions.csv`` fine-tunes on them and on the
   shared data *without* the site's source, and writes the comparison (the latest 20 % of the
   decisions held out, and dev.csv without the site).
4. The candidate is registered and activated over HTTP; the time until ``/readyz`` and
   ``/v1/classify`` answer with it is measured; then the roll-back to the current model.

Usage (about 15 minutes on 2 cores, most of it the fine-tune):

    python bench/learning_loop.py --data ../shared/data --site ibrahimi_darija --current DIR [--epochs 1]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from common import free_port, serve, wait

KEYS = {"client": "sim-client", "moderator": "sim-moderator", "admin": "sim-admin"}


def split_data(data: Path, site: str, out: Path) -> list[dict[str, str]]:
    """Write ``out`` as a data directory without the site's rows; return the site's train rows."""
    (out / "labeled").mkdir(parents=True, exist_ok=True)
    site_rows: list[dict[str, str]] = []
    for name in ("train.csv", "dev.csv"):
        with open(data / "labeled" / name, encoding="utf-8", newline="") as source:
            reader = csv.DictReader(source)
            with open(out / "labeled" / name, "w", encoding="utf-8", newline="") as target:
                writer = csv.DictWriter(target, fieldnames=reader.fieldnames or [])
                writer.writeheader()
                for row in reader:
                    if row["source"] != site:
                        writer.writerow(row)
                    elif name == "train.csv" and row["offensive"].strip():
                        site_rows.append(row)
    unlabeled = out / "unlabeled"
    if not unlabeled.exists():
        unlabeled.symlink_to((data / "unlabeled").resolve())
    return site_rows


def moderate(base: str, rows: list[dict[str, str]], threads: int = 4) -> float:
    """Report and decide every row over HTTP; returns the seconds it took."""
    client = {"Authorization": f"Bearer {KEYS['client']}"}
    moderator = {"Authorization": f"Bearer {KEYS['moderator']}", "X-Raqib-Actor": "moderator-1"}

    def one(numbered: tuple[int, dict[str, str]]) -> None:
        n, row = numbered
        item = f"site-{n}"
        with requests.Session() as http:
            report = {"item_id": item, "item_type": "comment", "reporter_id": f"r-{n}", "reason": "offensive"}
            answer = http.post(f"{base}/v1/reports", json={**report, "text": row["text"]}, headers=client, timeout=30)
            answer.raise_for_status()
            hidden = answer.json()["status"] == "hidden"  # a copy of a removed comment: hidden at once
            if float(row["offensive"]) >= 0.5:
                decision = {"action": "remove", "reason_code": "harassment"}
            else:
                decision = {"action": "restore" if hidden else "dismiss", "reason_code": "no_violation"}
            answer = http.post(f"{base}/v1/review/items/{item}/decision", json=decision, headers=moderator, timeout=30)
            answer.raise_for_status()

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, enumerate(rows)))
    return time.monotonic() - started


def activate(base: str, version: str) -> float:
    """Activate ``version``; seconds until /readyz and /v1/classify both answer with it."""
    admin = {"Authorization": f"Bearer {KEYS['admin']}"}
    client = {"Authorization": f"Bearer {KEYS['client']}"}
    started = time.monotonic()
    requests.post(f"{base}/v1/models/{version}/activate", headers=admin, timeout=30).raise_for_status()
    while time.monotonic() - started < 60:
        ready = requests.get(f"{base}/readyz", timeout=30).json()["checks"].get("model_version")
        scored = requests.post(f"{base}/v1/classify", json={"text": "نص"}, headers=client, timeout=30)
        if ready == version and scored.headers.get("X-Raqib-Model-Version") == version:
            return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"{version} was not served within a minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the shared data directory")
    parser.add_argument("--site", default="ibrahimi_darija", help="the source that plays the site")
    parser.add_argument("--current", type=Path, required=True, help="the model in service")
    parser.add_argument("--work", type=Path, default=None, help="working directory (default: a new temporary one)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="at most this many of the site's comments (0: all)")
    args = parser.parse_args()
    from raqib.service.store.embedded import EmbeddedRedis

    work = args.work or Path(tempfile.mkdtemp(prefix="raqib-loop-"))
    site_rows = split_data(args.data, args.site, work / "shared")
    random.Random(7).shuffle(site_rows)  # the order moderators decided in: the latest 20 % are held out
    if args.limit:
        site_rows = site_rows[: args.limit]
    embedded = EmbeddedRedis(str(work / "redis")).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings: dict[str, Any] = {
        "redis_url": embedded.url,
        "api_keys": ",".join(f"{role}:{key}" for role, key in KEYS.items()),
        "model_dir": str(args.current.resolve()),
        "reporter_rate_limit": "off",
        "classify_rate_limit": "off",
    }
    server = mp.Process(target=serve, args=(port, 2, settings), daemon=True)
    server.start()
    env = {**os.environ, "REDIS_URL": embedded.url}
    try:
        wait(port)
        moderated_s = moderate(base, site_rows)
        decisions = work / "decisions.csv"
        command = [sys.executable, "-m", "raqib.service.cli", "decisions", "export", "--out", str(decisions)]
        subprocess.run(command, env=env, check=True)
        candidate, run_dir = work / "candidate", work / "run"
        started = time.monotonic()
        train = [sys.executable, "-m", "raqib.service.cli", "train", "--data", str(work / "shared")]
        train += ["--out", str(run_dir), "--artifact", str(candidate), "--stages", "finetune,export"]
        train += ["--finetune-init", str(args.current.resolve()), "--extra-data", str(decisions)]
        train += ["--finetune-epochs", str(args.epochs)]
        subprocess.run(train, check=True)
        trained_s = time.monotonic() - started
        admin = {"Authorization": f"Bearer {KEYS['admin']}"}
        for name, path in (("current", args.current.resolve()), ("site-1", candidate)):
            body = {"name": name, "path": str(path)}
            requests.post(f"{base}/v1/models", json=body, headers=admin, timeout=120).raise_for_status()
        switched_s = activate(base, "site-1")
        rolled_back_s = activate(base, "current")
    finally:
        server.terminate()
        server.join(10)
        embedded.stop()
    print(f"site = {args.site}: {len(site_rows)} comments reported and decided over HTTP in {moderated_s:.0f} s")
    print(f"fine-tune ({args.epochs} epoch(s)) and export: {trained_s:.0f} s")
    print(f"activation served everywhere after {switched_s:.1f} s; roll-back after {rolled_back_s:.1f} s")
    print((run_dir / "comparison.md").read_text(encoding="utf-8"))
    summary = {"moderated_s": moderated_s, "trained_s": trained_s, "switch_s": switched_s, "rollback_s": rolled_back_s}
    (work / "loop.json").write_text(json.dumps(summary, indent=2))
    print(f"working directory: {work}")


if __name__ == "__main__":
    main()
