"""Request and response models: the API's contract, validated by spectree and published in
``/openapi.json``. Limits are explicit here and listed in the README."""

from __future__ import annotations

from datetime import datetime
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
    r"^https?://[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.?"
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
