"""Request and response models of submissions, the policy and word lists (in ``/openapi.json``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..schemas import (
    HTTP_URL,
    ID_PATTERN,
    IMAGE_FILE,
    IS_COMMENT,
    IS_IMAGE,
    MAX_TEXT_CHARS,
    URL_ONLY_FOR_IMAGES,
    ItemId,
    ItemType,
    Strict,
    form_schema,
)
from .policy import NAME_PATTERN, Policy
from .wordlists import MAX_ENTRY_CHARS, MAX_WORDS

SubmissionStatus = Literal["visible", "held", "rejected", "hidden", "removed"]


class SubmissionContext(Strict):
    url: str | None = Field(default=None, max_length=2048)
    section: str | None = Field(default=None, pattern=NAME_PATTERN, description="the policy's section, if any")
    article_id: str | None = Field(default=None, max_length=128)


class _SubmissionChecks(Strict):
    @model_validator(mode="after")
    def content_fits_type(self) -> Any:
        text, url = getattr(self, "text", None), getattr(self, "image_url", None)
        if getattr(self, "item_type", None) == "comment" and not (text and text.strip()):
            raise ValueError("a comment needs its text")
        if url is not None and getattr(self, "item_type", None) != "image":
            raise ValueError("image_url is for item_type 'image'")
        return self


TEXT_GIVEN: dict[str, Any] = {"required": ["text"], "properties": {"text": {"type": "string", "pattern": r"\S"}}}
COMMENT_HAS_TEXT: dict[str, Any] = {"anyOf": [IS_IMAGE, TEXT_GIVEN]}  # not blank


class SubmissionRequest(_SubmissionChecks):
    """A new or edited comment (or image), sent when the author posts it."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                COMMENT_HAS_TEXT,
                URL_ONLY_FOR_IMAGES,
                {"anyOf": [IS_COMMENT, {"required": ["image_url"], "properties": {"image_url": {"type": "string"}}}]},
            ]
        }
    )

    item_id: str = ItemId
    item_type: ItemType
    author_id: str = Field(pattern=ID_PATTERN, description="the author's opaque id on the host site")
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    image_url: str | None = Field(default=None, max_length=2048, pattern=HTTP_URL)
    context: SubmissionContext | None = None


class SubmissionForm(_SubmissionChecks):
    """The multipart form of a submission: the same fields, an ``image`` file part, ``context`` as JSON
    text; a comment has its text, an image its file or its URL (and only an image has them)."""

    model_config = ConfigDict(json_schema_extra=form_schema(context=SubmissionContext))

    item_id: str = ItemId
    item_type: ItemType
    author_id: str = Field(pattern=ID_PATTERN)
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    image_url: str | None = Field(default=None, max_length=2048, pattern=HTTP_URL)
    context: str | None = Field(default=None, max_length=4096, description="JSON object: url, section, article_id")
    image: Any = Field(default=None, description=IMAGE_FILE)


class SubmissionView(BaseModel):
    item_id: str
    decision: Literal["publish", "flag", "hold", "reject"]
    status: SubmissionStatus
    reasons: list[dict[str, Any]] = Field(description="every rule that matched: rule, action, detail, shadow")
    scores: dict[str, float] | None
    message: str = Field(description="for the author, in the language of Accept-Language")
    policy_version: int
    edit: bool = Field(description="the item had been submitted before: this is an edit")


class PolicyView(BaseModel):
    version: int = Field(description="0: the default policy, never changed")
    policy: Policy
    updated_at: str | None
    updated_by: str | None


class WordlistBody(Strict):
    words: list[Annotated[str, Field(min_length=1, max_length=MAX_ENTRY_CHARS, pattern=r"\w")]] = Field(
        max_length=MAX_WORDS, description="words or phrases with a letter or digit; at most 50,000, of 100 characters"
    )


class WordlistPath(Strict):
    name: str = Field(pattern=NAME_PATTERN)


class WordlistView(BaseModel):
    name: str
    words: list[str]
    count: int
    version: str


class WordlistNames(BaseModel):
    wordlists: list[str]
