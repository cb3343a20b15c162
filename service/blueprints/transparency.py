"""Statements of reasons as kept and sent (``GET /v1/transparency/statements``) and the
transparency report (``GET /v1/transparency/report``, JSON or CSV), for a site's admins."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from flask import Blueprint, Response, current_app
from pydantic import Field, field_validator

from ..api import documented, query
from ..auth import require
from ..classifier import get_classifier
from ..config import Config
from ..dsa.report import actions_section, appeals_section, csv_rows, notices_section, sanctions_section
from ..errors import ValidationFailed
from ..schemas import ISO_TIME_SCHEMA, Strict
from ..store import get_store
from ..timefmt import iso

bp = Blueprint("transparency", __name__)
MAX_PAGE = 500
REPORT_EVENTS = {"appeal.received", "appeal.decided", "author.sanctioned", "author.sanction_lifted"}


CURSOR = r"^[0-9]{1,15}-[0-9]{1,9}$"  # a statement's stream id (ms-seq)


def _ms(value: str, field: str) -> int:
    """An ISO 8601 date or time (``2026-01-01``, ``2026-01-01T10:00:00Z``) as UTC milliseconds."""
    try:
        stamp = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{field}: expected an ISO 8601 date or time, got {value!r}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return max(0, int(stamp.timestamp() * 1000))  # before 1970 is 1970: nothing is older


class StatementsQuery(Strict):
    since: str | None = Field(
        default=None, description="ISO 8601: statements made at or after", json_schema_extra=ISO_TIME_SCHEMA
    )
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, pattern=CURSOR, description="next_cursor of the previous page")

    @field_validator("since")
    @classmethod
    def parses(cls, value: str | None) -> str | None:
        if value is not None:
            _ms(value, "since")
        return value


class ReportQuery(Strict):
    from_: str = Field(
        alias="from", description="ISO 8601 start of the period (inclusive)", json_schema_extra=ISO_TIME_SCHEMA
    )
    to: str = Field(description="ISO 8601 end of the period (exclusive)", json_schema_extra=ISO_TIME_SCHEMA)
    format: Literal["json", "csv"] = "json"

    @field_validator("from_", "to")
    @classmethod
    def parses(cls, value: str) -> str:
        _ms(value, "from/to")
        return value


def _cursor(stream_id: str) -> str:
    """The last statement's stream id: any id of that form is a place to read on from."""
    return stream_id


def _uncursor(cursor: str) -> str:
    if not re.fullmatch(CURSOR, cursor):
        raise ValidationFailed("cursor: not a cursor this route gave")
    return cursor


@bp.get("/v1/transparency/statements")
@require("admin")
@documented(("HTTP_200", None), (400, 401, 403, 422), tags=["dsa"], query=StatementsQuery)
def statements() -> dict[str, Any]:
    """Every statement of reasons, oldest first: the Transparency Database's body as sent, and its
    submission (``pending``, ``retrying``, ``sent`` with the database's ``uuid``, ``rejected`` with
    its message, ``failed``; ``not_configured`` without ``RAQIB_DSA_TDB_URL``)."""
    q = query(StatementsQuery)
    dsa = get_store().dsa
    config: Config = current_app.config["RAQIB"]
    start = "(" + _uncursor(q.cursor) if q.cursor else (f"{_ms(q.since, 'since')}-0" if q.since else "-")
    page = dsa.statements(start, "+", q.limit + 1)
    more, page = len(page) > q.limit, page[: q.limit]
    states = dsa.submissions([s.id for s in page])
    unsent = {"state": "pending" if config.dsa_tdb_url else "not_configured"}
    return {
        "statements": [
            {
                "id": s.id,
                "item_id": s.item_id,
                "created_at": iso(s.created_ms),
                "statement": s.body,
                "submission": states.get(s.id) or unsent,
            }
            for s in page
        ],
        "next_cursor": _cursor(page[-1].stream_id) if more and page else None,
    }


@bp.get("/v1/transparency/report")
@require("admin")
@documented(("HTTP_200", None), (400, 401, 403, 422), tags=["dsa"], query=ReportQuery)
def report() -> Any:
    """The transparency report for [from, to): notices (by category and source, acted on, median
    time to action), actions (by ground, automation, restriction type, category), appeals,
    sanctions, and the automated means' accuracy (auto-hide precision, the model's dev figures).
    ``format=csv`` gives the same figures as ``section,metric,value`` rows."""
    q = query(ReportQuery)
    since, until = _ms(q.from_, "from"), _ms(q.to, "to")
    if until <= since:
        raise ValidationFailed("to: must be after from")
    store = get_store()
    dsa = store.dsa
    received = [n for _, n in dsa.notice_log(since, until)]
    outcomes = [o for _, o in dsa.notice_outcomes(since, store.now_ms() + 1)]
    made = (s.body for s in dsa.statements_between(since, until))
    events = list(dsa.events_between(since, until, REPORT_EVENTS))
    classifier = get_classifier()
    body = {
        "period": {"from": iso(since), "to": iso(until)},
        "notices": notices_section(received, outcomes),
        "actions": actions_section(made),
        "appeals": appeals_section(events),
        "sanctions": sanctions_section(events),
        "automated_means": {
            "auto_hide": store.review.stats()["auto_hide"],
            "model_dev_macro_f1": _model_figures(classifier),
        },
    }
    if q.format == "csv":
        disposition = {"Content-Disposition": "attachment; filename=transparency.csv"}
        return Response(csv_rows(body), mimetype="text/csv", headers=disposition)
    return body


def _model_figures(classifier: Any) -> dict[str, float]:
    if classifier is None:
        return {}
    from raqib.models.inference import read_meta

    figures = read_meta(classifier.path).get("dev_macro_f1", {})
    return {c: round(float(r.get("overall", 0.0)), 3) for c, r in figures.items() if isinstance(r, dict)}
