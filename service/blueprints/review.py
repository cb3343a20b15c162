"""The moderators' API: the queue, an item's full record, claims, decisions, the audit trail and
statistics (role ``moderator``; ``admin`` may do the same)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, request
from raqib.models.normalize import normalize

from ..api import documented, json_body, path, query
from ..auth import current_actor, require
from ..config import Config
from ..dsa.detection import flagged_automatically
from ..errors import Conflict, NotFound
from ..i18n import explanation
from ..logs import request_id
from ..review_schemas import (
    AuditPage,
    AuditQuery,
    ClaimRequest,
    ClaimView,
    DecisionRequest,
    DecisionView,
    HistoryView,
    QueuePage,
    QueueQuery,
    ReviewItemView,
    ReviewStats,
    Statement,
)
from ..schemas import ItemPath
from ..store import ItemRecord, get_store
from ..store.banks import bank_change_for
from ..store.review import (
    AlreadyDecided,
    ClaimConflict,
    InvalidTransition,
    ItemMissing,
    QueueEntry,
    SameModerator,
    shown_priority,
)
from ..timefmt import iso
from ..views import history_entry, image_analysis_view, item_view

bp = Blueprint("review", __name__)
ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)


def _record(item_id: str) -> ItemRecord:
    path(ItemPath, item_id=item_id)
    record = get_store().get_item(item_id)
    if record is None:
        raise NotFound(f"no report was ever received for item {item_id!r}")
    return record


def _sort_key(entry: QueueEntry, sort: str) -> list[Any]:
    if sort == "oldest":
        return [int(entry.fields.get("round_started_at") or entry.fields.get("created_at") or 0), entry.item_id]
    return [-entry.priority, entry.item_id]


def _encode_cursor(key: list[Any]) -> str:
    """The last item's sort key and id, ``<key>~<item_id>``: any such pair is a place in the queue."""
    return f"{key[0]!r}~{key[1]}"


def _decode_cursor(cursor: str) -> list[Any]:
    number, _, item_id = cursor.partition("~")
    return [float(number), item_id]  # QueueQuery's pattern let through only a finite number and an id


def _matches(entry: QueueEntry, q: QueueQuery) -> bool:
    status = entry.fields.get("status")
    offensive = float(entry.fields.get("offensive") or 0)
    if q.status == "appealed":
        status_ok = entry.fields.get("appeal_state") == "pending"
    else:
        status_ok = q.status == "all" or status == {"pending": "visible"}.get(q.status, q.status)
    return (
        status_ok
        and (q.item_type is None or entry.fields.get("item_type") == q.item_type)
        and (q.reason is None or q.reason in entry.reasons)
        and (q.min_score is None or offensive >= q.min_score)
    )


@bp.get("/v1/review/queue")
@require("moderator")
@documented(("HTTP_200", QueuePage), ERRORS, tags=["review"], query=QueueQuery)
def review_queue() -> dict[str, Any]:
    """Items awaiting a decision. ``sort=priority``: weighted reports + 3 × offensive score + 2 if
    hidden + 1 per 6 hours of waiting; ``sort=oldest``: longest waiting first."""
    q = query(QueueQuery)
    review = get_store().review
    after = _decode_cursor(q.cursor) if q.cursor else None
    entries = review.queue_page(
        q.sort, lambda e: _matches(e, q), q.limit + 1, None if after is None else (float(after[0]), str(after[1]))
    )
    page = entries[: q.limit]
    now_ms = get_store().now_ms()
    items = []
    for entry in page:
        f = entry.fields
        claim = review.claim_holder(entry.item_id)
        items.append(
            {
                "item_id": entry.item_id,
                "item_type": f["item_type"],
                "status": f["status"],
                "priority": round(shown_priority(entry.priority, now_ms), 3),
                "reports": int(f.get("reports", 0)),
                "weight": round(float(f.get("weight", 0)), 3),
                "reasons": entry.reasons,
                "offensive": float(f["offensive"]) if "offensive" in f else None,
                "waiting_since": iso(f.get("round_started_at")),
                "brigade": f.get("brigade") == "1",
                "claimed_by": claim[0] if claim else None,
                "excerpt": f["text"][:140] if "text" in f else None,
            }
        )
    more = len(entries) > q.limit
    return {"items": items, "next_cursor": _encode_cursor(_sort_key(page[-1], q.sort)) if more else None}


