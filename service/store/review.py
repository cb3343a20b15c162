"""Moderation: claims, decisions, reporter trust, the review queue, the audit log, statistics."""

from __future__ import annotations

import heapq
import itertools
import json
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from . import keys
from .clock import server_ms
from .keys import PartitionKeys
from .partitioned import PartitionedStore


def iso_day(day: int) -> str:
    """Days since 1970 → ``YYYY-MM-DD`` (UTC)."""
    return (date(1970, 1, 1) + timedelta(days=day)).isoformat()


class ItemMissing(Exception):
    """No report was ever received for the item."""


class ClaimConflict(Exception):
    def __init__(self, holder: str, ms_left: int) -> None:
        super().__init__(holder)
        self.holder = holder
        self.ms_left = ms_left


class AlreadyDecided(Exception):
    def __init__(self, action: str) -> None:
        super().__init__(action)
        self.action = action


class InvalidTransition(Exception):
    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Decided:
    status: str
    seq: int
    reporters: list[str]
    top_reason: str


# The review priority, stored as
#   weighted reports + 3 x offensive score + 2 if hidden + notice boost - round start ms / WAIT_BONUS_MS
# (item.lib.lua, queue_priority) so that waiting needs no rewrite. Shown, it is the same plus
# now / WAIT_BONUS_MS: + 1 per 6 hours of waiting.
WAIT_BONUS_MS = 21_600_000


def shown_priority(stored: float, now_ms: int) -> float:
    """The priority a moderator sees, from the one the queue stores (see ``WAIT_BONUS_MS``)."""
    return stored + now_ms / WAIT_BONUS_MS


@dataclass(frozen=True)
class QueueEntry:
    item_id: str
    priority: float
    fields: dict[str, str]

    @property
    def reasons(self) -> dict[str, int]:
        return {k[7:]: int(v) for k, v in self.fields.items() if k.startswith("reason:")}


class SameModerator(Exception):
    """An appeal is answered by a moderator other than the one who decided."""


