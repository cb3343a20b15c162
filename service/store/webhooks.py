"""Webhook subscriptions, their deliveries, and the consumer group that reads the event streams."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from ..documents import DocumentUnreadable
from . import keys
from .clock import server_ms
from .keys import DELIVERY_GROUP, WEBHOOKS, PartitionKeys, WebhookKeys

log = logging.getLogger(__name__)
CLUSTER_IDLE_MS = 20  # on a cluster, the pause of an idle pass over the partitions


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    events: list[str]
    description: str
    enabled: bool
    secret: str
    previous_secret: str | None
    previous_expires_at: int | None
    created_at: int
    disabled_reason: str | None

    def signing_secrets(self, now_ms: int) -> list[str]:
        """The current secret, plus the previous one while its rotation grace period lasts."""
        extra = self.previous_secret if self.previous_expires_at and self.previous_expires_at > now_ms else None
        return [self.secret] + ([extra] if extra else [])

    def wants(self, event_type: str) -> bool:
        return self.enabled and ("*" in self.events or event_type in self.events)

    @classmethod
    def from_hash(cls, fields: dict[str, str]) -> Subscription:
        expires = fields.get("previous_expires_at")
        return cls(
            id=fields["id"],
            url=fields["url"],
            events=json.loads(fields["events"]),
            description=fields.get("description", ""),
            enabled=fields.get("enabled") == "1",
            secret=fields["secret"],
            previous_secret=fields.get("previous_secret") or None,
            previous_expires_at=int(expires) if expires else None,
            created_at=int(fields["created_at"]),
            disabled_reason=fields.get("disabled_reason") or None,
        )


@dataclass(frozen=True)
class Delivery:
    id: str
    event_id: str
    event_type: str
    body: str
    state: str
    attempts: int
    created_at: int
    next_attempt_at: int | None
    last_status: int | None
    last_latency_ms: int | None
    last_error: str | None
    delivered_at: int | None
    request_id: str

    @classmethod
    def from_hash(cls, fields: dict[str, str]) -> Delivery:
        def number(name: str) -> int | None:
            value = fields.get(name)
            return int(float(value)) if value not in (None, "") else None

        return cls(
            id=fields["id"],
            event_id=fields["event_id"],
            event_type=fields["event_type"],
            body=fields["body"],
            state=fields["state"],
            attempts=int(fields.get("attempts", 0)),
            created_at=int(fields["created_at"]),
            next_attempt_at=number("next_attempt_at"),
            last_status=number("last_status") or None,
            last_latency_ms=number("last_latency_ms"),
            last_error=fields.get("last_error") or None,
            delivered_at=number("delivered_at"),
            request_id=fields.get("request_id", ""),
        )


def delivery_id(webhook_id: str, event_id: str) -> str:
    """Deterministic, so that creating the same delivery twice is a no-op."""
    return f"dlv_{event_id.removeprefix('evt_')}_{webhook_id.removeprefix('wh_')}"


class WebhookStore:
    """Subscriptions and deliveries; every delivery operation stays inside one ``{w:ID}`` slot."""

    def __init__(self, client: Any, scripts: dict[str, Any], partitions: int, cluster: bool = False) -> None:
        self.client = client
        self.scripts = scripts
        self.partitions = partitions
        self.cluster = cluster

    def now_ms(self) -> int:
        return server_ms(self.client)

    # Subscriptions
    def create(self, url: str, events: list[str], description: str) -> Subscription:
        webhook_id = "wh_" + secrets.token_hex(8)
        fields = {
            "id": webhook_id,
            "url": url,
            "events": json.dumps(events),
            "description": description,
            "enabled": "1",
            "secret": new_secret(),
            "created_at": str(self.now_ms()),
        }
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(WebhookKeys(webhook_id).endpoint, mapping=fields)
        pipe.sadd(WEBHOOKS, webhook_id)
        pipe.execute()
        return Subscription.from_hash(fields)

    def get(self, webhook_id: str) -> Subscription | None:
        """The subscription; ``webhook_unreadable`` (503) if its stored fields no longer read."""
        fields = self.client.hgetall(WebhookKeys(webhook_id).endpoint)
        if not fields:
            return None
        try:
            sub = Subscription.from_hash(fields)
            if not isinstance(sub.events, list) or not all(isinstance(e, str) for e in sub.events):
                raise ValueError("events is not a list of event types")
        except (KeyError, ValueError, TypeError) as err:
            log.error("webhook %s no longer reads: %r", webhook_id, err)
            raise DocumentUnreadable("webhook", f"webhook {webhook_id!r} no longer reads; delete it") from None
        return sub

    def all(self) -> list[Subscription]:
        """Every subscription that reads (one that does not gets nothing, with an error logged)."""
        found = []
        for webhook_id in sorted(self.client.smembers(WEBHOOKS)):
            with contextlib.suppress(DocumentUnreadable):
                found.append(self.get(webhook_id))
        return sorted((s for s in found if s is not None), key=lambda s: s.created_at)

    def update(self, webhook_id: str, **fields: str) -> Subscription | None:
        key = WebhookKeys(webhook_id).endpoint
        if not self.client.exists(key):
            return None
        if fields:
            self.client.hset(key, mapping=fields)
        return self.get(webhook_id)

    def rotate(self, webhook_id: str, grace_ms: int) -> Subscription | None:
        """A new secret; the old one keeps signing (as a second signature) for ``grace_ms``."""
        current = self.get(webhook_id)
        if current is None:
            return None
        expires = str(int(time.time() * 1000) + grace_ms)
        return self.update(webhook_id, secret=new_secret(), previous_secret=current.secret, previous_expires_at=expires)

    def delete(self, webhook_id: str) -> bool:
        k = WebhookKeys(webhook_id)
        ids = self.client.zrange(k.log, 0, -1)
        pipe = self.client.pipeline(transaction=False)
        for key in [*(k.delivery(did) for did in ids), k.endpoint, k.due, k.log]:
            pipe.delete(key)  # one key per command: a cluster pipeline routes each by its slot
        pipe.srem(WEBHOOKS, webhook_id)
        return bool(pipe.execute()[-1])

    # Deliveries
    def enqueue(self, webhook_id: str, event_id: str, event_type: str, body: str, request_id: str = "") -> str:
        k = WebhookKeys(webhook_id)
        did = delivery_id(webhook_id, event_id)
        self.scripts["enqueue_delivery"](
            keys={"delivery": k.delivery(did), "due": k.due, "log": k.log},
            args={
                "delivery_id": did,
                "event_id": event_id,
                "event_type": event_type,
                "body": body,
                "request_id": request_id,
            },
        )
        return did

    def claim(self, webhook_id: str, count: int, lease_ms: int) -> list[Delivery]:
        k = WebhookKeys(webhook_id)
        ids = self.scripts["claim_deliveries"](keys={"due": k.due}, args={"count": count, "lease_ms": lease_ms})
        found = (self.delivery(webhook_id, did) for did in ids)
        return [d for d in found if d is not None]

    def has_due(self, webhook_id: str, now_ms: int) -> bool:
        return bool(self.client.zcount(WebhookKeys(webhook_id).due, "-inf", now_ms))

    def finish(
        self,
        webhook_id: str,
        did: str,
        outcome: str,
        status: int,
        latency_ms: int,
        error: str,
        delays_ms: Iterable[int],
    ) -> str:
        k = WebhookKeys(webhook_id)
        args = {
            "delivery_id": did,
            "outcome": outcome,
            "http_status": status,
            "latency_ms": latency_ms,
            "error": error[:500],
            "retry_delays": ",".join(str(d) for d in delays_ms),
        }
        keys_ = {"delivery": k.delivery(did), "due": k.due, "endpoint": k.endpoint}
        return str(self.scripts["finish_attempt"](keys=keys_, args=args))

    def delivery(self, webhook_id: str, did: str) -> Delivery | None:
        fields = self.client.hgetall(WebhookKeys(webhook_id).delivery(did))
        return Delivery.from_hash(fields) if fields else None

    def deliveries(self, webhook_id: str, limit: int, before: int | None = None) -> list[Delivery]:
        """Latest first; ``before`` (ms) pages back."""
        k = WebhookKeys(webhook_id)
        top = f"({before}" if before is not None else "+inf"
        ids = self.client.zrevrangebyscore(k.log, top, "-inf", start=0, num=limit)
        found = (self.delivery(webhook_id, did) for did in ids)
        return [d for d in found if d is not None]

    def redeliver(self, webhook_id: str, did: str) -> Delivery | None:
        """Send a delivery again now, with a fresh retry schedule (its log keeps the earlier attempts' count)."""
        k = WebhookKeys(webhook_id)
        if not self.client.exists(k.delivery(did)):
            return None
        now = int(time.time() * 1000)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(k.delivery(did), mapping={"state": "pending", "attempts": 0, "next_attempt_at": now})
        pipe.hincrby(k.delivery(did), "redeliveries", 1)
        pipe.zadd(k.due, {did: now})
        pipe.execute()
        return self.delivery(webhook_id, did)

    def trim_log(self, webhook_id: str, keep: int) -> int:
        """Forget the oldest settled deliveries beyond ``keep``; pending ones stay until they settle."""
        k = WebhookKeys(webhook_id)
        excess = self.client.zcard(k.log) - keep
        removed = 0
        if excess > 0:
            for did in self.client.zrange(k.log, 0, excess - 1):
                if self.client.hget(k.delivery(did), "state") != "pending":
                    self.client.delete(k.delivery(did))
                    self.client.zrem(k.log, did)
                    removed += 1
        return removed

    # The event streams, read through the consumer group
    def streams(self) -> list[str]:
        return [PartitionKeys(p).events for p in range(self.partitions)]

    def ensure_groups(self) -> None:
        for stream in self.streams():
            try:
                self.client.xgroup_create(stream, DELIVERY_GROUP, id="0", mkstream=True)
            except redis.ResponseError as err:
                if "BUSYGROUP" not in str(err):
                    raise

    def read_events(self, consumer: str, count: int, block_ms: int) -> list[tuple[str, str, dict[str, str]]]:
        """New events for this consumer as ``(stream, stream id, fields)``. On one server a single
        blocking read covers every partition; on a cluster each partition is its own slot, so they
        are read one by one, and an idle pass sleeps briefly instead of blocking."""
        if not self.cluster:
            reply = self.client.xreadgroup(
                DELIVERY_GROUP, consumer, dict.fromkeys(self.streams(), ">"), count=count, block=block_ms
            )
            return [(stream, sid, fields) for stream, entries in reply or [] for sid, fields in entries]
        found = []
        for stream in self.streams():
            reply = self.client.xreadgroup(DELIVERY_GROUP, consumer, {stream: ">"}, count=count)
            found += [(name, sid, fields) for name, entries in reply or [] for sid, fields in entries]
        if not found:
            time.sleep(min(block_ms, CLUSTER_IDLE_MS) / 1000)
        return found

    def reclaim_events(self, consumer: str, min_idle_ms: int) -> list[tuple[str, str, dict[str, str]]]:
        """Events another consumer read but never acknowledged (it crashed), taken over."""
        taken = []
        for stream in self.streams():
            _, entries, *_ = self.client.xautoclaim(stream, DELIVERY_GROUP, consumer, min_idle_ms, count=100)
            taken += [(stream, sid, fields) for sid, fields in entries if fields]
        return taken

    def ack(self, stream: str, stream_id: str) -> None:
        self.client.xack(stream, DELIVERY_GROUP, stream_id)


def partition_of_stream(stream: str) -> int:
    """The partition number in ``raqib:{p:NN}:events``."""
    return int(stream.split("{p:")[1].split("}")[0])


__all__ = ["Delivery", "Subscription", "WebhookStore", "delivery_id", "keys", "partition_of_stream"]
