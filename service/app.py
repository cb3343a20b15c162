"""The application factory. Everything heavy (Redis, later the model) is built here, not at import."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request

from . import api, classifier, errors, logs, metrics, report_lane, ui
from . import store as store_module
from .config import Config, ConfigError
from .errors import UnsupportedMediaType
from .images import analysis as image_analysis
from .versions import ModelHolder

BODY_TYPES = ("application/json", "multipart/form-data")


# Word lists hold up to 50,000 entries: their JSON may be larger than other bodies (up to 8 MiB).
LARGE_JSON_ROUTES = ("/v1/wordlists/",)
LARGE_JSON_BYTES = 8 * 1024 * 1024


def _check_body(json_cap: int, body_cap: int) -> None:
    """Before any view: bodies must be JSON (within the JSON size cap) or multipart."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    if not has_body:
        return
    if request.mimetype not in BODY_TYPES:
        raise UnsupportedMediaType("send the body as application/json (or multipart/form-data for an image)")
    if request.is_json:
        large = request.path.startswith(LARGE_JSON_ROUTES)
        request.max_content_length = min(body_cap, max(json_cap, LARGE_JSON_BYTES)) if large else json_cap


def create_app(config: Config | Mapping[str, Any] | None = None, *, store: store_module.Store | None = None) -> Flask:
    """Build the service. ``config`` is a :class:`Config`, a mapping of its fields (tests), or
    ``None`` to read ``RAQIB_*`` from the environment. ``store`` overrides the one built from
    ``config.redis_url``."""
    if config is None:
        config = Config.from_env()
    elif not isinstance(config, Config):
        config = Config.from_mapping(config)
    logs.configure(config.log_level, config.log_format)

    app = Flask("raqib", root_path=str(Path(__file__).parent))
    app.config["RAQIB"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    if store is None:
        if not config.redis_url:
            raise ConfigError("RAQIB_REDIS_URL is empty: `raqib serve` starts an embedded Redis, or set REDIS_URL")
        store = store_module.Store.from_url(
            config.redis_url, cluster=config.cluster, partitions=config.partitions, events_maxlen=config.events_maxlen
        )
    logs.init_app(app)
    metrics.init_app(app)
    store_module.init_app(app, store)
    text_model = classifier.load(config)
    holder = ModelHolder(store, text_model, config.model_check_s, config.model_threads)
    if text_model is not None:
        holder.watch()
    classifier.init_app(app, holder, config)
    image_analysis.init_app(
        app, image_analysis.ImageAnalyser(config, holder.current, image_analysis.load_image_model(config))
    )
    errors.init_app(app)

    @app.before_request
    def check_body() -> None:
        _check_body(config.max_json_bytes, config.max_body_bytes)

    from .blueprints import (
        authors,
        classify,
        health,
        images,
        items,
        models,
        notices,
        perspective,
        policy,
        reports,
        review,
        submissions,
        texts,
        transparency,
        webhooks,
    )

    blueprints = (
        health,
        reports,
        submissions,
        items,
        classify,
        review,
        webhooks,
        images,
        texts,
        policy,
        authors,
        models,
        perspective,
        notices,
        transparency,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)
    api.init_app(app)
    ui.init_app(app)
    report_lane.init_app(app)
    return app
