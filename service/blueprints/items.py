"""``GET /v1/items/<item_id>``: what the host site needs to know about one item."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from ..api import documented, path
from ..auth import require
from ..errors import NotFound
from ..schemas import ItemPath, ItemView
from ..store import get_store
from ..views import item_view

bp = Blueprint("items", __name__)


@bp.get("/v1/items/<item_id>")
@require("client", "moderator")
@documented(("HTTP_200", ItemView), (401, 403, 404, 422, 503), tags=["items"], path=ItemPath)
def get_item(item_id: str) -> dict[str, Any]:
    """An item's status, distinct reporters, reasons, report times, scores and state history. A
    client key sees each change, its rule, reason code and public statement, but not which
    moderator decided, their note, or claims; moderator and admin keys see everything."""
    path(ItemPath, item_id=item_id)
    record = get_store().get_item(item_id)
    if record is None:
        raise NotFound(f"no report was ever received for item {item_id!r}")
    return item_view(record, for_client=g.role == "client").model_dump()
