"""Request and response models of webhooks (``/v1/webhooks``), in ``/openapi.json``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .schemas import HTTP_URL, Strict

EventType = Literal[
    "item.reported",
    "item.hidden",
    "item.removed",
    "item.restored",
    "item.dismissed",
    "item.flagged",
    "item.published",
    "item.held",
    "item.rejected",
    "item.approved",
    "item.edited",
    "author.sanctioned",
    "author.sanction_lifted",
    "appeal.received",
    "appeal.decided",
    "notice.received",
    "notice.decided",
    "*",
]


WEBHOOK_URL = HTTP_URL


class WebhookCreate(Strict):
    url: str = Field(min_length=8, max_length=2048, pattern=WEBHOOK_URL, description="http(s) URL of a public address")
    events: list[EventType] = Field(min_length=1, max_length=16, description="event types, or '*' for all")
    description: str = Field(default="", max_length=500)


class WebhookPatch(Strict):
    url: str | None = Field(default=None, min_length=8, max_length=2048, pattern=WEBHOOK_URL)
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=16)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None
    rotate_secret: bool = Field(default=False, description="issue a new secret; the old one signs too for a day")


class WebhookView(BaseModel):
    id: str
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None = Field(default=None, description="why delivery stopped, when it did")
    created_at: str
    rotating: bool = Field(description="a previous secret still signs (rotation grace period)")
    secret: str | None = Field(default=None, description="only when created or rotated: shown once")


class WebhookList(BaseModel):
    webhooks: list[WebhookView]


class DeliveryView(BaseModel):
    id: str
    event_id: str
    event_type: str
    state: Literal["pending", "delivered", "dead"]
    attempts: int
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    created_at: str
    next_attempt_at: str | None
    delivered_at: str | None


class DeliveryList(BaseModel):
    deliveries: list[DeliveryView]
    next_before: int | None = Field(description="pass as ?before= for the next, older page")


class DeliveryQuery(Strict):
    limit: int = Field(default=50, ge=1, le=100)
    before: int | None = Field(default=None, ge=0, description="created_at (ms) cursor from next_before")


class WebhookPath(Strict):
    webhook_id: str = Field(pattern=r"^wh_[0-9a-f]{16}$")


class DeliveryPath(Strict):
    delivery_id: str = Field(pattern=r"^dlv_[A-Za-z0-9_.:-]{1,160}$")
