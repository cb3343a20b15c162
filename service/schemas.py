"""Request and response models: the API's contract, validated by spectree and published in
``/openapi.json``. Limits are explicit here and listed in the README."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator
from pydantic import Strict as PydanticStrict

ID_PATTERN = r"^[A-Za-z0-9:_.@-]{1,128}$"
MAX_TEXT_CHARS = 5000
MAX_NOTE_CHARS = 500
MAX_CLASSIFY_TEXTS = 64
REASONS = ("offensive", "hate", "vulgar", "violence", "spam", "sexual", "other")

# An ISO 8601 date or date-time, as the document states it: not a number (pydantic's datetime would
# read "0.5" as seconds since 1970).
ISO_TIME_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
}


def iso_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected an ISO 8601 date or time, got {value!r}") from None


IsoTime = Annotated[datetime, PlainValidator(iso_time), WithJsonSchema(ISO_TIME_SCHEMA)]
ItemId = Field(pattern=ID_PATTERN, description="the host site's id: 1-128 of A-Z a-z 0-9 : _ . @ -")
Reason = Literal["offensive", "hate", "vulgar", "violence", "spam", "sexual", "other"]
ItemType = Literal["comment", "image"]
Status = Literal["visible", "hidden", "held", "rejected", "removed"]


# An http(s) URL whose host is a name or an IPv4 address and whose port is a port (no credentials).
HTTP_URL = (
    r"^https?://[A-Za-z0-9.-]+"
    r"(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
    r"(?:[/?#]\S*)?$"
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def absent_not_null(schema: dict[str, Any]) -> None:
    """A model's JSON schema with its optional fields absent rather than null: for multipart forms
    (a part is there or not; it cannot be null) and documents stored without their nulls."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]
        branches = [b for b in prop.get("anyOf", ()) if b != {"type": "null"}]
        if "anyOf" in prop and len(branches) == 1:
            del prop["anyOf"]
            prop.update(branches[0])


def form_schema(*required: str, context: type[BaseModel] | None = None) -> Any:
    """The schema of a multipart form: no null parts, ``image`` a file, ``required`` parts required,
    ``context`` a JSON part of that model (``/openapi.json`` gives it its content type)."""

    def complete(schema: dict[str, Any]) -> None:
        absent_not_null(schema)
        if "image" in schema.get("properties", {}):
            schema["properties"]["image"].update(type="string", format="binary")
        if context is not None:
            described = schema["properties"]["context"].get("description", "")
            schema["properties"]["context"] = {
                **context.model_json_schema(),
                "contentMediaType": "application/json",
                "description": described,
            }
        schema["required"] = sorted({*schema.get("required", ()), *required})

    return complete


IMAGE_FILE = "the image file (JPEG, PNG, WebP or GIF)"
IS_IMAGE: dict[str, Any] = {"properties": {"item_type": {"const": "image"}}}
IS_COMMENT: dict[str, Any] = {"properties": {"item_type": {"const": "comment"}}}
# What only an image takes: absent (or null) otherwise. (Multipart forms state no such rule: schemathesis
# 4.32.5 cannot check a file part against conditionals; their descriptions say it.)
URL_ONLY_FOR_IMAGES: dict[str, Any] = {"anyOf": [IS_IMAGE, {"properties": {"image_url": {"type": "null"}}}]}


def _form_bool(value: Any) -> Any:
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


# A form part that is a boolean: "true" or "false", as the document says (not "1", "yes" or "on").
FormBool = Annotated[bool, BeforeValidator(_form_bool), PydanticStrict()]


class ReportContext(Strict):
    url: str | None = Field(default=None, max_length=2048)
    author_id: str | None = Field(default=None, max_length=128)
    section: str | None = Field(default=None, max_length=128)


class ReportRequest(Strict):
    """A reader's report of a comment or an image."""

    model_config = ConfigDict(json_schema_extra=URL_ONLY_FOR_IMAGES)

    item_id: str = ItemId
    item_type: ItemType
    reporter_id: str = Field(pattern=ID_PATTERN, description="the reader's id on the host site")
    reason: Reason = "other"
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS, description="the comment's text")
    image_url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=HTTP_URL,
        description="where the image is; stored, and fetched only from hosts in RAQIB_IMAGE_FETCH_HOSTS",
    )
    context: ReportContext | None = None


class ReportForm(Strict):
    """The multipart form of a report: the same fields, an ``image`` file part, and ``context`` as JSON
    text; ``image`` or ``image_url`` (not both) for item_type ``image`` only."""

    model_config = ConfigDict(json_schema_extra=form_schema(context=ReportContext))

    item_id: str = ItemId
    item_type: ItemType
    reporter_id: str = Field(pattern=ID_PATTERN)
    reason: Reason = "other"
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    image_url: str | None = Field(default=None, max_length=2048, pattern=HTTP_URL)
    context: str | None = Field(default=None, max_length=4096, description="JSON object: url, author_id, section")
    image: Any = Field(default=None, description=IMAGE_FILE)


