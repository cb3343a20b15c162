"""The text classifier as a resource of the app. The model package (and torch) loads only here,
in ``create_app``, never at import time; views reach it through :func:`get_classifier`."""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from .config import Config
from .errors import ModelBusy
from .metrics import CLASSIFIER_BATCH, CLASSIFIER_SECONDS
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


SLOTS = "raqib.model_slots"
THREADS = "raqib.model_threads"


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


def init_app(app: Flask, holder: ModelHolder, slots: int = 1, nice: int = 0) -> None:
    app.extensions[EXTENSION] = holder
    app.extensions[SLOTS] = threading.BoundedSemaphore(slots)
    # The heavy routes' model work runs on threads of their own, below the reports' CPU priority.
    lower = partial(lower_cpu_priority, nice, this_thread=True)
    app.extensions[THREADS] = ThreadPoolExecutor(slots, "model", initializer=lower)


HOST = socket.gethostname()


@contextmanager
def model_slot() -> Iterator[None]:
    """A slot of model work for a heavy route (``/v1/classify``, Perspective's analyze): one of
    this process's (``RAQIB_MODEL_SLOTS``), then one of this machine's, all processes together
    (``RAQIB_MODEL_HOST_SLOTS``, a Redis lease). Taken at once or refused with :class:`ModelBusy`:
    a flood of heavy calls holds neither every worker thread nor every core, and reports go on."""
    slots: threading.BoundedSemaphore = current_app.extensions[SLOTS]
    if not slots.acquire(blocking=False):
        raise ModelBusy("the model is busy with other requests of this process; retry in a second")
    store, token = get_store(), uuid.uuid4().hex
    try:
        if not store.model_slot(HOST, token, current_app.config["RAQIB"].host_slots):
            raise ModelBusy("the model is busy with other requests on this machine; retry in a second")
        try:
            yield
        finally:
            store.model_slot(HOST, token, 0)
    finally:
        slots.release()


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


def predict_in_slot(classifier: Classifier, texts: list[str]) -> list[dict[str, Any]]:
    """``predict`` for a heavy route, inside its :func:`model_slot`: run on this process's model
    thread, whose CPU priority is ``RAQIB_MODEL_NICE`` below the requests', so that a flood of
    heavy calls uses what reports leave of the cores instead of slowing them."""
    pool: ThreadPoolExecutor = current_app.extensions[THREADS]
    return pool.submit(predict, classifier, texts).result()


def predict(classifier: Classifier, texts: list[str]) -> list[dict[str, Any]]:
    """``classifier.predict`` with its latency and batch size recorded."""
    started = time.perf_counter()
    results = classifier.predict(texts)
    CLASSIFIER_SECONDS.observe(time.perf_counter() - started)
    CLASSIFIER_BATCH.observe(len(texts))
    return results
