"""Authors (the host's opaque ``author_id``): their record (``GET /v1/authors/<id>``, moderator),
sanctions (``POST /v1/authors/<id>/sanction``, moderator), erasure (``DELETE``, admin), and
appeals (``POST /v1/appeals``, client, sent by the host for its author)."""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, current_app
from pydantic import BaseModel, Field

from ..api import documented, json_body, path
from ..auth import current_actor, require
from ..config import Config
from ..errors import NotFound, RaqibError
from ..logs import request_id
from ..schemas import ID_PATTERN, MAX_NOTE_CHARS, ItemId, ReasonCode, Strict
from ..store import get_store
from ..store.banks import bank_change_for
from ..store.review import AlreadyDecided, InvalidTransition
from ..timefmt import iso

bp = Blueprint("authors", __name__)
ERRORS = (400, 401, 403, 404, 409, 415, 422, 503)
REMOVE_CHUNK = 200  # items read per round of remove_visible: each removal is its own short script
LIVE = ("visible", "hidden", "held")  # what readers see, or may see once decided


class AuthorPath(Strict):
    author_id: str = Field(pattern=ID_PATTERN)


class SanctionRequest(Strict):
    action: Literal["premod", "suspend", "ban", "lift"]
    duration_s: int | None = Field(default=None, ge=60, le=10 * 365 * 86_400, description="none: until lifted")
    reason_code: ReasonCode = "other_violation"
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS, description="for moderators only")
    remove_visible: bool = Field(default=False, description="remove every item of the author readers can see")


class AppealRequest(Strict):
    item_id: str = ItemId
    author_id: str = Field(pattern=ID_PATTERN)
    statement: str = Field(min_length=1, max_length=2000, description="the author's words")


class AuthorView(BaseModel):
    author_id: str
    counts: dict[str, int]
    strikes: int = Field(description="active strikes")
    strike_history: list[dict[str, Any]]
    sanction: dict[str, Any] | None
    first_seen: str | None
    last_seen: str | None
    recent_items: list[dict[str, Any]]


class AppealConflict(RaqibError):
    status = 409
    code = "appeal_refused"


class NotTheAuthor(RaqibError):
    status = 422
    code = "not_the_author"


def _strike(strike: dict[str, Any], now: int) -> dict[str, Any]:
    active = not strike.get("lifted_at") and strike["expires_at"] > now
    return {
        "item_id": strike["item_id"],
        "reason_code": strike.get("reason_code"),
        "at": iso(strike["at"]),
        "expires_at": iso(strike["expires_at"]),
        "lifted_at": iso(strike.get("lifted_at")),
        "active": active,
    }


@bp.get("/v1/authors/<author_id>")
@require("moderator")
@documented(("HTTP_200", AuthorView), ERRORS, tags=["authors"], path=AuthorPath)
def author(author_id: str) -> dict[str, Any]:
    """The author's record: counts, active strikes and their history, the sanction in force,
    first and last seen, the latest items. Nothing about the author beyond the host's id."""
    path(AuthorPath, author_id=author_id)
    store = get_store()
    found = store.authors.get(author_id)
    if found is None:
        raise NotFound(f"no author {author_id!r}")
    now = store.now_ms()
    recent = []
    for item_id in found.items:
        record = store.get_item(item_id)
        if record is not None:
            f = record.fields
            recent.append(
                {
                    "item_id": item_id,
                    "item_type": f["item_type"],
                    "status": f["status"],
                    "excerpt": f.get("text", "")[:140] or None,
                }
            )
    sanction = found.sanction
    return AuthorView(
        author_id=author_id,
        counts=found.counts,
        strikes=found.active_strikes(now),
        strike_history=[_strike(s, now) for s in found.strikes],
        sanction=None
        if sanction is None
        else {
            "action": sanction["action"],
            "until": iso(sanction.get("until")),
            "reason_code": sanction.get("reason_code"),
            "at": iso(sanction.get("at")),
        },
        first_seen=iso(found.first_seen),
        last_seen=iso(found.last_seen),
        recent_items=recent,
    ).model_dump()


