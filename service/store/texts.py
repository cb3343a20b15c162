"""The bank of removed comments in Redis: each entry's record and its 16 LSH buckets, all on one
slot (``{tb}``), so that adding, removing and looking up are one script each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..texts.signature import Signature, signature
from . import keys

CANDIDATES = 20  # entries sharing the most buckets with a text, compared in full


@dataclass(frozen=True)
class TextEntry:
    entry_id: str
    item_id: str
    excerpt: str
    added_by: str
    added_at: int


@dataclass(frozen=True)
class TextMatch:
    entry_id: str
    item_id: str
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {"entry": self.entry_id, "item_id": self.item_id, "similarity": round(self.similarity, 3)}


class TextBankStore:
    def __init__(self, client: Any, scripts: dict[str, Any]) -> None:
        self.client = client
        self.scripts = scripts
        self._keys = {"entries": keys.TEXT_BANK, "buckets": keys.TEXT_BANK_BUCKETS, "order": keys.TEXT_BANK_ORDER}

    def add(self, entry_id: str, item_id: str, text: str, added_by: str, added_at: int) -> bool:
        """Bank a removed comment; False for a text too short to bank, or one already banked."""
        found = signature(text)
        if found is None:
            return False
        return bool(
            self.scripts["text_bank_add"](
                keys=self._keys, args=self._entry(entry_id, item_id, text, found, added_by, added_at)
            )
        )

    def add_signatures(self, entries: list[tuple[str, str, str, Signature]], added_by: str, added_at: int) -> int:
        """Bank many at once, pipelined (an import, the benchmark): (entry id, item id, excerpt,
        signature) each. Returns how many were new."""
        pipe = self.client.pipeline(transaction=False)
        for entry_id, item_id, excerpt, found in entries:
            args = self._entry(entry_id, item_id, excerpt, found, added_by, added_at)
            self.scripts["text_bank_add"](keys=self._keys, args=args, client=pipe)
        return sum(int(x) for x in pipe.execute())

    def _entry(
        self, entry_id: str, item_id: str, text: str, found: Signature, added_by: str, added_at: int
    ) -> dict[str, Any]:
        buckets = found.bands()
        record = {
            "item_id": item_id,
            "signature": found.encode(),
            "buckets": buckets,
            "excerpt": text[:140],
            "added_by": added_by,
            "added_at": added_at,
        }
        return {
            "entry_id": entry_id,
            "record": json.dumps(record, ensure_ascii=False),
            "buckets": ",".join(buckets),
            "added_at": added_at,
        }

    def remove(self, entry_id: str) -> bool:
        return bool(self.scripts["text_bank_remove"](keys=self._keys, args={"entry_id": entry_id}))

    def forget_text(self, entry_id: str) -> None:
        """Keep an entry's signature but drop its excerpt (its author was erased)."""
        raw = self.client.hget(keys.TEXT_BANK, entry_id)
        if raw:
            record = json.loads(raw)
            record["excerpt"] = ""
            self.client.hset(keys.TEXT_BANK, entry_id, json.dumps(record, ensure_ascii=False))

    def match(self, text: str, min_similarity: float, exclude: str | None = None) -> TextMatch | None:
        """The banked comment ``text`` is a near-copy of (the most similar at or above
        ``min_similarity``), or None; short texts never match."""
        found = signature(text)
        if found is None:
            return None
        reply = self.scripts["text_bank_lookup"](
            keys={"entries": keys.TEXT_BANK, "buckets": keys.TEXT_BANK_BUCKETS},
            args={"buckets": ",".join(found.bands()), "limit": CANDIDATES},
        )
        best: TextMatch | None = None
        for entry_id, raw in zip(reply[0::2], reply[1::2], strict=True):
            if not raw or entry_id == exclude:
                continue
            record = json.loads(raw)
            similarity = found.similarity(Signature.decode(record["signature"]))
            if similarity >= min_similarity and (best is None or similarity > best.similarity):
                best = TextMatch(entry_id, record["item_id"], similarity)
        return best

    def entries(self, offset: int, limit: int) -> tuple[list[TextEntry], int]:
        """A page of the bank, newest first, and the bank's size."""
        pipe = self.client.pipeline(transaction=False)
        pipe.zrevrange(keys.TEXT_BANK_ORDER, offset, offset + limit - 1)
        pipe.zcard(keys.TEXT_BANK_ORDER)
        ids, total = pipe.execute()
        records = self.client.hmget(keys.TEXT_BANK, ids) if ids else []
        page = []
        for entry_id, raw in zip(ids, records, strict=True):
            if raw:
                r = json.loads(raw)
                page.append(TextEntry(entry_id, r["item_id"], r["excerpt"], r["added_by"], int(r["added_at"])))
        return page, int(total)
