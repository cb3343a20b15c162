"""Redis's clock: it stamps every event and transition, so comparisons with it hold across processes."""

from __future__ import annotations

from typing import Any


def server_ms(client: Any) -> int:
    """Milliseconds since the epoch on the Redis server (a cluster answers per node: any one will do)."""
    reply = client.time()
    if isinstance(reply, dict):
        reply = next(iter(reply.values()))
    seconds, micros = reply
    return int(seconds) * 1000 + int(micros) // 1000