@bp.post("/v1/authors/<author_id>/sanction")
@require("moderator")
@documented(("HTTP_200", None), ERRORS, tags=["authors"], json=SanctionRequest, path=AuthorPath)
def sanction(author_id: str) -> dict[str, Any]:
    """Pre-moderate, suspend or ban an author (for ``duration_s``, or until lifted), or lift it;
    ``author.sanctioned`` / ``author.sanction_lifted`` go to webhooks so the host can apply it.
    ``remove_visible`` removes each item of theirs readers can see, one short script each."""
    path(AuthorPath, author_id=author_id)
    body = json_body(SanctionRequest)
    store = get_store()
    if store.authors.get(author_id, recent=0) is None:
        raise NotFound(f"no author {author_id!r}")
    until = store.now_ms() + body.duration_s * 1000 if body.duration_s and body.action != "lift" else None
    actor = current_actor()
    given = {"action": body.action, "until": until, "reason_code": body.reason_code}
    event_id = store.authors.sanction(author_id, given, actor, body.note or "", request_id())
    removed = _remove_visible(author_id, body.reason_code, actor) if body.remove_visible else 0
    return {
        "author_id": author_id,
        "action": body.action,
        "until": iso(until),
        "event_id": event_id,
        "removed": removed,
    }


def _remove_visible(author_id: str, reason_code: str, actor: str) -> int:
    """Remove every item of the author that readers can see, in chunks; no strike for each (the
    sanction is the measure). Returns how many were removed."""
    from ..i18n import explanation

    config: Config = current_app.config["RAQIB"]
    store = get_store()
    removed, start = 0, 0
    statement = {
        "action": "remove",
        "code": reason_code,
        "explanation": explanation("remove", reason_code),
        "automated_detection": False,
    }
    while ids := store.authors.item_ids(author_id, start, REMOVE_CHUNK):
        start += len(ids)
        for item_id in ids:
            record = store.get_item(item_id)
            if record is None or record.fields["status"] not in LIVE:
                continue
            decision = {
                "action": "remove",
                "reason_code": reason_code,
                "statement": statement,
                "sanction": True,
                "strike": False,
            }
            bank_change = bank_change_for("remove", record.fields)
            try:
                outcome = store.review.decide(item_id, "remove", actor, decision, True, request_id(), bank_change)
            except (AlreadyDecided, InvalidTransition):
                continue
            store.after_decision(item_id, outcome.seq, bank_change, config.pdq_min_quality, config.strike_ms)
            removed += 1
    return removed


@bp.delete("/v1/authors/<author_id>")
@require("admin")
@documented(("HTTP_204", None), ERRORS, tags=["authors"], path=AuthorPath)
def erase(author_id: str) -> tuple[str, int]:
    """Erase an author: their record and the text of their items go; the decisions stay in the
    audit trail, the items named by a stable pseudonym instead of the author's id."""
    path(AuthorPath, author_id=author_id)
    store = get_store()
    if store.authors.get(author_id, recent=0) is None:
        raise NotFound(f"no author {author_id!r}")
    pseudonym = store.authors.pseudonym(author_id)
    start = 0
    while ids := store.authors.item_ids(author_id, start, REMOVE_CHUNK):
        start += len(ids)
        for item_id in ids:
            store.authors.scrub_item(item_id, pseudonym)
            store.texts.forget_text(item_id)
    store.authors.forget(author_id)
    return "", 204


@bp.post("/v1/appeals")
@require("client")
@documented(("HTTP_200", None), ERRORS, tags=["authors"], json=AppealRequest)
def appeal() -> dict[str, Any]:
    """The host sends its author's appeal of a removal or a rejection: once per decision, within
    ``RAQIB_APPEAL_DAYS``; it enters the review queue (``status=appealed``) for a moderator other
    than the one who decided."""
    config: Config = current_app.config["RAQIB"]
    body = json_body(AppealRequest)
    result = get_store().review.appeal(
        body.item_id, body.author_id, body.statement, config.appeal_days * 86_400_000, request_id()
    )
    match result[0]:
        case "not_found":
            raise NotFound(f"no item {body.item_id!r}")
        case "not_author":
            raise NotTheAuthor("this author_id is not the item's author")
        case "not_appealable":
            raise AppealConflict(f"only a removed or rejected item may be appealed; this one is {result[1]}")
        case "too_late":
            raise AppealConflict(f"the appeal window ({config.appeal_days} days) has closed")
        case "already_appealed":
            raise AppealConflict(f"this decision was already appealed ({result[1]})")
    return {"item_id": body.item_id, "status": "appealed", "seq": int(result[1])}
