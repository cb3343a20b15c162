"""Classifier versions: registering a directory (checked loadable, checksummed), and the holder
through which a process serves the active version, switching without a restart.

Every ``RAQIB_MODEL_CHECK_S`` (2 s), busy or idle, a watcher thread of each process (web and worker)
reads the active version's name (one small Redis read); when it changed, the new version loads in
a background thread while requests go on with the old one, then the holder swaps its reference
atomically. Requests in flight keep the model they started with; the old one is freed once none
holds it. (Checking only when a request came meant that an idle process scored its first comment
after an activation, or a rollback, with the old model.)"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import logging
import os
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .store import Store

if TYPE_CHECKING:
    from raqib.models.inference import Classifier
    from raqib.models.thresholds import Thresholds

log = logging.getLogger(__name__)
DEFAULT_VERSION = "default"  # the model configured at start (RAQIB_MODEL_DIR or the bundled one)


class InvalidModel(ValueError):
    """The directory is not a loadable classifier; the message says why."""


def checksum(path: Path) -> str:
    """``sha256:`` of the directory's files, names and contents, in name order."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return "sha256:" + digest.hexdigest()


def inspect(path: Path, threads: int) -> dict[str, Any]:
    """What a registry entry records of a directory: its checksum and card summary; raises
    :class:`InvalidModel` unless it loads and scores a text."""
    from raqib.models.inference import load_classifier, read_meta

    if not path.is_absolute() or not path.is_dir():
        raise InvalidModel(f"{path} is not an absolute path to a directory on this machine")
    try:
        model = load_classifier(path, threads=threads)
        [result] = model.predict(["نص للتحقق"])
    except Exception as err:  # any failure to load or score means: not a classifier
        raise InvalidModel(f"{path} does not load as a classifier: {type(err).__name__}: {err}") from None
    meta = read_meta(path)
    return {
        "path": str(path),
        "checksum": checksum(path),
        "backend": model.backend,
        "categories": list(result["scores"]),
        "thresholds": model.thresholds,
        "language_thresholds": model.decisions.by_language,
        "dev_macro_f1": {c: v.get("overall") for c, v in meta.get("dev_macro_f1", {}).items()},
    }


def load_version(store: Store, version: str, threads: int) -> Classifier:
    from raqib.models.inference import load_classifier

    record = store.models.get(version)
    if record is None:
        raise InvalidModel(f"version {version!r} is not registered")
    return load_classifier(record["path"], threads=threads)


RELEASE_AFTER_S = 1.0


