"""Perspective's request bodies and Google's error shape.

Field names are Perspective's (camelCase). Unknown fields are refused, as Google's APIs do."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextEntry(_Message):
    text: str | None = None
    type: Literal["PLAIN_TEXT", "HTML"] | None = None


class Context(_Message):
    entries: list[TextEntry] | None = Field(default=None, max_length=50)
    articleAndParentComment: dict[str, Any] | None = None


class AttributeParameters(_Message):
    scoreType: str | None = None
    scoreThreshold: float | None = Field(default=None, ge=0, le=1)


class AnalyzeCommentRequest(_Message):
    comment: TextEntry
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
    summaryScore: Score | None = None
    spanScores: list[dict[str, Any]] | None = None


class SuggestCommentScoreRequest(_Message):
    comment: TextEntry
    attributeScores: dict[str, AttributeScores] = Field(default_factory=dict, max_length=20)
    context: Context | None = None
    languages: list[str] | None = Field(default=None, max_length=10)
    communityId: str | None = Field(default=None, max_length=1024)
    clientToken: str | None = Field(default=None, max_length=1024)
    sessionId: str | None = Field(default=None, max_length=1024)