@bp.get("/v1/review/items/<item_id>")
@require("moderator")
@documented(("HTTP_200", ReviewItemView), ERRORS, tags=["review"], path=ItemPath)
def review_item(item_id: str) -> dict[str, Any]:
    """Everything about an item: text or image, scores, every report with its reporter's trust,
    state, claim, last decision and history."""
    record = _record(item_id)
    review = get_store().review
    trust = review.trust(r["reporter_id"] for r in record.reports)
    reports = [{**r, "at": iso(r["at"]), "reporter_trust": trust.get(r["reporter_id"])} for r in record.reports]
    claim = review.claim_holder(item_id)
    f = record.fields
    decision = (
        {"action": f["decision"], "by": f.get("decided_by"), "at": iso(f.get("decided_at"))}
        if "decision" in f
        else None
    )
    return ReviewItemView(
        **item_view(record).model_dump(),
        text=f.get("text"),
        text_normalized=normalize(f["text"]) if "text" in f else None,
        image_analysis=image_analysis_view(record) if f["item_type"] == "image" else None,
        reports_list=reports,
        claim=ClaimView(item_id=item_id, claimed_by=claim[0], expires_in_s=claim[1] / 1000) if claim else None,
        decision=decision,
        brigade=f.get("brigade") == "1",
        author_id=f.get("author_id"),
        appeal=_appeal(f),
        model_version=f.get("model_version"),
        notices=_notices(item_id),
    ).model_dump()


def _notices(item_id: str) -> list[dict[str, Any]]:
    """The item's notices as moderators see them: the notifier's name but not their address."""
    shown = []
    for notice_id, n in get_store().dsa.notices_of(item_id).items():
        notifier = n.get("notifier") or {}
        shown.append(
            {
                "notice_id": notice_id,
                "source": n.get("source"),
                "trusted_flagger_id": n.get("trusted_flagger_id"),
                "category": n.get("category"),
                "explanation": n.get("explanation"),
                "legal_ground": n.get("legal_ground"),
                "url": n.get("url"),
                "notifier_name": notifier.get("name"),
                "received_at": iso(n.get("received_at")),
                "decision": (n.get("decision") or {}).get("action"),
            }
        )
    return shown


def _appeal(fields: dict[str, str]) -> dict[str, Any] | None:
    if "appeal_state" not in fields:
        return None
    given = json.loads(fields.get("appeal", "{}"))
    return {"state": fields["appeal_state"], "statement": given.get("statement"), "at": iso(given.get("at"))}


@bp.post("/v1/review/items/<item_id>/claim")
@require("moderator")
@documented(("HTTP_200", ClaimView), ERRORS, tags=["review"], json=ClaimRequest, path=ItemPath, body_optional=True)
def claim_item(item_id: str) -> dict[str, Any]:
    """Take (or renew) a lease on the item; another moderator's decision then gets 409."""
    path(ItemPath, item_id=item_id)
    config: Config = current_app.config["RAQIB"]
    body = json_body(ClaimRequest) if request.content_length else ClaimRequest()
    lease_s = body.lease_s or config.claim_lease_s
    try:
        holder, ms_left = get_store().review.claim(item_id, current_actor(), lease_s * 1000)
    except ItemMissing:
        raise NotFound(f"no report was ever received for item {item_id!r}") from None
    except ClaimConflict as err:
        raise Conflict(f"claimed by {err.holder} for {err.ms_left / 1000:.0f} s more") from None
    return {"item_id": item_id, "claimed_by": holder, "expires_in_s": ms_left / 1000}


