"""Authors in Redis: their record (counts, first and last seen, the sanction), their strikes and
items, the outbox that carries item decisions to them, sanctions and erasure."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from . import keys
from .clock import server_ms
from .keys import AuthorKeys
from .partitioned import PartitionedStore

COUNTS = ("submitted", "published", "held", "rejected", "removed", "restored")


@dataclass(frozen=True)
class Author:
    author_id: str
    counts: dict[str, int]
    strikes: list[dict[str, Any]]  # every strike, newest first
    sanction: dict[str, Any] | None  # in force now (expired ones are None)
    first_seen: int | None
    last_seen: int | None
    items: list[str] = field(default_factory=list)  # the latest first
    read_at: int = 0  # when read (ms), to judge expiries by

    def active_strikes(self, now_ms: int) -> int:
        return sum(1 for s in self.strikes if not s.get("lifted_at") and s["expires_at"] > now_ms)


def sanction_in_force(raw: str | None, now_ms: int) -> dict[str, Any] | None:
    """The sanction, unless it ended (sanctions expire by themselves)."""
    if not raw:
        return None
    sanction: dict[str, Any] = json.loads(raw)
    until = sanction.get("until")
    return None if until is not None and int(until) <= now_ms else sanction


class AuthorStore(PartitionedStore):
    def _author(self, author_id: str) -> AuthorKeys:
        return AuthorKeys.of(author_id, self.partitions)

    # The outbox from items
    def settle(self, item_id: str, strike_ms: int, owed_now: tuple[str, str] | None = None) -> int:
        """Carry the updates an item owes its author to the author's record (idempotent: each
        update applies once); returns how many stay owed (0 when all is done). ``owed_now``:
        (author id, owed updates) as the script that recorded them returned them, saving a read."""
        k = self._item(item_id)
        author_id, owed = owed_now or self.client.hmget(k.item, "author_id", "author_owed")
        if not owed:
            return 0
        a = self._author(author_id)
        done = self.scripts["author_apply"](
            keys={"record": a.record, "strikes": a.strikes, "items": a.items, "applied": a.applied},
            args={"item_id": item_id, "updates": owed, "strike_ms": strike_ms},
        )
        left = self.scripts["author_applied"](
            keys={"item": k.item, "pending": k.partition.author_pending}, args={"item_id": item_id, "done": done}
        )
        return int(left)

    def pending(self, older_than_ms: int) -> list[str]:
        """Items whose author updates are owed since before ``older_than_ms`` ago."""
        cutoff = server_ms(self.client) - older_than_ms
        found: list[str] = []
        for part in range(self.partitions):
            found += self.client.zrangebyscore(keys.PartitionKeys(part).author_pending, "-inf", cutoff)
        return found

    # Reading
    def get(self, author_id: str, recent: int = 20) -> Author | None:
        a = self._author(author_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.hgetall(a.record)
        pipe.hgetall(a.strikes)
        if recent:
            pipe.zrevrange(a.items, 0, recent - 1)
        record, strikes, *found = pipe.execute()
        # Expiries are judged by this machine's clock (90-day strikes, sanctions of days or weeks: a
        # clock a few seconds off Redis's changes nothing), which saves a round trip per submission.
        now = int(time.time() * 1000)
        items = found[0] if found else []
        if not record:
            return None
        history = sorted((json.loads(v) | {"strike_id": k} for k, v in strikes.items()), key=lambda s: -s["at"])
        return Author(
            author_id=author_id,
            counts={c: int(record.get(c, 0)) for c in COUNTS},
            strikes=history,
            sanction=sanction_in_force(record.get("sanction"), now),
            first_seen=int(record["first_seen"]) if "first_seen" in record else None,
            last_seen=int(record["last_seen"]) if "last_seen" in record else None,
            items=items,
            read_at=now,
        )

    def item_ids(self, author_id: str, start: int, count: int) -> list[str]:
        ids: list[str] = self.client.zrevrange(self._author(author_id).items, start, start + count - 1)
        return ids

    # Sanctions
    def sanction(self, author_id: str, sanction: dict[str, Any], actor: str, note: str, request_id: str) -> str:
        """Set (or, with action ``lift``, lift) the author's sanction; returns the event's id."""
        a = self._author(author_id)
        _, event_id = self.scripts["author_sanction"](
            keys={"record": a.record, "events": a.partition.events, "audit": a.partition.audit},
            args={
                "author_id": author_id,
                "sanction": json.dumps(sanction),
                "actor": actor,
                "note": note,
                "events_maxlen": self.events_maxlen,
                "event_prefix": keys.event_id_prefix(a.partition.partition),
                "request_id": request_id,
            },
        )
        return str(event_id)

    # Erasure
    def pseudonym(self, author_id: str) -> str:
        """A stable pseudonym for an erased author: a keyed hash, the key kept in Redis."""
        self.client.set(keys.PSEUDONYM_SECRET, secrets.token_hex(32), nx=True)
        secret = self.client.get(keys.PSEUDONYM_SECRET)
        return "erased_" + hmac.new(secret.encode(), author_id.encode(), hashlib.sha256).hexdigest()[:20]

    def forget(self, author_id: str) -> None:
        """Delete the author's own keys (their items are scrubbed by the caller first)."""
        a = self._author(author_id)
        pipe = self.client.pipeline(transaction=False)
        for key in (a.record, a.strikes, a.items, a.applied, keys.author_recent(author_id)):
            pipe.delete(key)  # one key per command: a cluster pipeline routes each by its slot
        pipe.execute()

    def scrub_item(self, item_id: str, pseudonym: str) -> None:
        """The item's text gone, its author named by the pseudonym; decisions and history stay."""
        k = self._item(item_id)
        pipe = self.client.pipeline(transaction=True)
        pipe.hdel(k.item, "text", "ocr_text", "context")
        pipe.hset(k.item, "author_id", pseudonym)
        pipe.execute()
