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


def webhook_body(event_type: str, ts_ms: int, data: Mapping[str, Any]) -> str:
    """The JSON body sent to receivers: ``{"type", "timestamp", "data"}``."""
    return json.dumps({"type": event_type, "timestamp": iso(ts_ms), "data": dict(data)}, ensure_ascii=False)


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
