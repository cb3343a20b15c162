"""What the DSA duties keep in Redis: trusted flaggers, notices (in their item's partition, with
the partition's logs of notices and outcomes), statements of reasons and their submission to the
Transparency Database (on the ``{dsa}`` slot)."""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..documents import DocumentUnreadable, checked_record, stored_record
from . import keys
from .partitioned import PartitionedStore, TypeMismatch

FLAGGER_FIELDS: dict[str, type] = {"id": str, "name": str, "created_at": int}


@dataclass(frozen=True)
class StoredStatement:
    id: str
    item_id: str
    stream_id: str
    created_ms: int
    body: dict[str, Any]


def new_notice_id() -> str:
    return "ntc_" + secrets.token_hex(8)


class DsaStore(PartitionedStore):
    # Trusted flaggers
    def add_flagger(self, flagger_id: str, name: str, now_ms: int) -> bool:
        """False if the id is taken."""
        record = {"id": flagger_id, "name": name, "created_at": now_ms}
        text = checked_record(record, "trusted_flagger", flagger_id, FLAGGER_FIELDS)
        return bool(self.client.hsetnx(keys.TRUSTED_FLAGGERS, flagger_id, text))

    def flagger(self, flagger_id: str) -> dict[str, Any] | None:
        """The flagger's record; ``trusted_flagger_unreadable`` (503) if it no longer reads."""
        raw = self.client.hget(keys.TRUSTED_FLAGGERS, flagger_id)
        return stored_record(raw, "trusted_flagger", flagger_id, FLAGGER_FIELDS)

    def flaggers(self) -> list[dict[str, Any]]:
        """Every flagger whose record reads (one that does not is left out, with an error logged)."""
        found = []
        for flagger_id, raw in self.client.hgetall(keys.TRUSTED_FLAGGERS).items():
            with contextlib.suppress(DocumentUnreadable):
                found.append(stored_record(raw, "trusted_flagger", flagger_id, FLAGGER_FIELDS))
        return sorted((f for f in found if f), key=lambda f: f["id"])

    def count_flagger(self, flagger_id: str, what: str) -> None:
        """One more notice of the flagger's ``sent``, ``confirmed`` or ``rejected``: kept apart from
        the notice's own script, whose keys live on the item's slot, not on ``{dsa}``."""
        self.client.hincrby(keys.FLAGGER_COUNTS, f"{flagger_id}:{what}", 1)

    def flagger_counts(self) -> dict[str, int]:
        return {name: int(n) for name, n in self.client.hgetall(keys.FLAGGER_COUNTS).items()}

    def remove_flagger(self, flagger_id: str) -> bool:
        return bool(self.client.hdel(keys.TRUSTED_FLAGGERS, flagger_id))

    # Notices
    def add_notice(
        self,
        item_id: str,
        item_type: str,
        notice: dict[str, Any],
        fields: dict[str, str],
        boost: float,
        threshold: int,
        rule: str,
        request_id: str,
    ) -> tuple[str, int]:
        """Record a notice (``lua/notice.lua``): its id and the time it was received (ms)."""
        k = self._item(item_id)
        notice_id = new_notice_id()
        result = self.scripts["notice"](
            keys={**self._transition_keys(k), "notices": k.notices, "notice_log": k.partition.notice_log},
            args={
                "item_id": item_id,
                "item_type": item_type,
                "notice_id": notice_id,
                "notice": json.dumps(notice, ensure_ascii=False),
                "fields": json.dumps(fields, ensure_ascii=False),
                "boost": boost,
                "threshold": threshold,
                "rule": rule,
                "events_maxlen": self.events_maxlen,
                "event_prefix": keys.event_id_prefix(k.partition.partition),
                "request_id": request_id,
            },
        )
        if result[0] == "type_mismatch":
            raise TypeMismatch(str(result[1]))
        if notice.get("trusted_flagger_id"):
            self.count_flagger(str(notice["trusted_flagger_id"]), "sent")
        return notice_id, int(result[2])

    def notices_of(self, item_id: str) -> dict[str, dict[str, Any]]:
        """The item's notices, notice id -> notice, oldest first."""
        found = {nid: json.loads(raw) for nid, raw in self.client.hgetall(self._item(item_id).notices).items()}
        return dict(sorted(found.items(), key=lambda kv: kv[1].get("received_at", 0)))

    def notice_decided(
        self, item_id: str, notice_id: str, outcome: dict[str, Any], flagger_id: str | None = None
    ) -> bool:
        """Record a notice's outcome and announce it (``lua/notice_decided.lua``), once per decision;
        counted for the trusted flagger that sent it, if one did."""
        k = self._item(item_id)
        told = self.scripts["notice_decided"](
            keys={"notices": k.notices, "events": k.partition.events, "notice_outcomes": k.partition.notice_outcomes},
            args={
                "notice_id": notice_id,
                "item_id": item_id,
                "outcome": json.dumps(outcome, ensure_ascii=False),
                "events_maxlen": self.events_maxlen,
            },
        )
        if told and flagger_id:
            self.count_flagger(flagger_id, "confirmed" if outcome.get("confirmed") else "rejected")
        return bool(told)

    def notice_log(self, since_ms: int, until_ms: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every partition's notices received in [since, until): (received ms, summary)."""
        yield from self._log("notice_log", since_ms, until_ms)

    def events_between(self, since_ms: int, until_ms: int, types: set[str]) -> Iterator[tuple[str, int, Any]]:
        return events_between(self.client, self.partitions, since_ms, until_ms, types)

    def notice_outcomes(self, since_ms: int, until_ms: int) -> Iterator[tuple[int, dict[str, Any]]]:
        yield from self._log("notice_outcomes", since_ms, until_ms)

    def _log(self, which: str, since_ms: int, until_ms: int) -> Iterator[tuple[int, dict[str, Any]]]:
        for p in range(self.partitions):
            key = getattr(keys.PartitionKeys(p), which)
            for member, score in self.client.zrangebyscore(key, since_ms, f"({until_ms}", withscores=True):
                yield int(score), json.loads(member)

    # Statements of reasons
    def add_statement(self, statement_id: str, item_id: str, body: dict[str, Any], created_ms: int, send: bool) -> str:
        """Keep a statement once (``lua/statement_add.lua``); queued for the database when ``send``."""
        return str(
            self.scripts["statement_add"](
                keys={"statements": keys.STATEMENTS, "index": keys.STATEMENT_INDEX, "pending": keys.STATEMENT_PENDING},
                args={
                    "statement_id": statement_id,
                    "item_id": item_id,
                    "body": json.dumps(body, ensure_ascii=False),
                    "created_ms": created_ms,
                    "send": "1" if send else "0",
                },
            )
        )

    def statements(self, start: str, end: str, count: int) -> list[StoredStatement]:
        """Statements from stream id ``start`` (``(id`` for after it, ``-`` from the first) to ``end``."""
        entries = self.client.xrange(keys.STATEMENTS, start, end, count=count)
        return [_statement(sid, fields) for sid, fields in entries]

    def statements_between(self, since_ms: int, until_ms: int, page: int = 1000) -> Iterator[StoredStatement]:
        """Every statement made in [since_ms, until_ms), read a page at a time: a year's report never
        holds them all in memory."""
        start = f"{since_ms}-0"
        while True:
            found = self.statements(start, f"({until_ms}-0", page)
            yield from found
            if len(found) < page:
                return
            start = _page_start(found[-1].stream_id)

    def statement(self, statement_id: str) -> StoredStatement | None:
        found = self.statements_by_id([statement_id])
        return found[0] if found else None

    def statements_by_id(self, statement_ids: list[str]) -> list[StoredStatement]:
        """The statements of these ids that exist, in their order: two round trips in all."""
        if not statement_ids:
            return []
        stream_ids = [sid for sid in self.client.hmget(keys.STATEMENT_INDEX, statement_ids) if sid]
        pipe = self.client.pipeline(transaction=False)
        for stream_id in stream_ids:
            pipe.xrange(keys.STATEMENTS, stream_id, stream_id)
        return [_statement(*found[0]) for found in pipe.execute() if found]

    def submissions(self, statement_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not statement_ids:
            return {}
        raw = self.client.hmget(keys.STATEMENT_SUBMISSIONS, statement_ids)
        return {sid: json.loads(r) for sid, r in zip(statement_ids, raw, strict=True) if r}

    def due_statements(self, now_ms: int, count: int) -> list[str]:
        return list(self.client.zrangebyscore(keys.STATEMENT_PENDING, "-inf", now_ms, start=0, num=count))

    def record_submission(self, statement_id: str, submission: dict[str, Any], retry_at_ms: int | None) -> None:
        """A statement's submission state; due again at ``retry_at_ms``, or out of the queue."""
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(keys.STATEMENT_SUBMISSIONS, statement_id, json.dumps(submission, ensure_ascii=False))
        if retry_at_ms is None:
            pipe.zrem(keys.STATEMENT_PENDING, statement_id)
        else:
            pipe.zadd(keys.STATEMENT_PENDING, {statement_id: retry_at_ms})
        pipe.execute()

    def pending_count(self) -> int:
        return int(self.client.zcard(keys.STATEMENT_PENDING))

    # The consumer group that makes statements from events
    def ensure_group(self) -> None:
        for p in range(self.partitions):
            try:
                self.client.xgroup_create(keys.PartitionKeys(p).events, keys.DSA_GROUP, id="0", mkstream=True)
            except Exception as err:  # the group exists already
                if "BUSYGROUP" not in str(err):
                    raise

    def read_events(self, consumer: str, count: int) -> list[tuple[str, str, dict[str, str]]]:
        """(stream, stream id, fields) of events not yet made into statements, every partition."""
        out: list[tuple[str, str, dict[str, str]]] = []
        for p in range(self.partitions):
            stream = keys.PartitionKeys(p).events
            reply = self.client.xreadgroup(keys.DSA_GROUP, consumer, {stream: ">"}, count=count)
            for _, entries in reply or []:
                out += [(stream, sid, fields) for sid, fields in entries]
        return out

    def reclaim_events(self, consumer: str, min_idle_ms: int) -> list[tuple[str, str, dict[str, str]]]:
        out: list[tuple[str, str, dict[str, str]]] = []
        for p in range(self.partitions):
            stream = keys.PartitionKeys(p).events
            _, entries, *_ = self.client.xautoclaim(stream, keys.DSA_GROUP, consumer, min_idle_ms, count=100)
            out += [(stream, sid, fields) for sid, fields in entries if fields]
        return out

    def ack(self, stream: str, *stream_ids: str) -> None:
        self.client.xack(stream, keys.DSA_GROUP, *stream_ids)


def _statement(stream_id: str, fields: dict[str, str]) -> StoredStatement:
    return StoredStatement(
        id=fields["id"],
        item_id=fields.get("item_id", ""),
        stream_id=stream_id,
        created_ms=int(fields.get("created", "0")),
        body=json.loads(fields["statement"]),
    )


def _page_start(stream_id: str) -> str:
    return f"({stream_id}"


def events_between(client: Any, partitions: int, since_ms: int, until_ms: int, types: set[str]) -> Iterator[Any]:
    """(type, ts ms, data) of the partitions' events of ``types`` in [since, until), read in pages."""
    for p in range(partitions):
        stream, start = keys.PartitionKeys(p).events, f"{since_ms}-0"
        while True:
            page = client.xrange(stream, start, f"({until_ms}", count=1000) if until_ms > since_ms else []
            for stream_id, entry in page:
                if entry.get("type") in types:
                    yield entry["type"], int(entry.get("ts") or stream_id.split("-")[0]), json.loads(entry["data"])
            if len(page) < 1000:
                break
            start = _page_start(page[-1][0])
