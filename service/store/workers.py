"""Workers' heartbeats: each ``raqib worker`` stamps its name with Redis's time every few seconds;
``raqib worker --check`` (a container's health check) reads how old the stamp is. Redis's clock on
both sides, so the machines' clocks need not agree."""

from __future__ import annotations

from typing import Any

from .clock import server_ms
from .keys import WORKER_HEARTBEATS

FORGET_AFTER_MS = 24 * 3_600_000  # a worker silent for a day is dropped from the set


class WorkerRegistry:
    def __init__(self, client: Any) -> None:
        self.client = client

    def beat(self, consumer: str) -> int:
        """Record that ``consumer`` is alive now; returns the time recorded (ms)."""
        now = server_ms(self.client)
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(WORKER_HEARTBEATS, {consumer: now})
        pipe.zremrangebyscore(WORKER_HEARTBEATS, "-inf", now - FORGET_AFTER_MS)
        pipe.execute()
        return now

    def forget(self, consumer: str) -> None:
        """A worker that stops takes its heartbeat with it."""
        self.client.zrem(WORKER_HEARTBEATS, consumer)

    def ages_ms(self, prefix: str = "") -> dict[str, int]:
        """How long ago (ms) each worker whose name starts with ``prefix`` last beat."""
        now = server_ms(self.client)
        beats = self.client.zrange(WORKER_HEARTBEATS, 0, -1, withscores=True)
        return {name: max(0, now - int(at)) for name, at in beats if name.startswith(prefix)}
