"""Times: Redis stores milliseconds since the epoch; the API shows ISO 8601 in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(ms: int | str | None) -> str | None:
    if ms is None:
        return None
    stamp = datetime.fromtimestamp(int(ms) / 1000, UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