def give_back_memory() -> None:
    """Collect the old model and hand the freed heap back to the system: glibc keeps freed memory
    in its arenas otherwise, and each switch would leave a process a model's worth bigger."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class ModelHolder:
    """The classifier this process serves now (``current()``) and its version's name."""

    def __init__(self, store: Store, initial: Classifier | None, check_s: float, threads: int) -> None:
        self.store, self.check_s, self.threads = store, check_s, threads
        self.served: tuple[Classifier | None, str] = (initial, DEFAULT_VERSION)  # swapped as one reference
        self.shadow_name: str | None = None  # a candidate scored in shadow by the worker
        self.shadow_model: Classifier | None = None
        self._checked = time.monotonic()
        self._loading: str | None = None
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._unreachable = False
        self._fork_hook = False

    @property
    def model(self) -> Classifier | None:
        return self.served[0]

    @property
    def version(self) -> str:
        return self.served[1]

    def current(self) -> Classifier | None:
        return self.current_pair()[0]

    def current_pair(self) -> tuple[Classifier | None, str]:
        """The model served now and its version's name, read together: never one of each. Without
        a watcher (:meth:`watch`), the check happens here, on use."""
        if self._watcher is None and time.monotonic() - self._checked >= self.check_s:
            self._checked = time.monotonic()
            self._check()
        return self.served

    def watch(self) -> None:
        """Follow activations every ``check_s`` from a daemon thread, whether or not the process is
        used; a process forked after this (gunicorn's preload) starts its own. The thread holds
        the holder weakly and ends with it."""
        if self.check_s <= 0:
            return
        self._watcher = _start_watcher(self)
        if not self._fork_hook:
            self._fork_hook = True
            ref = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: _rewatch(ref))

    def _check(self) -> None:
        try:
            active, _ = self.store.models.active()
            shadow = self.store.models.shadow()
        except Exception as err:  # the store unreachable: keep serving the model in hand
            if not self._unreachable:  # said once per outage, not every check_s
                log.warning("could not read the active model version: %s", err)
            self._unreachable = True
            return
        self._unreachable = False
        if shadow != self.shadow_name:
            self.shadow_name, self.shadow_model = shadow, None  # loaded where it is used: the worker
        if not active or active == self.version:
            return
        with self._lock:
            if self._loading == active:
                return
            self._loading = active
        threading.Thread(target=self._load, args=(active,), name=f"load-{active}", daemon=True).start()

    def _load(self, version: str) -> None:
        from raqib.models.inference import load_classifier

        try:
            record = self.store.models.get(version)
            if record is None:
                raise InvalidModel(f"version {version!r} is not registered")
            model = load_classifier(record["path"], threads=self.threads)
        except Exception:
            log.exception("could not load model version %s; keeping %s", version, self.version)
        else:
            self.served = (model, version)  # one reference: readers see the old pair or the new one
            del model
            log.info("now serving model version %s", version)
            time.sleep(RELEASE_AFTER_S)  # requests in flight finish with the old model, then it goes
            give_back_memory()
        finally:
            with self._lock:
                self._loading = None


def _start_watcher(holder: ModelHolder) -> threading.Thread:
    ref, every = weakref.ref(holder), holder.check_s

    def loop() -> None:
        while True:
            time.sleep(every)
            watched = ref()
            if watched is None or watched._watcher is not threading.current_thread():
                return
            watched._checked = time.monotonic()
            watched._check()
            del watched

    thread = threading.Thread(target=loop, name="model-watch", daemon=True)
    thread.start()
    return thread


def _rewatch(ref: weakref.ref[ModelHolder]) -> None:
    holder = ref()
    if holder is not None and holder._watcher is not None:
        holder._watcher = _start_watcher(holder)  # the parent's thread did not survive the fork


def compare(rows: list[dict[str, Any]], active: Thresholds, shadow: Thresholds) -> dict[str, Any]:
    """How a shadow version compares with the active one over ``rows`` (``scores``,
    ``shadow_scores``, ``language``, ``labels``: a moderator's labels where decided), per category:
    how often both flag alike, each at its threshold for the comment's language, and each model's
    precision and recall on the decided items. Pure."""
    out: dict[str, Any] = {"items": len(rows), "decided": sum(1 for r in rows if r["labels"]), "categories": {}}
    for category in sorted(set(active.default) & set(shadow.default)):
        scored = [r for r in rows if category in r["scores"] and category in r["shadow_scores"]]
        if not scored:
            continue
        flags = [
            (
                r["scores"][category] >= active.for_language(r["language"])[category],
                r["shadow_scores"][category] >= shadow.for_language(r["language"])[category],
            )
            for r in scored
        ]
        row: dict[str, Any] = {"agreement": round(sum(a == s for a, s in flags) / len(flags), 3)}
        labelled = [(f, r["labels"][category]) for f, r in zip(flags, scored, strict=True) if category in r["labels"]]
        for which, index in (("active", 0), ("shadow", 1)):
            tp = sum(1 for f, y in labelled if f[index] and y == 1)
            fp = sum(1 for f, y in labelled if f[index] and y == 0)
            fn = sum(1 for f, y in labelled if not f[index] and y == 1)
            row[which] = {
                "precision": round(tp / (tp + fp), 3) if tp + fp else None,
                "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            }
        row["labelled"] = len(labelled)
        out["categories"][category] = row
    return out
