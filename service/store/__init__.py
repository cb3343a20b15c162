"""The data store: the only package that imports redis. Views reach it through :func:`get_store`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import Flask, current_app
from redis.cluster import RedisCluster

from . import keys, scripts
from .authors import AuthorStore
from .banks import BankOutbox
from .clock import server_ms
from .dsa import DsaStore
from .images import ImageStore
from .models import ModelRegistry
from .moderation import ModerationStore
from .partitioned import TypeMismatch
from .perspective import PerspectiveStore
from .review import ReviewStore
from .scoring import JOBS_MAXLEN, ScoringStore
from .sessions import SessionStore
from .texts import TextBankStore
from .webhooks import WebhookStore
from .workers import WorkerRegistry

EXTENSION = "raqib.store"


# One encoder for the report's arguments: ``json.dumps`` with options builds a new one per call.
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True)
class ReportOutcome:
    status: str
    reports: int
    threshold: int
    duplicate: bool
    hidden_now: bool
    seq: int
    new_text: bool = False  # the report brought the item's first text
    banked: int = -1  # with new_text on one server: how many texts the bank holds (-1: not known)
    weight: float = 0.0  # the reports' trust-weighted sum (their count without trust weighting)

    @property
    def may_match_bank(self) -> bool:
        """Whether the new text is worth looking up in the text bank (it cannot match an empty one)."""
        return self.new_text and self.banked != 0


@dataclass(frozen=True)
class ItemRecord:
    """Everything stored about one item, decoded."""

    item_id: str
    fields: dict[str, str]
    reports: list[dict[str, Any]]
    history: list[dict[str, Any]]
    reasons: dict[str, int] = field(default_factory=dict)

    def ms(self, name: str) -> int | None:
        value = self.fields.get(name)
        return int(value) if value is not None else None

    def json_field(self, name: str) -> Any:
        value = self.fields.get(name)
        return json.loads(value) if value is not None else None


@dataclass(frozen=True)
class Event:
    """One entry of an events stream (the schema of DESIGN.md, before rendering)."""

    id: str
    partition: int
    stream_id: str
    type: str
    item_id: str
    ts: int
    data: dict[str, Any]


def event_id(partition: int, stream_id: str) -> str:
    """The public id of an event (also the webhook-id): unique across partitions, stable on retries."""
    return keys.event_id_prefix(partition) + stream_id


class RateLimitExceeded(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ReportRules:
    """How reports count: the reporter's rate limit (0 = none), trust weighting, brigade detection."""

    rate_limit: int = 0
    rate_window_s: int = 60
    weighted: bool = True
    min_reporters: int = 2
    brigade_ratio: float = 0.8
    brigade_min: int = 5
    new_reporter_ms: int = 600_000


