"""The worker's DSA loops. *Statements* read the partitioned event streams through the consumer
group ``dsa`` (beside webhooks' ``delivery``: the report path does no DSA work at all), keep one
statement of reasons per restricting event (``statements.py``), tell the notifiers of an item's
notices its outcome (``notice.decided``), then acknowledge the event. *Sending* posts the queued
statements to the Transparency Database in batches of at most 100, records the uuid it returns,
retries timeouts and 5xx on the webhook schedule, never sends a statement twice (a puid the
database already knows counts as sent), and keeps a 422's message on the statement for an admin."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from typing import Any

import urllib3

from ..config import Config
from ..store import Store, event_id
from ..store.webhooks import partition_of_stream
from . import vocabulary as v
from .statements import REDRESS, RESTRICTING, ItemFacts, Settings, statement_for, territorial_scope

log = logging.getLogger("raqib.dsa")
BATCH = 100  # the database's limit per call
READ = 100
LEASE_MS = 60_000
NO_ACTION = "The content was found compatible with the law and the site's rules: it stays."
DECIDING = {"item.removed": True, "item.restored": False, "item.dismissed": False, "item.approved": False}


def settings_of(config: Config) -> Settings:
    return Settings(territorial_scope(config.dsa_territorial_scope), config.dsa_terms_ground)


class StatementMaker:
    """Events -> statements of reasons and notice outcomes, each exactly once."""

    def __init__(self, store: Store, config: Config, consumer: str) -> None:
        self.store, self.config, self.consumer = store, config, consumer
        self.settings = settings_of(config)
        self.send = bool(config.dsa_tdb_url)
        store.dsa.ensure_group()

    def run_once(self, reclaim: bool = False) -> int:
        events = self.store.dsa.read_events(self.consumer, READ)
        if reclaim:
            events += self.store.dsa.reclaim_events(self.consumer, LEASE_MS)
        done: dict[str, list[str]] = {}
        for stream, stream_id, fields in events:
            self.handle(partition_of_stream(stream), stream_id, fields)
            done.setdefault(stream, []).append(stream_id)
        for stream, ids in done.items():  # after handling: a crash leaves them to be reclaimed
            self.store.dsa.ack(stream, *ids)
        return len(events)

    def handle(self, partition: int, stream_id: str, fields: Mapping[str, str]) -> None:
        kind, item_id = fields.get("type", ""), fields.get("item_id", "")
        if kind not in RESTRICTING and kind not in DECIDING:
            return  # most events (reports, scores, claims) make nothing: no reads for them
        data = json.loads(fields.get("data") or "{}")
        ts_ms = int(fields.get("ts") or stream_id.split("-")[0])
        eid = event_id(partition, stream_id)
        notices = self.store.dsa.notices_of(item_id) if item_id else {}
        body = statement_for(kind, data, ts_ms, self._facts(item_id, notices), self.settings, eid)
        if body is not None:
            self.store.dsa.add_statement("sor_" + eid.removeprefix("evt_"), item_id, body, ts_ms, self.send)
        if kind in DECIDING and notices:
            self._tell_notifiers(item_id, kind, data, ts_ms, notices)

    def _facts(self, item_id: str, notices: Mapping[str, Mapping[str, Any]]) -> ItemFacts:
        record = self.store.get_item(item_id, with_lists=False) if item_id else None
        if record is None:
            return ItemFacts()
        f = record.fields
        first = record.ms("created_at") or record.ms("submitted_at")
        top = max(record.reasons, key=lambda r: record.reasons[r]) if record.reasons else None
        flaggers = {n.get("trusted_flagger_id") for n in notices.values() if n.get("trusted_flagger_id")}
        names = {fid: (self.store.dsa.flagger(str(fid)) or {}).get("name") for fid in flaggers}
        summaries = tuple(
            {
                "category": n.get("category"),
                "source": n.get("source"),
                "flagger_name": names.get(n.get("trusted_flagger_id")),
            }
            for n in notices.values()
        )
        return ItemFacts(f.get("item_type", "comment"), f.get("text"), first, top, summaries)

    def _tell_notifiers(
        self, item_id: str, kind: str, data: Mapping[str, Any], ts_ms: int, notices: Mapping[str, Any]
    ) -> None:
        decision = data.get("decision") if isinstance(data.get("decision"), Mapping) else {}
        decision = decision or {}
        statement = decision.get("statement") if isinstance(decision.get("statement"), Mapping) else {}
        explanation = str(decision.get("explanation") or "") or str((statement or {}).get("explanation") or {})
        confirmed = DECIDING[kind]
        outcome = {
            "seq": int(data.get("seq") or 0),
            "action": kind.removeprefix("item."),
            "confirmed": confirmed,
            "ground": (decision.get("ground") or "terms") if confirmed else None,
            "legal_ground": decision.get("legal_ground") if confirmed else None,
            "explanation": explanation
            if confirmed
            else "The content was found compatible with the law and the site's rules.",
            "redress": REDRESS.replace("The author", "You"),
            "decided_at": ts_ms,
        }
        for notice_id, notice in notices.items():
            flagger = notice.get("trusted_flagger_id")
            self.store.dsa.notice_decided(item_id, notice_id, outcome, str(flagger) if flagger else None)


class StatementSender:
    """Queued statements -> the Transparency Database (``POST {url}/api/v1/statements``)."""

    def __init__(self, store: Store, config: Config, http: urllib3.PoolManager | None = None) -> None:
        self.store, self.config = store, config
        self.url = config.dsa_tdb_url.rstrip("/") + "/api/v1/statements"
        self.http = http or urllib3.PoolManager(retries=False, timeout=config.webhook_timeout_s)
        self.delays = config.retry_delays_ms
        self.lock = threading.Lock()

    def send_once(self) -> int:
        """Send one batch of due statements; how many were in it."""
        with self.lock:
            now = self.store.now_ms()
            ids = self.store.dsa.due_statements(now, BATCH)
            found = self.store.dsa.statements_by_id(ids)
            if not found:
                return 0
            states = self.store.dsa.submissions([s.id for s in found])
            bodies = [v.current(s.body) for s in found]  # one made before API v2 goes out in v2's terms
            payload = json.dumps({"statements": bodies}, ensure_ascii=False).encode()
            headers = {"Authorization": f"Bearer {self.config.dsa_tdb_token}", "Content-Type": "application/json"}
            headers["Accept"] = "application/json"
            try:
                response = self.http.request("POST", self.url, body=payload, headers=headers)
                status, answer = response.status, _json(response.data)
            except urllib3.exceptions.HTTPError as err:
                status, answer = 0, {"message": f"{type(err).__name__}: {err}"}
            by_puid = {s.body["puid"]: s for s in found}
            if status in (200, 201):
                received = {r.get("puid"): r for r in answer.get("statements", []) if isinstance(r, Mapping)}
                for s in found:
                    uuid = (received.get(s.body["puid"]) or {}).get("uuid")
                    self._settle(s.id, states.get(s.id), "sent", now, uuid=uuid)
            elif status == 422:
                self._refused(found, by_puid, states, answer, now)
            else:  # a timeout, a 5xx, anything else: the whole batch again later
                for s in found:
                    self._retry(s.id, states.get(s.id), now, f"HTTP {status}: {answer.get('message', '')}"[:500])
            return len(found)

    def _refused(
        self, found: list[Any], by_puid: dict[str, Any], states: dict[str, Any], answer: Any, now: int
    ) -> None:
        """A 422: puids the database knows are sent already; statements it names are kept with its
        message; the others of the batch are due again at once (the database took none of them)."""
        errors = answer.get("errors") if isinstance(answer.get("errors"), Mapping) else {}
        known = set(errors.get("existing_puids") or [])
        named = {int(k.split("_")[1]): e for k, e in errors.items() if k.startswith("statement_") and k[10:].isdigit()}
        settled = set()
        for puid in known & set(by_puid):
            self._settle(by_puid[puid].id, states.get(by_puid[puid].id), "sent", now, note="already in the database")
            settled.add(by_puid[puid].id)
        for index, problem in named.items():
            if index < len(found):
                s = found[index]
                message = json.dumps(problem, ensure_ascii=False)[:2000]
                self._settle(s.id, states.get(s.id), "rejected", now, error=message)
                settled.add(s.id)
        if not settled:  # a 422 that names nothing: keep its message on every statement of the batch
            for s in found:
                self._settle(s.id, states.get(s.id), "rejected", now, error=str(answer.get("message", ""))[:2000])
        for s in found:
            if s.id not in settled:
                self.store.dsa.record_submission(s.id, _state(states.get(s.id), "pending", now), now)

    def _settle(self, statement_id: str, state: Any, outcome: str, now: int, **extra: Any) -> None:
        self.store.dsa.record_submission(statement_id, {**_state(state, outcome, now), **extra}, None)

    def _retry(self, statement_id: str, state: Any, now: int, error: str) -> None:
        attempts = int((state or {}).get("attempts", 0)) + 1
        if attempts > len(self.delays):
            self._settle(statement_id, state, "failed", now, error=error, attempts=attempts)
            return
        retry_at = now + self.delays[attempts - 1]
        self.store.dsa.record_submission(
            statement_id, {**_state(state, "retrying", now), "attempts": attempts, "error": error}, retry_at
        )


def _state(previous: Any, state: str, now: int) -> dict[str, Any]:
    return {**(previous or {}), "state": state, "at": now}


def _json(data: bytes) -> dict[str, Any]:
    try:
        found = json.loads(data or b"{}")
    except ValueError:
        return {"message": data[:500].decode("utf-8", "replace")}
    return found if isinstance(found, dict) else {"message": str(found)[:500]}


def start(store: Store, config: Config, consumer: str, stop: threading.Event) -> list[threading.Thread]:
    """The statements loop, and the sending loop when the database is configured, as daemon
    threads of ``raqib worker``; errors are logged and retried (``_guarded``)."""
    from ..worker import _guarded

    maker = StatementMaker(store, config, consumer)
    rounds = {"n": 0}

    def make() -> None:
        rounds["n"] += 1
        if not maker.run_once(reclaim=rounds["n"] % 10 == 0):
            stop.wait(0.5)

    loops = [("statements", make)]
    if config.dsa_tdb_url:
        sender = StatementSender(store, config)

        def send() -> None:
            if not sender.send_once():
                stop.wait(1.0)

        loops.append(("statement sending", send))
    threads = [threading.Thread(target=_guarded, args=(n, stop, f, 1.0), daemon=True) for n, f in loops]
    for thread in threads:
        thread.start()
    return threads
