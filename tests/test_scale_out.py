"""Many processes, one Redis: two `raqib serve` and two `raqib worker` give the same results as one."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from raqib.service.store import Store

from .conftest import API_KEYS, KEYS, process_env, serve_command
from .receiver import Receiver
from .test_serve import _free_port, _wait_ready


@pytest.mark.slow
def test_two_servers_and_two_workers_hide_and_deliver_exactly_once(
    redis_url: str, settings: dict[str, Any], store: Store, receivers: Callable[..., Receiver], tmp_path: Path
) -> None:
    env = process_env(
        REDIS_URL=redis_url,
        RAQIB_REDIS_CLUSTER=str(settings["redis_cluster"]).lower(),
        RAQIB_API_KEYS=API_KEYS,
        RAQIB_PARTITIONS="4",
        RAQIB_MODEL_DIR="off",
        RAQIB_REPORTER_RATE_LIMIT="off",
        RAQIB_WEBHOOK_ALLOW_PRIVATE="true",
        RAQIB_DATA_DIR=str(tmp_path),
    )
    ports = [_free_port()]
    while len(ports) < 2:
        ports += [port for port in [_free_port()] if port not in ports]
    processes = [
        subprocess.Popen(
            serve_command(port, "--no-worker"),
            env=env,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ] + [
        subprocess.Popen([sys.executable, "-m", "raqib.service.worker"], env=env, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=False):
            _wait_ready(url, process)
        receiver = receivers()
        admin = {"Authorization": f"Bearer {KEYS['admin']}"}
        hook = requests.post(
            urls[0] + "/v1/webhooks", json={"url": receiver.url, "events": ["item.hidden"]}, headers=admin, timeout=10
        )
        assert hook.status_code == 201

        def send(n: int) -> int:
            body = {"item_id": "storm", "item_type": "comment", "reporter_id": f"reader-{n}"}
            auth = {"Authorization": f"Bearer {KEYS['client']}"}
            return requests.post(urls[n % 2] + "/v1/reports", json=body, headers=auth, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=25) as pool:
            assert set(pool.map(send, range(50))) == {202}
        assert Counter(e.type for e in store.events() if e.item_id == "storm") == {
            "item.reported": 50,
            "item.hidden": 1,
        }
        [delivered] = receiver.wait_for(1, timeout=30)
        time.sleep(1.0)  # a second delivery, if any, would arrive by now
        assert len(receiver.received) == 1
        assert json.loads(delivered.body)["data"]["item_id"] == "storm"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