class Store:
    """Typed operations over Redis; each write is one Lua script (see ``lua/``)."""

    def __init__(
        self,
        client: redis.Redis | RedisCluster,
        *,
        partitions: int = 16,
        events_maxlen: int = 1_000_000,
        cluster: bool = False,
    ) -> None:
        # decode_responses=True: every reply is str, which redis-py's stubs cannot express.
        self.client: Any = client
        self.cluster = cluster
        self.partitions = partitions
        self.events_maxlen = events_maxlen
        self.scripts = scripts.register(client)
        self.webhooks = WebhookStore(self.client, self.scripts, partitions, cluster)
        self.review = ReviewStore(self.client, self.scripts, partitions, events_maxlen)
        self.images = ImageStore(self.client, self.scripts, partitions, events_maxlen)
        self.moderation = ModerationStore(self.client, self.scripts, partitions, events_maxlen)
        self.perspective = PerspectiveStore(self.client)
        self.texts = TextBankStore(self.client, self.scripts)
        self.banks = BankOutbox(self.client, self.scripts, partitions, events_maxlen, self.images, self.texts)
        self.authors = AuthorStore(self.client, self.scripts, partitions, events_maxlen)
        self.scoring = ScoringStore(self.client, self.scripts, partitions, events_maxlen)
        self.models = ModelRegistry(self.client)
        self.sessions = SessionStore(self.client)
        self.dsa = DsaStore(self.client, self.scripts, partitions, events_maxlen)
        self.workers = WorkerRegistry(self.client)

    @classmethod
    def from_url(cls, url: str, *, cluster: bool = False, **kwargs: Any) -> Store:
        """A store on one server, or on a Redis Cluster (``cluster`` or a ``redis+cluster://`` URL)."""
        if cluster or url.startswith("redis+cluster://"):
            node = url.replace("redis+cluster://", "redis://", 1)
            return cls(RedisCluster.from_url(node, decode_responses=True), cluster=True, **kwargs)
        client = redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
        return cls(client, **kwargs)

    def item_keys(self, item_id: str) -> keys.ItemKeys:
        return keys.ItemKeys.of(item_id, self.partitions)

    def now_ms(self) -> int:
        """Redis's clock, which stamps the events."""
        return server_ms(self.client)

    def ping(self) -> bool:
        return bool(self.client.ping())

    def health(self) -> str:
        """``ok``, or why Redis cannot be reached (for /readyz)."""
        try:
            self.client.ping()
        except redis.RedisError as err:
            return f"unreachable: {err}"
        return "ok"

    def close(self) -> None:
        self.client.close()

    def report(
        self,
        *,
        item_id: str,
        item_type: str,
        reporter_id: str,
        reason: str,
        report: Mapping[str, Any],
        threshold: int,
        rule: str,
        new_item_fields: Mapping[str, str],
        rules: ReportRules | None = None,
        request_id: str = "",
        score: bool = False,
    ) -> ReportOutcome:
        """Record a report atomically; hides the item when enough distinct, trusted people reported it.

        One round trip on one server: the reporter's bookkeeping (rate limit, first seen, trust
        weight) runs inside the same script, and so, with ``score``, does queueing the item's first
        text for the worker's classifier. On a cluster those keys live on other slots: the
        reporter's bookkeeping is its own call first, and the scoring job is sent once the script
        says the text was new (so the worker never reads a job before its text). Over the rate
        limit, :class:`RateLimitExceeded` and nothing is written.
        """
        rules = rules or ReportRules()
        k = self.item_keys(item_id)
        p = k.partition
        keys_ = {
            "item": k.item,
            "reporters": k.reporters,
            "reports": k.reports,
            "history": k.history,
            "events": p.events,
            "review": p.review,
            "audit": p.audit,
            "overruled": k.overruled,
            "review_hidden": p.review_hidden,
            "review_oldest": p.review_oldest,
            "review_held": p.review_held,
        }
        settings: dict[str, Any] = {
            "threshold": threshold,
            "rule": rule,
            "events_maxlen": self.events_maxlen,
            "min_reporters": rules.min_reporters,
            "weighted": rules.weighted,
            "brigade_ratio": rules.brigade_ratio,
            "brigade_min": rules.brigade_min,
            "new_ms": rules.new_reporter_ms,
            "rate_limit": rules.rate_limit,
            "rate_window": rules.rate_window_s,
            "event_prefix": keys.event_id_prefix(p.partition),
            "request_id": request_id,
            "score": score,
            "jobs_maxlen": JOBS_MAXLEN,
        }
        if self.cluster:
            wait, weight, is_new = self.scripts["reporter_touch"](
                keys={"rate": keys.reporter_rate(reporter_id), "trust": keys.reporter_trust(reporter_id)},
                args={"limit": rules.rate_limit, "window_s": rules.rate_window_s, "new_ms": rules.new_reporter_ms},
            )
            if int(wait):
                raise RateLimitExceeded(int(wait))
            settings.update(weight=float(weight), is_new=int(is_new))
        else:
            keys_.update(
                rate=keys.reporter_rate(reporter_id),
                trust=keys.reporter_trust(reporter_id),
                jobs=keys.SCORE_JOBS,
                bank=keys.TEXT_BANK,
            )
        args = {
            "item_id": item_id,
            "item_type": item_type,
            "reporter_id": reporter_id,
            "reason": reason,
            "report": _to_json(dict(report)),
            "fields": _to_json(dict(new_item_fields)),
            "settings": _to_json(settings),
        }
        result = self.scripts["report"](keys=keys_, args=args)
        if result[0] == "type_mismatch":
            raise TypeMismatch(result[1])
        if result[0] == "rate_limited":
            raise RateLimitExceeded(max(1, int(result[1])))
        status, count, threshold_now, duplicate, hidden_now, seq, new_text, banked, weight = result
        if score and self.cluster and int(new_text):
            self.scoring.enqueue(item_id)
        outcome = (status, int(count), int(threshold_now), bool(duplicate), bool(hidden_now), int(seq))
        return ReportOutcome(*outcome, new_text=bool(new_text), banked=int(banked), weight=float(weight))

    def text_matched(self, item_id: str, match: Mapping[str, Any]) -> tuple[str, bool] | None:
        """A reported comment's first text is a near-copy of a banked one: hide the item now (rule
        ``text_match``) unless a moderator decided it; its status and whether it hid now."""
        settings = {"match": dict(match), "match_rule": "text_match", "once": "bank_match"}
        return self.scoring.landed(item_id, {}, settings)

    def model_slot(self, host: str, token: str, limit: int, lease_ms: int = 30_000) -> bool:
        """Take one of ``host``'s ``limit`` slots for heavy model work (``limit`` 0: give it back)."""
        args = {"token": token, "limit": limit, "lease_ms": lease_ms}
        return bool(self.scripts["model_slot"](keys={"slots": keys.model_slots(host)}, args=args))

    def after_decision(self, item_id: str, seq: int, bank_change: str, min_quality: int, strike_ms: int) -> None:
        """What a decision owes other slots (a bank, its author), applied now; the worker applies
        whatever a crash leaves (both are recorded by the decision's own script)."""
        if bank_change:
            self.banks.apply(item_id, min_quality, seq)
        self.authors.settle(item_id, strike_ms)

    def hit_rate_limit(self, counter_key: str, limit: int, window_s: int) -> int:
        """Count one request; 0 if allowed, else seconds until the window resets."""
        return int(
            self.scripts["rate_limit"](keys={"counter": counter_key}, args={"limit": limit, "window_s": window_s})
        )

    def get_item(self, item_id: str, *, with_lists: bool = True) -> ItemRecord | None:
        """The item decoded; ``with_lists=False`` reads its hash alone (no reports, no history)."""
        k = self.item_keys(item_id)
        if with_lists:
            pipe = self.client.pipeline(transaction=True)
            pipe.hgetall(k.item)
            pipe.lrange(k.reports, 0, -1)
            pipe.lrange(k.history, 0, -1)
            fields, reports, history = pipe.execute()
        else:
            fields, reports, history = self.client.hgetall(k.item), [], []
        if not fields:
            return None
        reasons = {name[7:]: int(v) for name, v in fields.items() if name.startswith("reason:")}
        return ItemRecord(
            item_id=item_id,
            fields={n: v for n, v in fields.items() if not n.startswith("reason:")},
            reports=[json.loads(r) for r in reports],
            history=[json.loads(h) for h in history],
            reasons=reasons,
        )

    def events(self, partition: int | None = None, count: int = 10_000) -> Iterator[Event]:
        """Events in stream order, one partition or all of them (partition by partition)."""
        parts = range(self.partitions) if partition is None else [partition]
        for part in parts:
            stream = keys.PartitionKeys(part).events
            for stream_id, entry in self.client.xrange(stream, count=count):
                yield Event(
                    id=event_id(part, stream_id),
                    partition=part,
                    stream_id=stream_id,
                    type=entry["type"],
                    item_id=entry["item_id"],
                    ts=int(entry["ts"]),
                    data=json.loads(entry["data"]),
                )


def init_app(app: Flask, store: Store) -> None:
    app.extensions[EXTENSION] = store


def get_store() -> Store:
    store: Store = current_app.extensions[EXTENSION]
    return store
