"""Webhooks end to end: real receivers on 127.0.0.1, signatures checked by the reference
``standardwebhooks`` library, a real delivery worker (in-process, or a process killed mid-delivery)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from raqib.service.config import Config
from raqib.service.store import Store
from raqib.service.worker import DeliveryWorker
from standardwebhooks.webhooks import Webhook

from .conftest import Api, process_env, report
from .receiver import Receiver

ApiFactory = Callable[[dict[str, Any]], Api]


@pytest.fixture
def worker(store: Store, settings: dict[str, Any]) -> Iterator[DeliveryWorker]:
    delivery = DeliveryWorker(
        Store(store.client, partitions=store.partitions, cluster=store.cluster), Config.from_mapping(settings), "test"
    )
    threads = delivery.start()
    yield delivery
    delivery.close(threads)


def subscribe(api: Api, url: str, events: list[str] | None = None) -> dict[str, Any]:
    response = api.post("/v1/webhooks", role="admin", json={"url": url, "events": events or ["*"]})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def deliveries(api: Api, webhook_id: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = api.get(f"/v1/webhooks/{webhook_id}/deliveries", role="admin").json()["deliveries"]
    return result


def states(api: Api, webhook_id: str) -> list[str]:
    return [d["state"] for d in deliveries(api, webhook_id)]


def wait_until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_subscription_lifecycle(api: Api, receivers: Callable[..., Receiver]) -> None:
    url = receivers().url
    created = subscribe(api, url, ["item.hidden"])
    assert created["secret"].startswith("whsec_")
    hook_id = created["id"]
    listed = api.get("/v1/webhooks", role="admin").json()["webhooks"]
    assert [h["id"] for h in listed] == [hook_id]
    assert "secret" not in listed[0]
    patched = api.request("PATCH", f"/v1/webhooks/{hook_id}", role="admin", json={"enabled": False}).json()
    assert patched["enabled"] is False and "secret" not in patched
    assert api.request("DELETE", f"/v1/webhooks/{hook_id}", role="admin").status_code == 204
    assert api.get(f"/v1/webhooks/{hook_id}", role="admin").status_code == 404


def test_only_admins_manage_webhooks(api: Api) -> None:
    for role in ("client", "moderator"):
        assert api.get("/v1/webhooks", role=role).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "ftp://example.com/x",
        "http://user:pw@example.com/x",
        "http://224.0.0.1/x",
        "http://0.0.0.0/x",
    ],
)
def test_ssrf_guard_refuses_internal_targets(settings: dict[str, Any], api_factory: ApiFactory, url: str) -> None:
    settings["webhook_allow_private"] = False
    api = api_factory(settings)
    response = api.post("/v1/webhooks", role="admin", json={"url": url, "events": ["*"]})
    assert response.status_code == 422
    assert response.json()["error"] == "validation_failed"


def test_events_are_signed_by_the_standard(
    api: Api, receivers: Callable[..., Receiver], worker: DeliveryWorker
) -> None:
    receiver = receivers()
    hook = subscribe(api, receiver.url)
    for reader in ("a", "b"):
        report(api, "w-1", reader)
    body = {"item_id": "w-1", "item_type": "comment", "reporter_id": "c"}
    api.post("/v1/reports", json=body, headers={"X-Request-Id": "host-req-42"})
    got = receiver.wait_for(4)
    assert [r.headers.get("x-raqib-request-id") for r in got][2:] == ["host-req-42", "host-req-42"]
    verifier = Webhook(hook["secret"])
    payloads = [verifier.verify(r.body, r.headers) for r in got]
    assert [p["type"] for p in payloads] == ["item.reported"] * 3 + ["item.hidden"]
    hidden = payloads[-1]
    assert hidden["data"]["item_id"] == "w-1" and hidden["data"]["status"] == "hidden"
    assert [p["data"]["seq"] for p in payloads] == [1, 2, 3, 4]
    assert hidden["timestamp"].endswith("Z")
    item = api.get("/v1/items/w-1").json()
    assert got[-1].headers["webhook-id"] == item["history"][0]["event_id"]


def test_event_filter(api: Api, receivers: Callable[..., Receiver], worker: DeliveryWorker) -> None:
    receiver = receivers()
    subscribe(api, receiver.url, ["item.hidden"])
    for reader in ("a", "b", "c"):
        report(api, "w-2", reader)
    [only] = receiver.wait_for(1)
    time.sleep(0.3)
    assert len(receiver.received) == 1
    assert json.loads(only.body)["type"] == "item.hidden"


def test_failing_receiver_gets_the_event_once_delivered(
    api: Api, receivers: Callable[..., Receiver], worker: DeliveryWorker
) -> None:
    receiver = receivers(lambda n: (500, 0.0) if n < 3 else (200, 0.0))
    hook = subscribe(api, receiver.url, ["item.reported"])
    report(api, "w-3", "a")
    got = receiver.wait_for(4)
    assert len({r.headers["webhook-id"] for r in got}) == 1
    wait_until(lambda: states(api, hook["id"]) == ["delivered"])
    [log] = deliveries(api, hook["id"])
    assert (log["attempts"], log["last_status_code"]) == (4, 200)
    time.sleep(0.3)
    assert len(receiver.received) == 4


def test_retries_end_in_dead_letter(
    settings: dict[str, Any], api_factory: ApiFactory, receivers: Callable[..., Receiver], store: Store
) -> None:
    settings["webhook_retry_schedule"] = "50ms,50ms"
    api = api_factory(settings)
    delivery = DeliveryWorker(
        Store(store.client, partitions=4, cluster=store.cluster), Config.from_mapping(settings), "t"
    )
    threads = delivery.start()
    try:
        receiver = receivers(lambda n: (503, 0.0))
        hook = subscribe(api, receiver.url, ["item.reported"])
        report(api, "w-4", "a")
        wait_until(lambda: states(api, hook["id"]) == ["dead"])
        assert len(receiver.received) == 3
        [log] = deliveries(api, hook["id"])
        redelivered = api.post(f"/v1/webhooks/{hook['id']}/deliveries/{log['id']}/redeliver", role="admin")
        assert redelivered.status_code == 202
        receiver.wait_for(4)
    finally:
        delivery.close(threads)


def test_gone_disables_the_endpoint(api: Api, receivers: Callable[..., Receiver], worker: DeliveryWorker) -> None:
    receiver = receivers(lambda n: (410, 0.0))
    hook = subscribe(api, receiver.url, ["item.reported"])
    report(api, "w-5", "a")
    wait_until(lambda: api.get(f"/v1/webhooks/{hook['id']}", role="admin").json()["enabled"] is False)
    assert states(api, hook["id"]) == ["dead"]


def test_secret_rotation_signs_with_both(api: Api, receivers: Callable[..., Receiver], worker: DeliveryWorker) -> None:
    receiver = receivers()
    hook = subscribe(api, receiver.url, ["item.reported"])
    rotated = api.request("PATCH", f"/v1/webhooks/{hook['id']}", role="admin", json={"rotate_secret": True}).json()
    assert rotated["secret"] != hook["secret"] and rotated["rotating"] is True
    report(api, "w-6", "a")
    [got] = receiver.wait_for(1)
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    for secret in (hook["secret"], rotated["secret"]):
        assert Webhook(secret).verify(got.body, got.headers)["type"] == "item.reported"


def test_dead_endpoint_does_not_slow_a_live_one(
    api: Api, receivers: Callable[..., Receiver], worker: DeliveryWorker
) -> None:
    slow = receivers(lambda n: (200, 5.0))  # beyond the 2 s timeout: every attempt fails slowly
    fast = receivers()
    subscribe(api, slow.url, ["item.reported"])
    subscribe(api, fast.url, ["item.reported"])
    started = time.time()
    for n in range(5):
        report(api, f"w-7-{n}", "a")
    got = fast.wait_for(5, timeout=10)
    assert max(r.at for r in got) - started < 1.5


def test_test_event(api: Api, receivers: Callable[..., Receiver], worker: DeliveryWorker) -> None:
    receiver = receivers()
    hook = subscribe(api, receiver.url, ["item.hidden"])
    response = api.post(f"/v1/webhooks/{hook['id']}/test", role="admin")
    assert response.status_code == 202
    [got] = receiver.wait_for(1)
    assert Webhook(hook["secret"]).verify(got.body, got.headers)["type"] == "webhook.test"


def test_bad_ids_and_queries(api: Api) -> None:
    assert api.get("/v1/webhooks/nope", role="admin").status_code == 422
    assert api.get("/v1/webhooks/wh_0123456789abcdef", role="admin").status_code == 404
    hook = api.post("/v1/webhooks", role="admin", json={"url": "http://127.0.0.1:9/x", "events": ["*"]}).json()
    assert api.get(f"/v1/webhooks/{hook['id']}/deliveries?limit=500", role="admin").status_code == 422
    assert (
        api.post("/v1/webhooks", role="admin", json={"url": "http://127.0.0.1:9/x", "events": ["x"]}).status_code == 422
    )


@pytest.mark.slow
def test_a_worker_killed_mid_delivery_is_replaced(
    api: Api, receivers: Callable[..., Receiver], redis_url: str, settings: dict[str, Any]
) -> None:
    # The first request hangs (the worker is killed during it); the next one succeeds.
    receiver = receivers(lambda n: (200, 30.0) if n == 0 else (200, 0.0))
    hook = subscribe(api, receiver.url, ["item.reported"])
    env = process_env(
        REDIS_URL=redis_url,
        RAQIB_REDIS_CLUSTER=str(settings["redis_cluster"]).lower(),
        RAQIB_PARTITIONS="4",
        RAQIB_WEBHOOK_ALLOW_PRIVATE="true",
        RAQIB_WEBHOOK_TIMEOUT_S="2",
        RAQIB_WEBHOOK_LEASE_S="3",
        RAQIB_WEBHOOK_RETRY_SCHEDULE="100ms",
    )
    command = [sys.executable, "-m", "raqib.service.worker"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        report(api, "w-8", "a")
        receiver.wait_for(1, timeout=30)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        first.kill()
    second = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        got = receiver.wait_for(2, timeout=60)
        assert got[0].headers["webhook-id"] == got[1].headers["webhook-id"]
        wait_until(lambda: states(api, hook["id"]) == ["delivered"], timeout=30)
    finally:
        second.terminate()
        second.wait(10)


def test_redirects_are_not_followed(api: Api, receivers: Callable[..., Receiver], worker: DeliveryWorker) -> None:
    target = receivers()
    redirecting = receivers(lambda n: (307, 0.0), {"Location": target.url})
    hook = subscribe(api, redirecting.url, ["item.reported"])
    report(api, "w-9", "a")
    wait_until(lambda: deliveries(api, hook["id"])[:1] != [] and deliveries(api, hook["id"])[0]["attempts"] >= 1)
    assert deliveries(api, hook["id"])[0]["last_status_code"] == 307
    assert target.received == []


@pytest.mark.parametrize("include_actor", [False, True])
def test_payloads_never_carry_the_note_and_name_the_moderator_only_when_asked(
    settings: dict[str, Any], api_factory: ApiFactory, receivers: Callable[..., Receiver], include_actor: bool
) -> None:
    settings["webhook_include_actor"] = include_actor
    api = api_factory(settings)
    receiver = receivers()
    subscribe(api, receiver.url, ["item.removed"])
    for reader in ("a", "b", "c"):
        report(api, "w-priv", reader)
    decision = {"action": "remove", "reason_code": "harassment", "note": "private note"}
    headers = {"X-Raqib-Actor": "سلمى".encode()}  # UTF-8 bytes, as curl and browsers send them
    assert api.post("/v1/review/items/w-priv/decision", role="moderator", json=decision, headers=headers).ok
    store = Store.from_url(settings["redis_url"], cluster=settings.get("redis_cluster", False))
    delivery = DeliveryWorker(store, Config.from_mapping(settings), "privacy")
    threads = delivery.start()
    try:
        [got] = receiver.wait_for(1)
    finally:
        delivery.close(threads)
    data = json.loads(got.body)["data"]
    assert "private note" not in got.body and "note" not in data["decision"]
    assert data["decision"]["reason_code"] == "harassment" and data["decision"]["statement"]["explanation"]["fr"]
    assert data["actor"] == ("moderator:سلمى" if include_actor else "moderator")
