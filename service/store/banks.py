"""The outbox of bank changes: a decision records the change it owes to a bank (``decide.lua``,
atomically with the decision), the request applies it, the worker applies any left behind. A
removed image joins the bank of PDQ hashes, a removed comment the bank of removed comments; a
restored one leaves it. Applying twice changes nothing."""

from __future__ import annotations

from typing import Any

from . import keys
from .clock import server_ms
from .images import BankEntry, ImageStore
from .partitioned import PartitionedStore
from .texts import TextBankStore

# The change a decision owes a bank: a removed image or comment joins it, a restored one leaves it.
BANK_CHANGES = {"remove": "add", "restore": "remove", "reverse": "remove"}


def bank_change_for(action: str, fields: dict[str, str]) -> str:
    """``add``, ``remove`` or nothing, for an item with these fields (an image, or a text)."""
    bankable = fields.get("item_type") == "image" or "text" in fields
    return BANK_CHANGES.get(action, "") if bankable else ""


class BankOutbox(PartitionedStore):
    def __init__(
        self,
        client: Any,
        scripts: dict[str, Any],
        partitions: int,
        events_maxlen: int,
        images: ImageStore,
        texts: TextBankStore,
    ) -> None:
        super().__init__(client, scripts, partitions, events_maxlen)
        self.images = images
        self.texts = texts

    def apply(self, item_id: str, min_quality: int, seq: int | None = None) -> bool:
        """Carry out the change the item's decision owes. ``seq`` names the decision: if a later one
        has recorded its own change, nothing is done. Returns whether a change was applied and marked
        done. An image removed before the worker analysed it stays owed: the analysis, when it
        lands, applies it at once (``images/jobs.py``)."""
        k = self._item(item_id)
        f = self.client.hgetall(k.item)
        owed = f.get("bank_change", "")
        change, _, owed_seq = owed.partition(":")
        if not owed or (seq is not None and owed_seq != str(seq)):
            return False
        actor, at = f.get("decided_by", ""), int(f.get("decided_at", 0))
        if f.get("item_type") == "image":
            if change == "add" and "pdq" not in f and "analysed_at" not in f:
                return False  # not hashed yet
            if change == "remove":
                self.images.bank_remove(item_id)
            elif change == "add" and "pdq" in f and int(f.get("pdq_quality", 0)) >= min_quality:
                hashes = [f["pdq"], *self.images.variants(item_id)]
                self.images.bank_add(BankEntry(item_id, item_id, hashes, int(f["pdq_quality"]), actor, at))
        elif change == "remove":
            self.texts.remove(item_id)
        elif change == "add" and f.get("text"):
            self.texts.add(item_id, item_id, f["text"], actor, at)
        applied = self.scripts["bank_applied"](
            keys={"item": k.item, "bank_pending": k.partition.bank_pending}, args={"item_id": item_id, "change": owed}
        )
        return bool(applied)

    def pending(self, older_than_ms: int) -> list[str]:
        """Items whose decision, older than this, still owes a bank change."""
        cutoff = server_ms(self.client) - older_than_ms
        found: list[str] = []
        for part in range(self.partitions):
            found += self.client.zrangebyscore(keys.PartitionKeys(part).bank_pending, "-inf", cutoff)
        return found
