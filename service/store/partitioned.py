"""What the stores of item state share: the client, the registered scripts, and the keys of an
item in its partition."""

from __future__ import annotations

import json
from typing import Any

from .keys import ItemKeys, event_id_prefix


class TypeMismatch(Exception):
    """The item exists as another type (an image reported as a comment, say)."""

    def __init__(self, existing: str) -> None:
        super().__init__(existing)
        self.existing = existing


class PartitionedStore:
    def __init__(self, client: Any, scripts: dict[str, Any], partitions: int, events_maxlen: int) -> None:
        self.client = client
        self.scripts = scripts
        self.partitions = partitions
        self.events_maxlen = events_maxlen

    def _item(self, item_id: str) -> ItemKeys:
        return ItemKeys.of(item_id, self.partitions)

    def _transition_keys(self, k: ItemKeys) -> dict[str, str]:
        """The keys every script that changes an item's state takes: the item, its history, its
        partition's events, audit and review queue (with its waiting order and sets)."""
        p = k.partition
        return {
            "item": k.item,
            "history": k.history,
            "events": p.events,
            "review": p.review,
            "audit": p.audit,
            "review_hidden": p.review_hidden,
            "review_oldest": p.review_oldest,
            "review_held": p.review_held,
        }

    def landed(self, item_id: str, fields: dict[str, str], settings: dict[str, Any]) -> tuple[str, bool] | None:
        """Store what was found in an item (an image's analysis, a comment's scores or bank match)
        and act on it (``lua/analysis_landed.lua``): its status and whether it hid now, or None if
        there is no such item."""
        k = self._item(item_id)
        settings = {
            **settings,
            "events_maxlen": self.events_maxlen,
            "event_prefix": event_id_prefix(k.partition.partition),
        }
        result = self.scripts["analysis_landed"](
            keys=self._transition_keys(k),
            args={
                "item_id": item_id,
                "fields": json.dumps(fields, ensure_ascii=False),
                "settings": json.dumps(settings, ensure_ascii=False),
            },
        )
        if result[0] == "not_found":
            return None
        return str(result[0]), bool(int(result[1]))
