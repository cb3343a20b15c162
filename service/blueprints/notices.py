"""``POST /v1/notices`` (the host forwards its public notice form: Art. 16 DSA) and the trusted
flaggers (Art. 22): ``POST/GET /v1/trusted-flaggers``, ``DELETE /v1/trusted-flaggers/<id>``."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from flask import Blueprint, current_app
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..api import documented, json_body, path
from ..auth import require
from ..config import Config
from ..dsa import vocabulary as v
from ..errors import Conflict, NotFound, ValidationFailed
from ..logs import request_id
from ..policy import threshold_for
from ..schemas import ID_PATTERN, ItemId, ItemType, Strict
from ..store import TypeMismatch, get_store
from ..timefmt import iso

bp = Blueprint("notices", __name__)
Category = Literal[v.CATEGORIES]  # type: ignore[valid-type]


class Notifier(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class NoticeRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["notifier"], "properties": {"notifier": {"type": "object"}}},
                {"properties": {"category": {"const": v.MINORS}}},
            ]
        }
    )

    item_id: str = ItemId
    item_type: ItemType
    url: str = Field(min_length=8, max_length=2048, pattern=r"^https?://\S+$", description="the exact location")
    text: str | None = Field(default=None, max_length=10_000, description="the content, as for reports")
    category: Category = Field(description="one of the Transparency Database's STATEMENT_CATEGORY_* keys")
    explanation: str = Field(min_length=1, max_length=5000, description="why the notifier thinks it illegal")
    legal_ground: str | None = Field(default=None, min_length=1, max_length=500, description="the law it breaks")
    notifier: Notifier | None = Field(default=None, description="required unless the category is minors' protection")
    good_faith: Literal[True] = Field(description="the notifier's statement that the notice is accurate and complete")
    trusted_flagger_id: str | None = Field(default=None, pattern=ID_PATTERN)

    @model_validator(mode="after")
    def notifier_unless_minors(self) -> NoticeRequest:
        if self.notifier is None and self.category != v.MINORS:
            raise ValueError(
                "notifier {name, email} is required unless the category is STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
            )
        return self


class NoticeReceived(BaseModel):
    notice_id: str
    item_id: str
    received_at: str
    source: str


class FlaggerCreate(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)


class FlaggerPath(Strict):
    flagger_id: str = Field(pattern=ID_PATTERN)


class FlaggerView(BaseModel):
    id: str
    name: str
    created_at: str | None
    notices: dict[str, int] = Field(description="sent, confirmed (acted on), rejected (no action), pending")


@bp.post("/v1/notices")
@require("client")
@documented(("HTTP_201", NoticeReceived), (400, 401, 403, 409, 413, 415, 422), tags=["dsa"], json=NoticeRequest)
def create_notice() -> tuple[dict[str, Any], int]:
    """A notice of illegal content from anyone (the host's public form, Art. 16): the item enters
    the review queue with it (a trusted flagger's ahead of readers' reports) and ``notice.received``
    goes to webhooks so that the host confirms receipt to the notifier. Nothing is stored on a 4xx."""
    config: Config = current_app.config["RAQIB"]
    body = json_body(NoticeRequest)
    store = get_store()
    source = v.SOURCE_ARTICLE_16
    if body.trusted_flagger_id is not None:
        if store.dsa.flagger(body.trusted_flagger_id) is None:
            raise ValidationFailed(f"trusted_flagger_id: no trusted flagger {body.trusted_flagger_id!r}")
        source = v.SOURCE_TRUSTED_FLAGGER
    notice = {
        "category": body.category,
        "explanation": body.explanation,
        "legal_ground": body.legal_ground,
        "url": body.url,
        "notifier": body.notifier.model_dump() if body.notifier else None,
        "source": source,
        "trusted_flagger_id": body.trusted_flagger_id,
    }
    boost = config.dsa_trusted_flagger_boost if body.trusted_flagger_id else config.dsa_notice_boost
    fields = {"text": body.text} if body.text else {}
    threshold = threshold_for(config, body.item_type, None)
    try:
        notice_id, received = store.dsa.add_notice(
            body.item_id, body.item_type, notice, fields, boost, threshold.reports, threshold.rule, request_id()
        )
    except TypeMismatch as err:
        raise Conflict(f"item {body.item_id!r} is a {err.existing}; this notice says {body.item_type}") from None
    answer = NoticeReceived(notice_id=notice_id, item_id=body.item_id, received_at=iso(received) or "", source=source)
    return answer.model_dump(), 201


@bp.post("/v1/trusted-flaggers")
@require("admin")
@documented(("HTTP_201", FlaggerView), (400, 401, 403, 409, 415, 422), tags=["dsa"], json=FlaggerCreate)
def add_flagger() -> tuple[dict[str, Any], int]:
    """Register a trusted flagger (awarded the status by a Digital Services Coordinator, Art. 22)."""
    body = json_body(FlaggerCreate)
    store = get_store()
    if not store.dsa.add_flagger(body.id, body.name, store.now_ms()):
        raise Conflict(f"trusted flagger {body.id!r} exists")
    return _view(store.dsa.flagger(body.id) or {}, Counter()), 201


@bp.get("/v1/trusted-flaggers")
@require("admin")
@documented(("HTTP_200", None), (401, 403), tags=["dsa"])
def list_flaggers() -> dict[str, Any]:
    """Every trusted flagger with its notices: sent, confirmed, rejected (Art. 22(6) asks platforms
    to act on flaggers whose notices are often imprecise)."""
    store = get_store()
    counts = Counter(store.dsa.flagger_counts())
    return {"trusted_flaggers": [_view(f, counts) for f in store.dsa.flaggers()]}


@bp.delete("/v1/trusted-flaggers/<flagger_id>")
@require("admin")
@documented(("HTTP_200", None), (401, 403, 404, 422), tags=["dsa"], path=FlaggerPath)
def remove_flagger(flagger_id: str) -> dict[str, Any]:
    """Withdraw a flagger's status; its past notices keep the source they had."""
    chosen = path(FlaggerPath, flagger_id=flagger_id)
    if not get_store().dsa.remove_flagger(chosen.flagger_id):
        raise NotFound(f"no trusted flagger {chosen.flagger_id!r}")
    return {"id": chosen.flagger_id, "removed": True}


def _view(flagger: dict[str, Any], counts: Counter[str]) -> dict[str, Any]:
    fid = flagger.get("id", "")
    sent, confirmed, rejected = (counts[f"{fid}:{k}"] for k in ("sent", "confirmed", "rejected"))
    return FlaggerView(
        id=fid,
        name=flagger.get("name", ""),
        created_at=iso(flagger.get("created_at")),
        notices={"sent": sent, "confirmed": confirmed, "rejected": rejected, "pending": sent - confirmed - rejected},
    ).model_dump()
