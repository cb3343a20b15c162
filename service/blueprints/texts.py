"""The bank of removed comments (role moderator): ``GET /v1/texts/bank`` (newest first, paged)
and ``DELETE /v1/texts/bank/<entry_id>``. Entries join and leave it with moderators' decisions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import BaseModel, Field

from ..api import documented, path, query
from ..auth import require
from ..errors import NotFound
from ..schemas import EntryPath, Strict
from ..store import get_store
from ..timefmt import iso

bp = Blueprint("texts", __name__)
ERRORS = (401, 403, 404, 422, 503)


class BankQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, pattern=r"^\d{1,9}$", description="from the previous page")


class TextBankPage(BaseModel):
    entries: list[dict[str, Any]] = Field(description="entry_id, item_id, excerpt, added_by, added_at")
    total: int
    next_cursor: str | None


@bp.get("/v1/texts/bank")
@require("moderator")
@documented(("HTTP_200", TextBankPage), ERRORS, tags=["texts"], query=BankQuery)
def bank() -> dict[str, Any]:
    """Removed comments whose near-copies are hidden at their first report and caught at submission."""
    q = query(BankQuery)
    offset = int(q.cursor or 0)
    entries, total = get_store().texts.entries(offset, q.limit)
    shown = [
        {
            "entry_id": e.entry_id,
            "item_id": e.item_id,
            "excerpt": e.excerpt,
            "added_by": e.added_by,
            "added_at": iso(e.added_at),
        }
        for e in entries
    ]
    following = offset + q.limit
    return {"entries": shown, "total": total, "next_cursor": str(following) if following < total else None}


@bp.delete("/v1/texts/bank/<entry_id>")
@require("moderator")
@documented(("HTTP_204", None), ERRORS, tags=["texts"], path=EntryPath)
def remove(entry_id: str) -> tuple[str, int]:
    """Take an entry out of the bank (its near-copies are no longer caught)."""
    path(EntryPath, entry_id=entry_id)
    if not get_store().texts.remove(entry_id):
        raise NotFound(f"no banked comment {entry_id!r}")
    return "", 204
