"""Images in Redis: uploads awaiting analysis, previews, the analysis queue and the bank of
PDQ hashes of removed images."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import redis

from .keys import BANK, BANK_VERSION, IMAGE_GROUP, IMAGE_JOBS
from .partitioned import PartitionedStore

UPLOAD_TTL_S = 7 * 86_400  # an upload nobody analysed is dropped after this
JOBS_MAXLEN = 1_000_000


@dataclass(frozen=True)
class BankEntry:
    entry_id: str
    item_id: str
    hashes: list[str]  # the image's PDQ hash first, then those of its crops
    quality: int
    added_by: str
    added_at: int


class ImageStore(PartitionedStore):
    def __init__(self, client: Any, scripts: dict[str, Any], partitions: int, events_maxlen: int) -> None:
        super().__init__(client, scripts, partitions, events_maxlen)
        self._bank_cache: tuple[str, dict[str, str]] = ("", {})

    # Uploads and previews
    def save_upload(self, item_id: str, data: bytes) -> bool:
        """Keep the item's first image for the worker; False if it already had one."""
        value = base64.b64encode(data).decode("ascii")
        return self._save(item_id, "original", value)

    def save_url(self, item_id: str, url: str) -> bool:
        return self._save(item_id, "url", url)

    def _save(self, item_id: str, field: str, value: str) -> bool:
        key = self._item(item_id).image
        args = {"field": field, "value": value, "ttl_s": UPLOAD_TTL_S}
        return bool(self.scripts["image_upload"](keys={"image": key}, args=args))

    def discard(self, item_id: str) -> None:
        """Forget an image whose report was refused."""
        self.client.delete(self._item(item_id).image)

    def upload(self, item_id: str) -> tuple[bytes | None, str | None]:
        """The stored upload (if not analysed yet) and the image's URL (if it came as one)."""
        original, url = self.client.hmget(self._item(item_id).image, "original", "url")
        return (base64.b64decode(original) if original else None), url

    def finish(self, item_id: str, preview: bytes | None, variants: list[str]) -> None:
        """Replace the upload by its preview and crop hashes; these are kept for good."""
        key = self._item(item_id).image
        pipe = self.client.pipeline(transaction=True)
        if preview is not None:
            pipe.hset(
                key, mapping={"preview": base64.b64encode(preview).decode("ascii"), "variants": json.dumps(variants)}
            )
        pipe.hdel(key, "original")
        pipe.persist(key)
        pipe.execute()

    def preview(self, item_id: str) -> bytes | None:
        value = self.client.hget(self._item(item_id).image, "preview")
        return base64.b64decode(value) if value else None

    def variants(self, item_id: str) -> list[str]:
        value = self.client.hget(self._item(item_id).image, "variants")
        return list(json.loads(value)) if value else []

    # The analysis queue
    def enqueue(self, item_id: str) -> None:
        self.client.xadd(IMAGE_JOBS, {"item_id": item_id}, maxlen=JOBS_MAXLEN, approximate=True)

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(IMAGE_JOBS, IMAGE_GROUP, id="0", mkstream=True)
        except redis.ResponseError as err:
            if "BUSYGROUP" not in str(err):
                raise

    def read_jobs(self, consumer: str, count: int, block_ms: int | None) -> list[tuple[str, str]]:
        """New jobs for this consumer as ``(job id, item id)``."""
        reply = self.client.xreadgroup(IMAGE_GROUP, consumer, {IMAGE_JOBS: ">"}, count=count, block=block_ms)
        return [(jid, fields["item_id"]) for _, entries in reply or [] for jid, fields in entries]

    def reclaim_jobs(self, consumer: str, min_idle_ms: int) -> list[tuple[str, str]]:
        """Jobs a crashed worker read but never acknowledged, taken over."""
        _, entries, *_ = self.client.xautoclaim(IMAGE_JOBS, IMAGE_GROUP, consumer, min_idle_ms, count=20)
        return [(jid, fields["item_id"]) for jid, fields in entries if fields]

    def ack(self, job_id: str) -> None:
        self.client.xack(IMAGE_JOBS, IMAGE_GROUP, job_id)

    # The bank of removed images
    def bank_add(self, entry: BankEntry) -> None:
        value = {
            "item_id": entry.item_id,
            "hashes": entry.hashes,
            "quality": entry.quality,
            "added_by": entry.added_by,
            "added_at": entry.added_at,
        }
        self.client.hset(BANK, entry.entry_id, json.dumps(value))
        self.client.incr(BANK_VERSION)

    def bank_remove(self, entry_id: str) -> bool:
        removed = bool(self.client.hdel(BANK, entry_id))
        if removed:
            self.client.incr(BANK_VERSION)
        return removed

    def bank_entry(self, entry_id: str) -> BankEntry | None:
        raw = self.client.hget(BANK, entry_id)
        return BankEntry(entry_id=entry_id, **json.loads(raw)) if raw else None

    def bank_entries(self) -> list[BankEntry]:
        entries = [BankEntry(entry_id=eid, **json.loads(raw)) for eid, raw in self.client.hgetall(BANK).items()]
        return sorted(entries, key=lambda e: e.added_at, reverse=True)

    def bank_hashes(self) -> dict[str, str]:
        """``"<entry id>/<n>"`` → hash, for matching; reloaded only when the bank changed."""
        version = self.client.get(BANK_VERSION) or "0"
        if version != self._bank_cache[0]:
            table = {f"{e.entry_id}/{n}": h for e in self.bank_entries() for n, h in enumerate(e.hashes)}
            self._bank_cache = (version, table)
        return self._bank_cache[1]
