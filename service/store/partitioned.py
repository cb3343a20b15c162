"""What the stores of item state share: the client, the registered scripts, and the keys of an
item in its partition."""

from __future__ import annotations

from typing import Any

from .keys import ItemKeys


class PartitionedStore:
    def __init__(self, client: Any, scripts: dict[str, Any], partitions: int, events_maxlen: int) -> None:
        self.client = client
        self.scripts = scripts
        self.partitions = partitions
        self.events_maxlen = events_maxlen

    def _item(self, item_id: str) -> ItemKeys:
        return ItemKeys.of(item_id, self.partitions)
