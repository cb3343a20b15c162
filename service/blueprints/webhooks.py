"""``/v1/webhooks``: subscriptions of the host site to events, their delivery log, tests and
redelivery (role ``admin``)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import Blueprint, current_app

from ..api import documented, json_body, path, query
from ..auth import require
from ..config import Config
from ..errors import NotFound, ValidationFailed
from ..events import webhook_body
from ..ssrf import UnsafeURL, check_url
from ..store import get_store
from ..store.webhooks import Delivery, Subscription
from ..timefmt import iso
from ..webhook_schemas import (
    DeliveryList,
    DeliveryPath,
    DeliveryQuery,
    DeliveryView,
    WebhookCreate,
    WebhookList,
    WebhookPatch,
    WebhookPath,
    WebhookView,
)

bp = Blueprint("webhooks", __name__)
ERRORS = (400, 401, 403, 404, 413, 415, 422, 503)


def _config() -> Config:
    config: Config = current_app.config["RAQIB"]
    return config


def _view(sub: Subscription, *, secret: bool = False) -> dict[str, Any]:
    now = get_store().now_ms()
    return WebhookView(
        id=sub.id,
        url=sub.url,
        events=sub.events,
        description=sub.description,
        enabled=sub.enabled,
        disabled_reason=sub.disabled_reason,
        created_at=iso(sub.created_at) or "",
        rotating=len(sub.signing_secrets(now)) > 1,
        secret=sub.secret if secret else None,
    ).model_dump(exclude_none=not secret)


def _delivery_view(d: Delivery) -> dict[str, Any]:
    return DeliveryView(
        id=d.id,
        event_id=d.event_id,
        event_type=d.event_type,
        state=d.state,  # type: ignore[arg-type]
        attempts=d.attempts,
        last_status_code=d.last_status,
        last_latency_ms=d.last_latency_ms,
        last_error=d.last_error,
        created_at=iso(d.created_at) or "",
        next_attempt_at=iso(d.next_attempt_at) if d.state == "pending" else None,
        delivered_at=iso(d.delivered_at),
    ).model_dump()


def _safe_url(url: str) -> str:
    try:
        check_url(url, allow_private=_config().webhook_allow_private)
    except UnsafeURL as err:
        raise ValidationFailed(f"url: {err}", details=[{"field": "url", "problem": str(err)}]) from None
    return url


def _subscription(webhook_id: str) -> Subscription:
    path(WebhookPath, webhook_id=webhook_id)
    sub = get_store().webhooks.get(webhook_id)
    if sub is None:
        raise NotFound(f"no webhook {webhook_id!r}")
    return sub


@bp.post("/v1/webhooks")
@require("admin")
@documented(("HTTP_201", WebhookView), ERRORS, tags=["webhooks"], json=WebhookCreate)
def create_webhook() -> tuple[dict[str, Any], int]:
    """Subscribe a URL to events. The answer holds the signing secret: it is shown this once."""
    body = json_body(WebhookCreate)
    sub = get_store().webhooks.create(_safe_url(body.url), list(dict.fromkeys(body.events)), body.description)
    return _view(sub, secret=True), 201


@bp.get("/v1/webhooks")
@require("admin")
@documented(("HTTP_200", WebhookList), ERRORS, tags=["webhooks"])
def list_webhooks() -> dict[str, Any]:
    """Every subscription (without secrets)."""
    return {"webhooks": [_view(s) for s in get_store().webhooks.all()]}


@bp.get("/v1/webhooks/<webhook_id>")
@require("admin")
@documented(("HTTP_200", WebhookView), ERRORS, tags=["webhooks"], path=WebhookPath)
def get_webhook(webhook_id: str) -> dict[str, Any]:
    """One subscription (without its secret)."""
    return _view(_subscription(webhook_id))


@bp.patch("/v1/webhooks/<webhook_id>")
@require("admin")
@documented(("HTTP_200", WebhookView), ERRORS, tags=["webhooks"], json=WebhookPatch, path=WebhookPath)
def update_webhook(webhook_id: str) -> dict[str, Any]:
    """Enable, disable, change URL, events or description, or rotate the secret."""
    _subscription(webhook_id)
    body = json_body(WebhookPatch)
    hooks = get_store().webhooks
    fields: dict[str, str] = {}
    if body.url is not None:
        fields["url"] = _safe_url(body.url)
    if body.events is not None:
        fields["events"] = json.dumps(list(dict.fromkeys(body.events)))
    if body.description is not None:
        fields["description"] = body.description
    if body.enabled is not None:
        fields.update(enabled="1" if body.enabled else "0", disabled_reason="" if body.enabled else "disabled by admin")
    sub = hooks.update(webhook_id, **fields)
    if body.rotate_secret:
        sub = hooks.rotate(webhook_id, _config().webhook_rotation_grace_s * 1000)
    if sub is None:
        raise NotFound(f"no webhook {webhook_id!r}")
    return _view(sub, secret=body.rotate_secret)


@bp.delete("/v1/webhooks/<webhook_id>")
@require("admin")
@documented(("HTTP_204", None), ERRORS, tags=["webhooks"], path=WebhookPath)
def delete_webhook(webhook_id: str) -> tuple[str, int]:
    """Remove a subscription and its delivery log (one that no longer reads too: the way out)."""
    path(WebhookPath, webhook_id=webhook_id)
    if not get_store().webhooks.delete(webhook_id):
        raise NotFound(f"no webhook {webhook_id!r}")
    return "", 204


@bp.post("/v1/webhooks/<webhook_id>/test")
@require("admin")
@documented(("HTTP_202", DeliveryView), ERRORS, tags=["webhooks"], path=WebhookPath)
def test_webhook(webhook_id: str) -> tuple[dict[str, Any], int]:
    """Send a ``webhook.test`` event to this endpoint only."""
    sub = _subscription(webhook_id)
    hooks = get_store().webhooks
    event_id = "evt_test_" + secrets.token_hex(8)
    body = webhook_body("webhook.test", hooks.now_ms(), {"webhook_id": sub.id, "message": "Raqib test event"})
    did = hooks.enqueue(sub.id, event_id, "webhook.test", body)
    delivery = hooks.delivery(sub.id, did)
    assert delivery is not None
    return _delivery_view(delivery), 202


@bp.get("/v1/webhooks/<webhook_id>/deliveries")
@require("admin")
@documented(("HTTP_200", DeliveryList), ERRORS, tags=["webhooks"], query=DeliveryQuery, path=WebhookPath)
def list_deliveries(webhook_id: str) -> dict[str, Any]:
    """The delivery log, latest first: attempts, last status, latency, next attempt, outcome."""
    _subscription(webhook_id)
    params = query(DeliveryQuery)
    found = get_store().webhooks.deliveries(webhook_id, params.limit, params.before)
    next_before = found[-1].created_at if len(found) == params.limit else None
    return {"deliveries": [_delivery_view(d) for d in found], "next_before": next_before}


@bp.post("/v1/webhooks/<webhook_id>/deliveries/<delivery_id>/redeliver")
@require("admin")
@documented(("HTTP_202", DeliveryView), ERRORS, tags=["webhooks"], path=(WebhookPath, DeliveryPath))
def redeliver(webhook_id: str, delivery_id: str) -> tuple[dict[str, Any], int]:
    """Send a delivery again now (the same event id, so receivers can de-duplicate)."""
    _subscription(webhook_id)
    path(DeliveryPath, delivery_id=delivery_id)
    delivery = get_store().webhooks.redeliver(webhook_id, delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery {delivery_id!r} for webhook {webhook_id!r}")
    return _delivery_view(delivery), 202
