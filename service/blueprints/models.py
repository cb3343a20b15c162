"""Classifier versions (role admin): register a directory (``POST /v1/models``), list them with the
active one (``GET /v1/models``), and activate one (``POST /v1/models/<version>/activate``): every
web and worker process switches to it within ``RAQIB_MODEL_CHECK_S`` without a restart; the
previous version stays one activation away."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app
from pydantic import BaseModel, Field
from raqib.models.language import detect
from raqib.models.thresholds import Thresholds

from ..api import documented, json_body, path
from ..auth import require
from ..classifier import get_classifier, model_version
from ..config import Config
from ..decisions import labels
from ..errors import Conflict, ModelUnavailable, NotFound, RaqibError
from ..schemas import Strict
from ..store import get_store
from ..timefmt import iso
from ..versions import InvalidModel, compare, inspect

bp = Blueprint("models", __name__)
ERRORS = (400, 401, 403, 404, 409, 415, 422, 503)
NAME = r"^[A-Za-z0-9_.-]{1,64}$"


class ModelRequest(Strict):
    name: str = Field(pattern=NAME, description="the version's name")
    path: str = Field(max_length=4096, description="an absolute path to the artifact directory on the machine")
    checksum: str | None = Field(default=None, max_length=100, description="sha256:… the directory must have")


class VersionPath(Strict):
    version: str = Field(pattern=NAME)


class ModelList(BaseModel):
    active: str | None
    previous: str | None
    models: list[dict[str, Any]]


class BadModel(RaqibError):
    status = 422
    code = "invalid_model"


def register(name: str, directory: str, expected: str | None, threads: int) -> dict[str, Any]:
    """Check and record a version (shared by the route and ``raqib models add``)."""
    try:
        record = inspect(Path(directory), threads)
    except InvalidModel as err:
        raise BadModel(str(err)) from None
    if expected is not None and expected != record["checksum"]:
        raise BadModel(f"checksum mismatch: the directory has {record['checksum']}")
    store = get_store()
    record["added_at"] = store.now_ms()
    if not store.models.add(name, record):
        raise Conflict(f"a version named {name!r} is already registered")
    return {"version": name, **record, "added_at": iso(record["added_at"])}


@bp.get("/v1/models")
@require("admin")
@documented(("HTTP_200", ModelList), ERRORS, tags=["models"])
def models() -> dict[str, Any]:
    store = get_store()
    active, previous = store.models.active()
    listed = [{"version": v, **r, "added_at": iso(r.get("added_at"))} for v, r in sorted(store.models.all().items())]
    return {"active": active, "previous": previous or None, "models": listed}


@bp.post("/v1/models")
@require("admin")
@documented(("HTTP_201", None), ERRORS, tags=["models"], json=ModelRequest)
def add() -> tuple[dict[str, Any], int]:
    """Register a version: the directory must load and score as a classifier (422 otherwise)."""
    body = json_body(ModelRequest)
    config: Config = current_app.config["RAQIB"]
    return register(body.name, body.path, body.checksum, config.model_threads), 201


@bp.post("/v1/models/<version>/shadow")
@require("admin")
@documented(("HTTP_200", None), ERRORS, tags=["models"], path=VersionPath)
def start_shadow(version: str) -> dict[str, Any]:
    """Score new comments with this version too, in the worker, off the request path."""
    path(VersionPath, version=version)
    store = get_store()
    if store.models.get(version) is None:
        raise NotFound(f"no model version {version!r}")
    store.models.set_shadow(version)
    return {"shadow": version}


@bp.delete("/v1/models/<version>/shadow")
@require("admin")
@documented(("HTTP_200", None), ERRORS, tags=["models"], path=VersionPath)
def stop_shadow(version: str) -> dict[str, Any]:
    path(VersionPath, version=version)
    store = get_store()
    if store.models.shadow() == version:
        store.models.set_shadow(None)
    return {"shadow": None}


@bp.get("/v1/models/<version>/shadow")
@require("admin")
@documented(("HTTP_200", None), ERRORS, tags=["models"], path=VersionPath)
def shadow_report(version: str) -> dict[str, Any]:
    """The version in shadow beside the active one: per category, how often both flag alike, and
    on the comments moderators decided since, each model's precision and recall."""
    path(VersionPath, version=version)
    store = get_store()
    record = store.models.get(version)
    if record is None:
        raise NotFound(f"no model version {version!r}")
    active = get_classifier()
    if active is None:
        raise ModelUnavailable("no active classifier to compare with")
    rows = []
    for item_id in store.models.shadowed_items(version):
        item = store.get_item(item_id)
        if item is None or "scores" not in item.fields or item.fields.get("shadow_version") != version:
            continue
        decisions = [h["decision"] for h in item.history if isinstance(h.get("decision"), dict)]
        final = decisions[-1] if decisions else {}
        rows.append(
            {
                "scores": json.loads(item.fields["scores"]),
                "shadow_scores": json.loads(item.fields["shadow_scores"]),
                "language": detect(item.fields.get("text", "")),
                "labels": labels(final.get("action", ""), final.get("reason_code", "")) if final else {},
            }
        )
    shadow = Thresholds.of_meta(record, record.get("categories") or list(active.categories))
    report = compare(rows, active.decisions, shadow)
    return {"version": version, "against": model_version(), "shadow": store.models.shadow() == version, **report}


@bp.post("/v1/models/<version>/activate")
@require("admin")
@documented(("HTTP_200", None), ERRORS, tags=["models"], path=VersionPath)
def activate(version: str) -> dict[str, Any]:
    path(VersionPath, version=version)
    store = get_store()
    if store.models.get(version) is None:
        raise NotFound(f"no model version {version!r}")
    previous = store.models.activate(version)
    return {"active": version, "previous": previous}