@bp.delete("/v1/review/items/<item_id>/claim")
@require("moderator")
@documented(("HTTP_200", ClaimView), ERRORS, tags=["review"], path=ItemPath)
def release_item(item_id: str) -> dict[str, Any]:
    """Give the lease back."""
    path(ItemPath, item_id=item_id)
    try:
        get_store().review.claim(item_id, current_actor(), 0)
    except ItemMissing:
        raise NotFound(f"no report was ever received for item {item_id!r}") from None
    except ClaimConflict as err:
        raise Conflict(f"claimed by {err.holder}, not by you") from None
    return {"item_id": item_id, "claimed_by": None, "expires_in_s": 0}


@bp.post("/v1/review/items/<item_id>/decision")
@require("moderator")
@documented(("HTTP_200", DecisionView), ERRORS, tags=["review"], json=DecisionRequest, path=ItemPath)
def decide(item_id: str) -> dict[str, Any]:
    """Remove (hidden for good), restore (visible; its reports no longer count), dismiss (stays
    visible, leaves the queue) or approve a held item (readers see it). Returns the statement of
    reasons for the author."""
    record = _record(item_id)
    body = json_body(DecisionRequest)
    config: Config = current_app.config["RAQIB"]
    f = record.fields
    automated = flagged_automatically(f)  # a model score or an automated rule, not reports or a look
    decided_at = get_store().now_ms()
    statement = Statement(
        action=body.action,
        code=body.reason_code,
        explanation=explanation(body.action, body.reason_code),
        automated_detection=automated,
        decided_at=iso(decided_at) or "",
    )
    decision = {
        "action": body.action,
        "reason_code": body.reason_code,
        "note": body.note,
        "override": body.override,
        "statement": statement.model_dump(),
        "ground": body.ground,
    }
    if body.ground == "illegal":  # the DSA statement and the notifiers' answer cite the law
        decision.update(legal_ground=body.legal_ground, explanation=body.explanation)
    review = get_store().review
    bank_change = bank_change_for(body.action, f)
    try:
        outcome = review.decide(
            item_id, body.action, current_actor(), decision, body.override, request_id(), bank_change
        )
    except ClaimConflict as err:
        raise Conflict(f"the item is claimed by {err.holder}") from None
    except AlreadyDecided as err:
        raise Conflict(f'the item was already decided ({err.action}); send "override": true to change it') from None
    except InvalidTransition as err:
        raise Conflict(f"cannot {body.action} an item that is {err.status}") from None
    except SameModerator:
        raise Conflict("an appeal is answered by a moderator other than the one who decided") from None
    except ItemMissing:
        raise NotFound(f"no report was ever received for item {item_id!r}") from None
    review.update_trust(outcome.reporters, body.action == "remove", config.trust_weight_min, config.trust_weight_max)
    get_store().after_decision(item_id, outcome.seq, bank_change, config.pdq_min_quality, config.strike_ms)
    return {"item_id": item_id, "status": outcome.status, "seq": outcome.seq, "statement": statement.model_dump()}


@bp.get("/v1/review/items/<item_id>/history")
@require("moderator")
@documented(("HTTP_200", HistoryView), ERRORS, tags=["review"], path=ItemPath)
def item_history(item_id: str) -> dict[str, Any]:
    """The item's audit trail: every state change, claim and decision, oldest first."""
    record = _record(item_id)
    return {"item_id": item_id, "history": [history_entry(e) for e in record.history]}


@bp.get("/v1/audit")
@require("moderator")
@documented(("HTTP_200", AuditPage), ERRORS, tags=["review"], query=AuditQuery)
def audit() -> dict[str, Any]:
    """The audit trail of all items, oldest first, filtered by time and actor. Read-only."""
    q = query(AuditQuery)
    entries = get_store().review.audit(q.ms(q.since), q.ms(q.until), q.actor, q.limit)
    return {"entries": [history_entry(e) for e in entries]}


@bp.get("/v1/review/stats")
@require("moderator")
@documented(("HTTP_200", ReviewStats), ERRORS, tags=["review"])
def stats() -> dict[str, Any]:
    """Queue size by status, decisions by action, median time to decision, and how many auto-hides
    moderators confirmed or reversed (auto-hide precision) per reason."""
    return get_store().review.stats()
