"""Request validation (pydantic models) and the OpenAPI document (spectree, from the same models).

Views validate with :func:`json_body`, :func:`form_body`, :func:`query` and :func:`path`, which parse
and check in one pass (``model_validate_json`` reads the raw bytes) and raise the service's own
errors. spectree only describes routes: views build their responses from pydantic models, so a
second validation of each response would be work without a purpose, and a view is served without
spectree's wrapper (which still runs its response step with validation skipped, ~60 µs a request).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, jsonify, request
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json
from spectree import Response as SpecResponse
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType

from . import openapi
from .errors import InvalidJSON, ValidationFailed

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

spec = SpecTree(
    "flask",
    title="Raqib — Arabic content moderation API",
    version="1.0.0",
    path="apidoc",
    page_templates={},
    annotations=False,
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer", description="an API key of the right role"),
        )
    ],
)


def documented(
    ok: tuple[str, Any],
    errors: Sequence[int] = (),
    *,
    tags: Sequence[str],
    json: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    path: type[BaseModel] | tuple[type[BaseModel], ...] = (),
    secured: bool = True,
    error_body: type[BaseModel] | None = None,
    body_optional: bool = False,
) -> Callable[[F], F]:
    """Describe a route in ``/openapi.json``: its body or query model, the models of its path
    parameters (their patterns), success and error responses (``ErrorBody`` unless ``error_body``)."""
    from .schemas import ErrorBody

    codes: dict[str, Any] = {ok[0]: ok[1]}
    codes.update({f"HTTP_{status}": error_body or ErrorBody for status in errors})
    describe = spec.validate(
        json=json,
        form=form,
        query=query,
        resp=SpecResponse(**codes),
        tags=list(tags),
        security={"bearer": []} if secured else None,
        skip_validation=True,
    )

    def decorator(view: F) -> F:
        described = describe(view)

        # spectree finds a route's description by following ``__wrapped__`` from the view that
        # Flask holds, so the view served points at spectree's wrapper but calls the view itself.
        @wraps(described)
        def served(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        setattr(served, openapi.PATH_MODELS, path if isinstance(path, tuple) else (path,))
        setattr(served, openapi.BODY_OPTIONAL, body_optional)
        return cast(F, served)

    return decorator


def page(*statuses: int) -> Callable[[F], F]:
    """Describe an HTML page of the review UI in ``/openapi.json``: the statuses it answers."""

    def decorator(view: F) -> F:
        setattr(view, openapi.PAGE_STATUSES, statuses)
        return view

    return decorator


def _failure(error: ValidationError) -> ValidationFailed | InvalidJSON:
    details = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        if item["type"] == "json_invalid":
            return InvalidJSON(f"the body is not valid JSON: {item['msg']}")
        details.append({"field": ".".join(str(p) for p in item["loc"]) or "(body)", "problem": item["msg"]})
    first = details[0] if details else {"field": "(body)", "problem": "invalid"}
    return ValidationFailed(f"{first['field']}: {first['problem']}", details=details)


def validate(model: type[M], data: Any) -> M:
    """``model`` checked against ``data`` (already-parsed values), or ``ValidationFailed``."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise _failure(err) from None


def _json_integers(value: Any) -> Any:
    """Integral numbers as ints: JSON Schema counts ``32.0`` as an integer, strict pydantic does not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_json_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_integers(v) for k, v in value.items()}
    return value


def parse_json(model: type[M], data: bytes) -> M:
    """``data`` as ``model``, strictly as the document states it (``0`` is not a boolean, ``"5"``
    not a number, ``5.0`` is an integer); invalid JSON (or UTF-8) is ``invalid_json``."""
    try:
        return model.model_validate_json(data, strict=True)
    except ValidationError as err:
        if not any(e["type"] == "int_type" and isinstance(e.get("input"), float) for e in err.errors()):
            raise _failure(err) from None
    # An integer written 5.0: JSON Schema's integer, not strict pydantic's. Read again, as ints.
    try:
        return model.model_validate(_json_integers(from_json(data)), strict=True)
    except ValidationError as err:
        raise _failure(err) from None


def json_body(model: type[M]) -> M:
    """The request's JSON body as ``model``."""
    return parse_json(model, request.get_data(cache=True))


def form_body(model: type[M]) -> M:
    """The request's multipart form (fields and files) as ``model``."""
    values: dict[str, Any] = {k: v for k, v in request.form.items()}
    values.update(request.files.items())
    return validate(model, values)


def query(model: type[M]) -> M:
    return validate(model, request.args.to_dict())


def path(model: type[M], **values: str) -> M:
    return validate(model, values)


def init_app(app: Flask) -> None:
    spec.register(app)
    document: dict[str, Any] = {}

    def openapi_json() -> Any:
        """The document, completed once (routes do not change after start-up)."""
        if not document:
            document.update(openapi.complete(app, spec.spec))
        return jsonify(document)

    app.add_url_rule("/openapi.json", "openapi", openapi_json)