class ReviewStore(PartitionedStore):
    # Claims
    def claim(self, item_id: str, actor: str, lease_ms: int) -> tuple[str, int]:
        """Take or renew the lease (``lease_ms`` 0 releases it); returns (holder, ms left)."""
        k = self._item(item_id)
        result = self.scripts["claim"](
            keys={"claim": k.claim, "item": k.item, "history": k.history, "audit": k.partition.audit},
            args={"actor": actor, "lease_ms": lease_ms, "audit_maxlen": self.events_maxlen, "item_id": item_id},
        )
        if result[0] == "not_found":
            raise ItemMissing(item_id)
        if result[0] == "claimed":
            raise ClaimConflict(result[1], int(result[2]))
        return result[1], int(result[2])

    def claim_holder(self, item_id: str) -> tuple[str, int] | None:
        k = self._item(item_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.get(k.claim)
        pipe.pttl(k.claim)
        holder, ms_left = pipe.execute()
        return (holder, int(ms_left)) if holder else None

    # Decisions and trust
    def decide(
        self,
        item_id: str,
        action: str,
        actor: str,
        decision: dict[str, Any],
        override: bool,
        request_id: str = "",
        bank_change: str = "",
    ) -> Decided:
        """Apply a decision atomically. ``bank_change`` (add or remove) is recorded as owed with it,
        for :meth:`BankOutbox.apply` to carry out on the bank's own slot."""
        k = self._item(item_id)
        p = k.partition
        result = self.scripts["decide"](
            keys={
                "item": k.item,
                "reporters": k.reporters,
                "history": k.history,
                "events": p.events,
                "review": p.review,
                "audit": p.audit,
                "claim": k.claim,
                "stats": p.stats,
                "times": p.decision_times,
                "overruled": k.overruled,
                "bank_pending": p.bank_pending,
                "review_hidden": p.review_hidden,
                "review_oldest": p.review_oldest,
                "review_held": p.review_held,
                "author_pending": p.author_pending,
            },
            args={
                "item_id": item_id,
                "action": action,
                "actor": actor,
                "decision": json.dumps(decision, ensure_ascii=False),
                "override": int(override),
                "events_maxlen": self.events_maxlen,
                "event_prefix": keys.event_id_prefix(p.partition),
                "request_id": request_id,
                "bank_change": bank_change,
            },
        )
        match result[0]:
            case "not_found":
                raise ItemMissing(item_id)
            case "claimed":
                raise ClaimConflict(result[1], 0)
            case "already_decided":
                raise AlreadyDecided(result[1])
            case "invalid":
                raise InvalidTransition(result[1])
            case "no_appeal":
                raise InvalidTransition("without a pending appeal")
            case "same_moderator":
                raise SameModerator(actor)
        return Decided(result[1], int(result[2]), json.loads(result[3]) or [], result[4])

    def appeal(self, item_id: str, author_id: str, statement: str, window_ms: int, request_id: str) -> list[Any]:
        """Record an author's appeal (``lua/appeal.lua``); the script's answer, as it gave it."""
        k = self._item(item_id)
        p = k.partition
        result: list[Any] = self.scripts["appeal"](
            keys=self._transition_keys(k),
            args={
                "item_id": item_id,
                "author_id": author_id,
                "statement": statement,
                "window_ms": window_ms,
                "events_maxlen": self.events_maxlen,
                "event_prefix": keys.event_id_prefix(p.partition),
                "request_id": request_id,
            },
        )
        return result

    def update_trust(self, reporters: Iterable[str], agreed: bool, low: float, high: float) -> None:
        """Each reporter was right (``agreed``) or not; their weight moves within [low, high]."""
        field = "agreed" if agreed else "disagreed"
        for reporter in reporters:
            self.scripts["trust_update"](
                keys={"trust": keys.reporter_trust(reporter)}, args={"verdict": field, "low": low, "high": high}
            )

    def trust(self, reporter_ids: Iterable[str]) -> dict[str, dict[str, float]]:
        ids = list(dict.fromkeys(reporter_ids))
        pipe = self.client.pipeline(transaction=False)
        for reporter in ids:
            pipe.hmget(keys.reporter_trust(reporter), "agreed", "disagreed", "weight")
        out = {}
        for reporter, (agreed, disagreed, weight) in zip(ids, pipe.execute(), strict=True):
            out[reporter] = {"agreed": int(agreed or 0), "disagreed": int(disagreed or 0), "weight": float(weight or 1)}
        return out

    # The queue
    def queue_page(
        self,
        order: str,
        accept: Callable[[QueueEntry], bool],
        want: int,
        after: tuple[float, str] | None = None,
        chunk: int = 200,
    ) -> list[QueueEntry]:
        """The first ``want`` queued items that ``accept``, in ``order`` — ``priority`` (highest
        first) or ``oldest`` (longest waiting first), ties by item id — after the key ``after``:
        (-priority, item id) or (round start ms, item id). Partitions are read ``chunk`` members at
        a time and merged, so a page costs reads in proportion to what it skips, not to the queue."""

        def ordering(part: int) -> str:
            return PartitionKeys(part).review if order == "priority" else PartitionKeys(part).review_oldest

        streams = [
            self._descending(ordering(part), None if after is None else -after[0], chunk)
            for part in range(self.partitions)
        ]
        merged = (key for key in heapq.merge(*streams) if after is None or key > after)
        found: list[QueueEntry] = []
        while len(found) < want:
            candidates = list(itertools.islice(merged, chunk))
            if not candidates:
                break
            pipe = self.client.pipeline(transaction=False)
            for _, item_id in candidates:
                k = self._item(item_id)
                pipe.hgetall(k.item)
                pipe.zscore(k.partition.review, item_id)
            replies = pipe.execute()
            for (_, item_id), fields, priority in zip(candidates, replies[0::2], replies[1::2], strict=True):
                entry = QueueEntry(item_id, float(priority or 0), fields)
                if fields and priority is not None and accept(entry):
                    found.append(entry)
        return found[:want]

    def _descending(self, key: str, at_most: float | None, chunk: int) -> Iterator[tuple[float, str]]:
        """(-score, member) of one sorted set in ascending order, read a chunk at a time; a chunk
        is completed to the end of its last score, so that ties come out ordered by member."""
        top = "+inf" if at_most is None else repr(at_most)
        while True:
            rows = self.client.zrevrangebyscore(key, top, "-inf", start=0, num=chunk, withscores=True)
            if not rows:
                return
            last = rows[-1][1]
            if len(rows) == chunk:
                rows = [r for r in rows if r[1] != last] + self.client.zrangebyscore(key, last, last, withscores=True)
            yield from sorted((-score, member) for member, score in rows)
            if len(rows) < chunk:
                return
            top = f"({last!r}"

    def queue_counts(self) -> tuple[int, int, int]:
        """(queued, of which hidden, of which held): three counts per partition, whatever the queue's size."""
        pipe = self.client.pipeline(transaction=False)
        for part in range(self.partitions):
            pipe.zcard(PartitionKeys(part).review)
            pipe.scard(PartitionKeys(part).review_hidden)
            pipe.scard(PartitionKeys(part).review_held)
        counts = pipe.execute()
        return sum(counts[0::3]), sum(counts[1::3]), sum(counts[2::3])

    def queue_size(self) -> int:
        return sum(int(self.client.zcard(PartitionKeys(p).review)) for p in range(self.partitions))

    # The audit log
    def audit(self, since_ms: int | None, until_ms: int | None, actor: str | None, limit: int) -> list[dict[str, Any]]:
        """Entries of every partition in time order, from ``since_ms`` up to ``until_ms``."""
        start = str(since_ms) if since_ms is not None else "-"
        end = str(until_ms) if until_ms is not None else "+"
        found: list[tuple[str, dict[str, Any]]] = []
        for part in range(self.partitions):
            found += self._audit_partition(PartitionKeys(part).audit, start, end, actor, limit)
        # the change's own time first (the stream id may be a millisecond later), then the stream id
        found.sort(key=lambda pair: (pair[1]["at"], *(int(x) for x in pair[0].split("-"))))
        return [entry for _, entry in found[:limit]]

    def _audit_partition(
        self, stream: str, start: str, end: str, actor: str | None, limit: int
    ) -> list[tuple[str, dict[str, Any]]]:
        """The first ``limit`` matching entries of one partition, read page by page."""
        matched: list[tuple[str, dict[str, Any]]] = []
        while len(matched) < limit:
            page = self.client.xrange(stream, start, end, count=500)
            matched += [(sid, json.loads(f["entry"])) for sid, f in page if actor is None or f["actor"] == actor]
            if len(page) < 500:
                break
            start = "(" + page[-1][0]
        return matched[:limit]

    # Statistics
    def stats(self, days: int = 14) -> dict[str, Any]:
        """Queue sizes, decisions (in all and per UTC day, the last ``days``), median time to
        decision (in all and per day) and auto-hide precision per reason."""
        counters: Counter[str] = Counter()
        times: list[tuple[int, int]] = []  # (day, ms)
        for part in range(self.partitions):
            p = PartitionKeys(part)
            counters.update({k: int(v) for k, v in self.client.hgetall(p.stats).items()})
            for entry in self.client.lrange(p.decision_times, 0, -1):
                day, _, ms = entry.rpartition(":")
                times.append((int(day or 0), int(ms)))
        queued, hidden, held = self.queue_counts()
        decisions = {k.split(":", 1)[1]: v for k, v in counters.items() if k.startswith("decisions:")}
        today = server_ms(self.client) // 86_400_000
        per_day: dict[str, dict[str, Any]] = {}
        for day in range(today - days + 1, today + 1):
            row: dict[str, Any] = {
                action: counters.get(f"day:{day}:{action}", 0) for action in ("remove", "restore", "dismiss", "approve")
            }
            day_times = [ms for d, ms in times if d == day]
            row["median_time_to_decision_s"] = round(statistics.median(day_times) / 1000, 1) if day_times else None
            per_day[iso_day(day)] = row
        precision: dict[str, dict[str, Any]] = {}
        for key, value in counters.items():
            if key.startswith("autohide:"):
                _, verdict, reason = key.split(":", 2)
                precision.setdefault(reason, {"confirmed": 0, "reversed": 0})[verdict] = value
        for row in precision.values():
            total = row["confirmed"] + row["reversed"]
            row["precision"] = round(row["confirmed"] / total, 3) if total else None
        all_times = [ms for _, ms in times]
        return {
            "queue": {"pending": queued - hidden - held, "hidden": hidden, "held": held, "total": queued},
            "decisions": decisions,
            "decisions_per_day": per_day,
            "median_time_to_decision_s": round(statistics.median(all_times) / 1000, 1) if all_times else None,
            "auto_hide": precision,
            "rules": rule_figures(counters),
        }


RULE_COUNTS = ("acted", "shadow", "confirmed", "overturned", "shadow_confirmed", "shadow_overturned")


def rule_figures(counters: Counter[str]) -> dict[str, dict[str, Any]]:
    """Per policy rule: how often it acted, how often it matched in shadow, and its precision among
    the items moderators decided since (a removal confirms it, anything else overturns it)."""
    rules: dict[str, dict[str, Any]] = {}
    for key, value in counters.items():
        if key.startswith("rule:"):
            rule, _, count = key[5:].rpartition(":")
            if count in RULE_COUNTS:
                rules.setdefault(rule, dict.fromkeys(RULE_COUNTS, 0))[count] = value
    for row in rules.values():
        for prefix in ("", "shadow_"):
            judged = row[f"{prefix}confirmed"] + row[f"{prefix}overturned"]
            row[f"{prefix}precision"] = round(row[f"{prefix}confirmed"] / judged, 3) if judged else None
    return rules
