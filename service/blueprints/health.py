"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app

from ..api import documented
from ..auth import check
from ..classifier import get_classifier, model_version
from ..config import Config
from ..images.analysis import get_analyser
from ..metrics import render
from ..schemas import Health
from ..store import get_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@documented(("HTTP_200", Health), tags=["health"], secured=False)
def healthz() -> dict[str, Any]:
    """The process is alive (no dependency is checked)."""
    return {"status": "ok", "checks": {}}


@bp.get("/readyz")
@documented(("HTTP_200", Health), (503,), tags=["health"], secured=False)
def readyz() -> tuple[dict[str, Any], int]:
    """Ready to serve: Redis answers; names the loaded text and image models and the OCR languages."""
    checks: dict[str, Any] = {"redis": get_store().health()}
    model = get_classifier()
    checks["model"] = str(model.path) if model is not None else "none configured"
    checks["model_version"] = model_version()
    analyser = get_analyser()
    checks["image_model"] = analyser.model_name
    checks["ocr"] = analyser.config.ocr_languages if analyser.ocr else "off"
    ready = checks["redis"] == "ok"
    if not ready:
        return {"error": "not_ready", "message": "a dependency is not ready", "details": checks}, 503
    return {"status": "ready", "checks": checks}, 200


@bp.get("/metrics")
@documented(("HTTP_200", None), (401, 403), tags=["health"])
def metrics() -> Response:
    """Prometheus metrics of every process of this host (admin key, unless RAQIB_METRICS_PUBLIC=true)."""
    config: Config = current_app.config["RAQIB"]
    if not config.metrics_public:
        check("admin")
    return render(get_store().review.queue_size)
