"""What the Perspective-compatible API keeps: texts sent with ``doNotStore: false`` (trimmed to
the retention setting) and suggested scores (moderators' verdicts, for the learning loop)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import keys
from .clock import server_ms

KEEP_MAXLEN = 1_000_000


class PerspectiveStore:
    def __init__(self, client: Any) -> None:
        self.client = client

    def keep(self, entry: Mapping[str, Any], retention_days: int) -> None:
        """Keep an analysed text no longer than ``retention_days`` (older entries are trimmed)."""
        if retention_days <= 0:
            return
        oldest = server_ms(self.client) - retention_days * 86_400_000
        pipe = self.client.pipeline(transaction=False)
        pipe.xadd(keys.PERSPECTIVE_KEPT, {"entry": json.dumps(dict(entry), ensure_ascii=False)})
        pipe.xtrim(keys.PERSPECTIVE_KEPT, minid=str(oldest), approximate=False)  # exact: nothing older stays
        pipe.execute()

    def kept(self, count: int = 1000) -> list[dict[str, Any]]:
        return [json.loads(f["entry"]) for _, f in self.client.xrange(keys.PERSPECTIVE_KEPT, count=count)]

    def suggest(self, entry: Mapping[str, Any]) -> None:
        self.client.xadd(
            keys.PERSPECTIVE_SUGGESTIONS,
            {"entry": json.dumps(dict(entry), ensure_ascii=False)},
            maxlen=KEEP_MAXLEN,
            approximate=True,
        )

    def suggestions(self, count: int = 1000) -> list[dict[str, Any]]:
        return [json.loads(f["entry"]) for _, f in self.client.xrange(keys.PERSPECTIVE_SUGGESTIONS, count=count)]
