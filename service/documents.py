"""Documents the service keeps in Redis (the policy, word lists, webhooks, trusted flaggers, model
versions): checked at write as they will be read back, and read without taking a route down.

A document was once accepted by the request model and then refused by the reader (issue 44: a
rule whose conditions were all null was stored as ``"when": {}``), and every request that read it
answered 500. So :func:`round_trip` serialises what is about to be stored exactly as the store
does (JSON), reads it back with the reader's model, and answers 422 unless it reads back as what
was accepted; and :func:`read` turns a stored document that no longer validates (a hand edit, an
older release) into a logged error and a 503 with a clear code, never a 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import RaqibError, ValidationFailed

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


class DocumentUnreadable(RaqibError):
    """A stored document no longer validates: ``{what}_unreadable`` (e.g. ``policy_unreadable``)."""

    status = 503

    def __init__(self, what: str, message: str, *, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.code = f"{what}_unreadable"


def _problems(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "(document)", "problem": e["msg"]}
        for e in error.errors(include_url=False, include_input=False, include_context=False)
    ]


def round_trip(model: type[M], document: Any, written: BaseModel | None = None) -> Any:
    """``document`` if, stored as JSON and read back with ``model``, it validates (and equals
    ``written``, the accepted request, when given); otherwise a 422 and nothing is stored."""
    stored = json.loads(json.dumps(document, ensure_ascii=False))
    try:
        back = model.model_validate(stored)
    except ValidationError as err:
        details = _problems(err)
        first = details[0]
        raise ValidationFailed(f"{first['field']}: {first['problem']} (as stored)", details=details) from None
    if written is not None and back != written:
        raise ValidationFailed("the document would not read back as it was sent: leave out fields that are null")
    return document


def read(model: type[M], data: Any, what: str, name: str = "") -> M:
    """``data`` (a stored document, parsed) as ``model``; a logged error and
    :class:`DocumentUnreadable` if it no longer validates."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        details = _problems(err)
        label = f"{what} {name!r}" if name else f"the stored {what}"
        log.error("%s no longer validates: %s", label, details)
        raise DocumentUnreadable(
            what, f"{label} no longer validates; replace it (PUT) or restore it", details=details
        ) from None


def parse(raw: str | bytes | None, what: str, name: str = "") -> Any:
    """Stored JSON text, parsed; :class:`DocumentUnreadable` if it is not JSON."""
    try:
        return json.loads(raw) if raw is not None else None
    except ValueError as err:
        label = f"{what} {name!r}" if name else f"the stored {what}"
        log.error("%s is not JSON: %s", label, err)
        raise DocumentUnreadable(what, f"{label} is not valid JSON; replace it (PUT) or restore it") from None


def stored_record(raw: str | bytes | None, what: str, name: str, fields: dict[str, type]) -> dict[str, Any] | None:
    """A stored JSON record (a trusted flagger, a model version) as its readers read it: an object
    with ``fields`` of those types. None when there is none; :class:`DocumentUnreadable` otherwise."""
    if raw is None:
        return None
    found = parse(raw, what, name)
    wrong = [f for f, kind in fields.items() if not isinstance(found, dict) or not isinstance(found.get(f), kind)]
    if wrong:
        log.error("%s %r no longer reads: %s", what, name, ", ".join(wrong) or "not an object")
        raise DocumentUnreadable(what, f"{what.replace('_', ' ')} {name!r} no longer reads ({', '.join(wrong)})")
    return found


def checked_record(record: dict[str, Any], what: str, name: str, fields: dict[str, type]) -> str:
    """``record`` as the JSON to store, once it reads back (a record that would not is a bug here)."""
    text = json.dumps(record, ensure_ascii=False)
    stored_record(text, what, name, fields)
    return text
