"""The text classifier as a resource of the app. The model package (and torch) loads only here,
in ``create_app``, never at import time; views reach it through :func:`get_classifier`."""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, request

from .config import Config
from .metrics import CLASSIFIER_BATCH, CLASSIFIER_SECONDS
from .model_queue import ModelQueue
from .store import get_store

if TYPE_CHECKING:
    from raqib.models.inference import Classifier

    from .versions import ModelHolder

log = logging.getLogger(__name__)
EXTENSION = "raqib.classifier"


def load(config: Config) -> Classifier | None:
    """The configured classifier: ``model_dir``, else the bundled artifact if present; ``off``: none."""
    from raqib.models.paths import BUNDLED

    if config.model_dir.lower() == "off":
        return None
    path = Path(config.model_dir) if config.model_dir else BUNDLED
    if not config.model_dir and not (path / "config.json").exists():
        log.warning("no bundled model at %s: reports are counted without scores", path)
        return None
    from raqib.models.inference import load_classifier  # torch loads here, only when a model is used

    classifier = load_classifier(path, threads=config.model_threads)
    log.info("classifier loaded from %s", path)
    return classifier


QUEUE = "raqib.model_queue"


def lower_cpu_priority(nice: int, *, this_thread: bool = False) -> None:
    """Lower the CPU priority by ``nice`` steps: of this process, or on Linux of the calling thread
    only (a thread has its own nice value there). A lowered priority cannot be raised back without
    privileges, so it is for processes and threads that only do work that can wait."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        if this_thread and sys.platform == "linux":
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        elif not this_thread:
            os.nice(nice)
    except OSError as err:  # a sandbox that forbids it: the work runs, at the usual priority
        log.warning("could not lower the CPU priority by %d: %s", nice, err)


def init_app(app: Flask, holder: ModelHolder, config: Config) -> None:
    app.extensions[EXTENSION] = holder
    with app.app_context():
        store = get_store()
    app.extensions[QUEUE] = ModelQueue(
        predict,
        bound=config.model_queue,
        deadline_s=config.model_deadline_ms / 1000,
        host_slot=lambda token, limit: store.model_slot(HOST, token, limit),
        host_limit=config.host_slots,
        on_start=partial(lower_cpu_priority, config.model_nice, this_thread=True),
    )


HOST = socket.gethostname()
MAX_CLIENT_TIMEOUT_S = 60.0


def get_model_queue() -> ModelQueue:
    """This process's queue of heavy model work (``service/model_queue.py``)."""
    queue: ModelQueue = current_app.extensions[QUEUE]
    return queue


def client_timeout_s() -> float | None:
    """The client's own deadline, from Google's ``X-Server-Timeout`` header (seconds), if sent."""
    raw = request.headers.get("X-Server-Timeout")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return min(max(value, 0.0), MAX_CLIENT_TIMEOUT_S) if value == value else None  # NaN: ignored


def get_classifier() -> Classifier | None:
    """The classifier of the active version (switched without a restart; see ``versions.py``)."""
    holder: ModelHolder | None = current_app.extensions.get(EXTENSION)
    return holder.current() if holder is not None else None


def get_served() -> tuple[Classifier | None, str]:
    """The active classifier and its version's name, read together (for answers that name it)."""
    holder: ModelHolder | None = current_app.extensions.get(EXTENSION)
    return holder.current_pair() if holder is not None else (None, "")


def shadow_version() -> str | None:
    """The candidate the worker scores new comments with in shadow, if any."""
    holder: ModelHolder | None = current_app.extensions.get(EXTENSION)
    if holder is None:
        return None
    holder.current()  # reads the shadow's name with the active version's
    return holder.shadow_name


def model_version() -> str:
    """The name of the version ``get_classifier`` serves (``default``: the one configured at start)."""
    holder: ModelHolder | None = current_app.extensions.get(EXTENSION)
    return holder.version if holder is not None else ""


def score_queued(classifier: Classifier, texts: list[str]) -> list[dict[str, Any]]:
    """``predict`` for a heavy route, admitted already (``get_model_queue().admitted()``): scored
    with whatever else waits, on this process's model thread, before the request's deadline."""
    return get_model_queue().score(classifier, texts, client_timeout_s())


def predict(classifier: Classifier, texts: list[str]) -> list[dict[str, Any]]:
    """``classifier.predict`` with its latency and batch size recorded."""
    started = time.perf_counter()
    results = classifier.predict(texts)
    CLASSIFIER_SECONDS.observe(time.perf_counter() - started)
    CLASSIFIER_BATCH.observe(len(texts))
    return results
