"""Request and response models of the review API (queue, claims, decisions, audit, stats), in
``/openapi.json``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .schemas import MAX_NOTE_CHARS, Action, IsoTime, ItemType, ItemView, Reason, ReasonCode, Status, Strict

# A sort key (a finite number, as repr writes it) and an item id: any such pair is a place in the queue.
QUEUE_CURSOR = r"^-?[0-9]{1,20}(?:\.[0-9]{1,20})?(?:e[+-]?[0-9]{1,2})?~[A-Za-z0-9:_.@-]{1,128}$"


class QueueQuery(Strict):
    status: Literal["pending", "hidden", "held", "appealed", "all"] = "all"
    item_type: ItemType | None = None
    reason: Reason | None = None
    min_score: float | None = Field(default=None, ge=0, le=1, description="minimum offensive score")
    sort: Literal["priority", "oldest"] = "priority"
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, pattern=QUEUE_CURSOR, description="next_cursor of the previous page")


class QueueItem(BaseModel):
    item_id: str
    item_type: ItemType
    status: Status
    priority: float
    reports: int
    weight: float
    reasons: dict[str, int]
    offensive: float | None
    waiting_since: str | None
    brigade: bool
    claimed_by: str | None
    excerpt: str | None = Field(default=None, description="the comment's first 140 characters")


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None


class ClaimRequest(Strict):
    lease_s: int | None = Field(default=None, ge=10, le=86_400)


class ClaimView(BaseModel):
    item_id: str
    claimed_by: str | None
    expires_in_s: float


class DecisionRequest(Strict):
    action: Action
    reason_code: ReasonCode
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)
    override: bool = Field(default=False, description="needed to decide an item already decided")
    ground: Literal["illegal", "terms"] = Field(
        default="terms", description="a removal's ground: illegal content, or the site's terms (DSA statement)"
    )
    legal_ground: str | None = Field(
        default=None, min_length=1, max_length=500, description="for ground illegal: the law relied on"
    )
    explanation: str | None = Field(
        default=None, min_length=1, max_length=2000, description="for ground illegal: why the content is illegal"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "anyOf": [
                        {
                            "properties": {
                                "action": {"enum": ["remove", "uphold"]},
                                "reason_code": {"not": {"enum": ["no_violation", "report_abuse"]}},
                            }
                        },
                        {
                            "properties": {
                                "action": {"enum": ["restore", "dismiss", "approve", "reverse"]},
                                "reason_code": {"enum": ["no_violation", "report_abuse"]},
                            }
                        },
                    ]
                },
                {
                    "anyOf": [
                        {"properties": {"ground": {"const": "terms"}}},
                        {
                            "required": ["legal_ground", "explanation"],
                            "properties": {"legal_ground": {"type": "string"}, "explanation": {"type": "string"}},
                        },
                    ]
                },
            ]
        }
    )

    @model_validator(mode="after")
    def illegal_needs_its_law(self) -> DecisionRequest:
        if self.ground == "illegal" and (not self.legal_ground or not self.explanation):
            raise ValueError("ground illegal takes legal_ground (the law relied on) and explanation")
        return self

    @model_validator(mode="after")
    def code_fits_action(self) -> DecisionRequest:
        removing = self.action in ("remove", "uphold")
        if removing != (self.reason_code not in ("no_violation", "report_abuse")):
            raise ValueError(
                "remove and uphold take a violation reason code; restore, dismiss, approve and reverse take "
                "no_violation or report_abuse"
            )
        return self


class Statement(BaseModel):
    action: Action
    code: ReasonCode
    explanation: dict[str, str] = Field(description="for the author, in Arabic (ar) and French (fr)")
    automated_detection: bool = Field(
        description="a model score, a bank match or an automated policy rule flagged the content; "
        "readers' reports, notices and moderators' own actions are not automated detection"
    )
    decided_at: str


class DecisionView(BaseModel):
    item_id: str
    status: Status
    seq: int
    statement: Statement


class AuditQuery(Strict):
    since: IsoTime | None = Field(default=None, description="ISO 8601 date or time (UTC unless it says)")
    until: IsoTime | None = Field(default=None, description="ISO 8601 date or time (UTC unless it says)")
    actor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=100, ge=1, le=1000)

    def ms(self, value: datetime | None) -> int | None:
        """UTC milliseconds; a time before 1970 is 1970 (nothing is older)."""
        if value is None:
            return None
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return max(0, int(aware.timestamp() * 1000))


class AuditPage(BaseModel):
    entries: list[dict[str, Any]]


class HistoryView(BaseModel):
    item_id: str
    history: list[dict[str, Any]]


class ReviewItemView(ItemView):
    text: str | None
    text_normalized: str | None = Field(default=None, description="the text as the classifier reads it")
    image_analysis: dict[str, Any] | None = Field(
        default=None,
        description="for images: PDQ hash and quality, text read, image scores, bank match, error, preview URL",
    )
    reports_list: list[dict[str, Any]]
    claim: ClaimView | None
    decision: dict[str, Any] | None
    brigade: bool
    author_id: str | None = Field(default=None, description="the host's id of the author, when known")
    appeal: dict[str, Any] | None = Field(default=None, description="state (pending, upheld, reversed), statement, at")
    model_version: str | None = Field(default=None, description="the classifier version whose scores are shown")
    notices: list[dict[str, Any]] = Field(
        default_factory=list, description="DSA notices: source, category, explanation, legal ground, received, outcome"
    )


class ReviewStats(BaseModel):
    queue: dict[str, int]
    decisions: dict[str, int]
    decisions_per_day: dict[str, dict[str, Any]] = Field(
        description="the last 14 UTC days: remove, restore, dismiss counts and the median time to decision"
    )
    median_time_to_decision_s: float | None
    auto_hide: dict[str, dict[str, Any]] = Field(description="per reason: confirmed, reversed, precision")
    rules: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="per policy rule: acted, shadow (matched in shadow), and among the items moderators "
        "decided since: confirmed, overturned, precision (and the same for shadow matches)",
    )
