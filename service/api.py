"""The OpenAPI description and request validation (pydantic models checked by spectree), with
validation failures raised into the service's own error family."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from pydantic import ValidationError
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType
from spectree import Response as SpecResponse

from .errors import ValidationFailed

BEARER = {"bearer": []}


def _raise_validation_error(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any = None) -> None:
    if error is None:
        return
    details = []
    if isinstance(error, ValidationError):
        for item in error.errors(include_url=False, include_input=False, include_context=False):
            details.append({"field": ".".join(str(p) for p in item["loc"]) or "(body)", "problem": item["msg"]})
    first = details[0] if details else {"field": "(body)", "problem": str(error)}
    raise ValidationFailed(f"{first['field']}: {first['problem']}", details=details)


spec = SpecTree(
    "flask",
    title="Raqib — Arabic content moderation API",
    version="1.0.0",
    path="apidoc",
    page_templates={},
    before=_raise_validation_error,
    validation_error_status=422,
    annotations=False,
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer", description="an API key of the right role"),
        )
    ],
)


def responses(ok: tuple[str, Any], *errors: int) -> SpecResponse:
    """A spectree response description: one success code and model, plus the error codes."""
    from .schemas import ErrorBody

    codes: dict[str, Any] = {ok[0]: ok[1]}
    for status in errors:
        codes[f"HTTP_{status}"] = ErrorBody
    return SpecResponse(**codes)


def init_app(app: Flask) -> None:
    spec.register(app)
    app.add_url_rule("/openapi.json", "openapi", lambda: jsonify(spec.spec))


def validate_path(model: type[Any], **values: str) -> Any:
    """Validate path parameters with a pydantic model (spectree documents, but does not check, them)."""
    try:
        return model.model_validate(values)
    except ValidationError as err:
        _raise_validation_error(None, None, err, None)
