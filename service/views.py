"""How items and their history are shown, shared by the host's and the moderators' routes."""

from __future__ import annotations

from typing import Any

from .events import public
from .schemas import ItemView
from .store import ItemRecord
from .timefmt import iso

HISTORY_ORDER = ("seq", "at", "type", "actor", "from", "to", "rule", "decision", "reports", "threshold", "event_id")


# Moderators' working steps, not changes to the item: the host site is not shown them.
MODERATOR_ONLY_ENTRIES = frozenset({"item.claimed", "item.claim_renewed", "item.released"})


def history_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An audit entry with its time in ISO form and its keys in reading order."""
    ordered = {k: entry[k] for k in HISTORY_ORDER if k in entry}
    ordered.update((k, v) for k, v in entry.items() if k not in ordered)
    ordered["at"] = iso(entry["at"])
    return ordered


def item_view(record: ItemRecord, *, for_client: bool = False) -> ItemView:
    """What the API shows of an item, shared by the host's view and the moderators'. A client key
    sees every change and why, but not who decided, their private notes, nor claims."""
    f = record.fields
    history = record.history
    if for_client:
        history = [public(e) for e in history if e.get("type") not in MODERATOR_ONLY_ENTRIES]
    return ItemView(
        item_id=record.item_id,
        item_type=f["item_type"],  # type: ignore[arg-type]
        status=f["status"],  # type: ignore[arg-type]
        reports=int(f.get("reports", 0)),
        threshold=int(f["threshold"]),
        threshold_rule=f.get("threshold_rule", ""),
        reasons=record.reasons,
        first_report_at=iso(record.ms("first_report_at")),
        last_report_at=iso(record.ms("last_report_at")),
        hidden_at=iso(record.ms("hidden_at")),
        seq=int(f.get("seq", 0)),
        scores=record.json_field("scores"),
        image=record.json_field("image"),
        history=[history_entry(entry) for entry in history],
    )


def image_analysis_view(record: ItemRecord) -> dict[str, Any]:
    """What the worker found in an item's image, for moderators."""
    f = record.fields
    view: dict[str, Any] = {"analysed": "analysed_at" in f, "analysed_at": iso(record.ms("analysed_at"))}
    if "pdq" in f:
        view["pdq"] = {"hash": f["pdq"], "quality": int(f.get("pdq_quality", 0))}
        view["preview_url"] = f"/v1/review/items/{record.item_id}/image"
    for name in ("image_info", "image_scores", "bank_match"):
        if name in f:
            view[name] = record.json_field(name)
    for name in ("ocr_text", "image_error"):
        if name in f:
            view[name] = f[name]
    return view
