"""``POST /v1/classify``: the classifier's scores for one text or up to 64."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g

from ..api import documented, json_body
from ..auth import require
from ..classifier import get_model_queue, get_served, score_queued
from ..config import Config
from ..errors import ModelUnavailable, RateLimited
from ..schemas import ClassifyAnswer, ClassifyRequest
from ..store import get_store, keys

bp = Blueprint("classify", __name__)


@bp.post("/v1/classify")
@require("client", "moderator")
@documented(
    ("HTTP_200", ClassifyAnswer), (400, 401, 403, 413, 415, 422, 429, 503), tags=["classify"], json=ClassifyRequest
)
def classify() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Scores per category and the flagged categories; ``{"results": [...]}`` for ``texts``. The
    limits come first (per key, then a place in the model queue) so that a refusal costs no parsing
    of the body; an admitted request waits for the model's next batch until its deadline.
    The ``X-Raqib-Model-Version`` header names the model version that scored."""
    classifier, version = get_served()
    if classifier is None:
        raise ModelUnavailable("no classifier is configured (RAQIB_MODEL_DIR)")
    config: Config = current_app.config["RAQIB"]
    limit = config.classify_limit
    if limit is not None:
        wait = get_store().hit_rate_limit(keys.api_key_rate(f"{g.key_id}:classify"), limit.limit, limit.window_s)
        if wait:
            raise RateLimited("too many classify requests for this API key", wait)
    with get_model_queue().admitted():
        body = json_body(ClassifyRequest)
        if body.text is not None:
            result: dict[str, Any] = score_queued(classifier, [body.text])[0]
        else:
            result = {"results": score_queued(classifier, body.texts or [])}
    return result, 200, {"X-Raqib-Model-Version": version}