class ReportAccepted(BaseModel):
    item_id: str
    status: Status
    reports: int = Field(description="distinct reporters counted")
    threshold: int = Field(description="the weight that hides the item (without trust weighting: reporters)")
    weight: float = Field(description="the reports' trust-weighted sum, compared with threshold")
    min_reporters: int = Field(description="distinct reporters needed as well (the effective minimum)")
    duplicate: bool = Field(description="this reporter had already reported the item; nothing changed")
    message: str = Field(description="thanks for the reader, in the language of Accept-Language")


class ItemView(BaseModel):
    item_id: str
    item_type: ItemType
    status: Status
    reports: int
    threshold: int
    threshold_rule: str
    reasons: dict[str, int]
    first_report_at: str | None
    last_report_at: str | None
    hidden_at: str | None
    seq: int
    scores: dict[str, float] | None = None
    image: dict[str, Any] | None = None
    history: list[dict[str, Any]]


class ClassifyRequest(Strict):
    """One text, or up to 64."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
                {"required": ["texts"], "properties": {"texts": {"type": "array"}}},
            ]
        }
    )

    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    texts: list[Annotated[str, Field(max_length=MAX_TEXT_CHARS)]] | None = Field(
        default=None, min_length=1, max_length=MAX_CLASSIFY_TEXTS
    )

    @model_validator(mode="after")
    def one_of(self) -> ClassifyRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("send exactly one of 'text' or 'texts'")
        return self


class Classification(BaseModel):
    scores: dict[str, float] = Field(description="probability per category")
    flagged: list[str] = Field(description="categories at or above their calibrated threshold")


class Classifications(BaseModel):
    results: list[Classification]


class ClassifyAnswer(BaseModel):
    """For ``text``: ``scores`` and ``flagged``; for ``texts``: ``results``, one per text."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["scores", "flagged"]}, {"required": ["results"]}]}
    )

    scores: dict[str, float] | None = Field(default=None, description="probability per category")
    flagged: list[str] | None = Field(default=None, description="categories at or above their threshold")
    results: list[Classification] | None = None


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


Action = Literal["remove", "restore", "dismiss", "approve", "uphold", "reverse"]
ReasonCode = Literal[
    "hate_speech",
    "harassment",
    "vulgarity",
    "violence",
    "spam",
    "sexual_content",
    "other_violation",
    "no_violation",
    "report_abuse",
]


class QueueQuery(Strict):
    status: Literal["pending", "hidden", "held", "appealed", "all"] = "all"
    item_type: ItemType | None = None
    reason: Reason | None = None
    min_score: float | None = Field(default=None, ge=0, le=1, description="minimum offensive score")
    sort: Literal["priority", "oldest"] = "priority"
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=400)


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
    automated_detection: bool = Field(description="auto-hide or the classifier was involved")
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


class ErrorBody(BaseModel):
    error: str = Field(description="a stable machine-readable code")
    message: str
    details: Any = None


class Health(BaseModel):
    status: str
    checks: dict[str, Any] = {}


class ItemPath(Strict):
    item_id: str = ItemId


class EntryPath(Strict):
    """A bank entry (images, texts): named like an item."""

    entry_id: str = ItemId


class ImageCheckForm(Strict):
    model_config = ConfigDict(json_schema_extra=form_schema("image"))

    image: Any = Field(default=None, description=IMAGE_FILE)
    ocr: FormBool = Field(default=False, description="also read the text in the image (slower: ~0.5-2 s)")


class PdqView(BaseModel):
    hash: str = Field(description="PDQ hash, 64 hex digits")
    quality: int = Field(description="0-100; hashes below RAQIB_PDQ_MIN_QUALITY never match")


class BankMatch(BaseModel):
    entry: str
    item_id: str | None
    distance: int = Field(description="Hamming distance, of 256 bits")


class ImageCheckResult(BaseModel):
    matched: bool = Field(description="the image matches an image moderators removed")
    match: BankMatch | None
    pdq: PdqView
    scores: dict[str, float] | None = Field(description="image model (and text read) scores, when configured")
    flagged: list[str]
    text: str | None = Field(description="the text read, when ocr was asked and Tesseract is installed")


class BankEntryView(BaseModel):
    entry_id: str
    item_id: str
    quality: int
    hashes: int = Field(description="PDQ hashes held: the image's and its crops'")
    added_by: str
    added_at: str | None


class BankPage(BaseModel):
    entries: list[BankEntryView]
