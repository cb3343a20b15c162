"""Perspective's request bodies and Google's error shape.

Field names are Perspective's (camelCase). Unknown fields are refused, as Google's APIs do."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .attributes import ATTRIBUTES

MAX_TEXT_BYTES = 20_480
STATUS_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}


class GoogleError(Exception):
    """An error answered in Google's shape: ``{"error": {"code", "message", "status", "details"}}``."""

    def __init__(self, code: int, message: str, *, reason: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.reason, self.retry_after = code, message, reason, retry_after

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "status": STATUS_CODES.get(self.code, "UNKNOWN"),
        }
        if self.reason:
            error["details"] = [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": self.reason, "domain": "raqib"}
            ]
        return {"error": error}


class GoogleErrorBody(BaseModel):
    """Errors of the Perspective-compatible routes, in Google's shape (for ``/openapi.json``)."""

    error: dict[str, Any] = Field(description="code, message, status and (some) details: [{reason, ...}]")


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _text_given(schema: dict[str, Any]) -> None:
    schema["required"] = ["text"]
    schema["properties"]["text"] = {"type": "string", "pattern": r"\S", "description": "the comment (not blank)"}


class TextEntry(_Message):
    text: str | None = None
    type: Literal["PLAIN_TEXT", "HTML"] | None = None


class CommentEntry(TextEntry):
    """The comment scored: its text must not be blank (400 ``COMMENT_EMPTY``)."""

    model_config = ConfigDict(json_schema_extra=_text_given)


KNOWN = sorted({*ATTRIBUTES, *(f"{a}_EXPERIMENTAL" for a in ATTRIBUTES)})


def _known_attributes(schema: dict[str, Any]) -> None:
    """Attributes Raqib knows, at least one (400 otherwise), unless ``dropUnsupportedAttributes``."""
    schema["properties"]["requestedAttributes"].update(minProperties=1)
    schema["required"] = sorted({*schema.get("required", ()), "requestedAttributes"})
    schema["anyOf"] = [
        {"required": ["dropUnsupportedAttributes"], "properties": {"dropUnsupportedAttributes": {"const": True}}},
        {"properties": {"requestedAttributes": {"propertyNames": {"enum": KNOWN}}}},
    ]


def _score_given(schema: dict[str, Any]) -> None:
    """Each attribute's ``summaryScore`` is required and not null (400 otherwise)."""
    schema["required"] = ["summaryScore"]
    score = schema["properties"]["summaryScore"]
    score["anyOf"] = [b for b in score.get("anyOf", ()) if b != {"type": "null"}]
    score.pop("default", None)


def _scores_given(schema: dict[str, Any]) -> None:
    schema["properties"]["attributeScores"].update(minProperties=1)
    schema["required"] = sorted({*schema.get("required", ()), "attributeScores"})


class Context(_Message):
    entries: list[TextEntry] | None = Field(default=None, max_length=50)
    articleAndParentComment: dict[str, Any] | None = None


class AttributeParameters(_Message):
    scoreType: str | None = Field(default=None, json_schema_extra={"enum": ["PROBABILITY", None]})
    scoreThreshold: float | None = Field(default=None, ge=0, le=1)


class AnalyzeCommentRequest(_Message):
    model_config = ConfigDict(json_schema_extra=_known_attributes)

    comment: CommentEntry
    requestedAttributes: dict[str, AttributeParameters] = Field(default_factory=dict, max_length=20)
    languages: list[str] | None = Field(default=None, max_length=10)
    doNotStore: bool | None = None
    spanAnnotations: bool | None = None
    context: Context | None = None
    clientToken: str | None = Field(default=None, max_length=1024)
    communityId: str | None = Field(default=None, max_length=1024)
    sessionId: str | None = Field(default=None, max_length=1024)
    dropUnsupportedAttributes: bool | None = None


class Score(_Message):
    value: float = Field(ge=0, le=1)
    type: str | None = None


class AttributeScores(_Message):
    model_config = ConfigDict(json_schema_extra=_score_given)

    summaryScore: Score | None = None
    spanScores: list[dict[str, Any]] | None = None


class SuggestCommentScoreRequest(_Message):
    model_config = ConfigDict(json_schema_extra=_scores_given)

    comment: CommentEntry
    attributeScores: dict[str, AttributeScores] = Field(default_factory=dict, max_length=20)
    context: Context | None = None
    languages: list[str] | None = Field(default=None, max_length=10)
    communityId: str | None = Field(default=None, max_length=1024)
    clientToken: str | None = Field(default=None, max_length=1024)
    sessionId: str | None = Field(default=None, max_length=1024)
