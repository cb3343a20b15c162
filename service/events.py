"""The event schema shared by the stream, webhooks and the audit trail, and its signing
(Standard Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .timefmt import iso

# What the host site may see of an event or a history entry: what happened and why (the rule, the
# reason code, the public statement of reasons), never which moderator decided or their private note.
PRIVATE_DECISION_FIELDS = ("note",)


def public_actor(actor: str) -> str:
    """``system`` stays; ``moderator:salma`` becomes ``moderator`` (the role, not the person)."""
    return actor.partition(":")[0]


def public(entry: Mapping[str, Any], *, include_actor: bool = False) -> dict[str, Any]:
    """An event's data or a history entry as a client key or a webhook sees it: the decision
    without its private note and, unless ``include_actor`` (an operator's opt-in), the actor
    reduced to its role."""
    shown = dict(entry)
    if "actor" in shown and not include_actor:
        shown["actor"] = public_actor(str(shown["actor"]))
    decision = shown.get("decision")
    if isinstance(decision, Mapping):
        shown["decision"] = {k: v for k, v in decision.items() if k not in PRIVATE_DECISION_FIELDS}
    return shown


def webhook_body(event_type: str, ts_ms: int, data: Mapping[str, Any], *, include_actor: bool = False) -> str:
    """The JSON body sent to receivers: ``{"type", "timestamp", "data"}``, the data made public."""
    body = {"type": event_type, "timestamp": iso(ts_ms), "data": public(data, include_actor=include_actor)}
    return json.dumps(body, ensure_ascii=False)


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` with the key encoded in the ``whsec_`` secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secrets: Sequence[str], msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers; during a rotation each secret adds a space-separated signature."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets),
        "content-type": "application/json",
        "user-agent": "Raqib-Webhooks/1.0",
    }
