"""The worker's text scoring: comments whose first text came with a report wait here for the
classifier instead of holding the request. Jobs are read in batches (up to ``BATCH``; the
classifier groups them by length), scored in one call, and each item's scores stored by one script
that applies the score's threshold rule at that moment — hiding the item if its reports already
suffice, with ``item.flagged`` for the flagged categories. A job a crashed worker left is taken
over after ``LEASE_MS``; a retried job changes nothing (``scored_at``)."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING

from .config import Config
from .policy import threshold_for
from .store import Store
from .versions import load_version

if TYPE_CHECKING:
    from .versions import ModelHolder

log = logging.getLogger(__name__)
BATCH = 64  # comments per classifier call (bench/classifier.py: batches this size reach full speed)
LEASE_MS = 60_000
RECLAIM_EVERY_S = 15.0


class TextScorer:
    def __init__(self, store: Store, model: ModelHolder, config: Config, consumer: str) -> None:
        self.store, self.model, self.config, self.consumer = store, model, config, consumer
        self.jobs = store.scoring
        self.stop = threading.Event()
        self.last_reclaim = 0.0
        self.jobs.ensure_group()

    def run_once(self, block_ms: int | None = 1000) -> int:
        """Score one batch; returns how many jobs it took."""
        jobs = self.jobs.read_jobs(self.consumer, BATCH, block_ms)
        if time.monotonic() - self.last_reclaim > RECLAIM_EVERY_S:
            self.last_reclaim = time.monotonic()
            jobs += self.jobs.reclaim_jobs(self.consumer, LEASE_MS, BATCH)
        if not jobs:
            return 0
        ids = [item_id for _, item_id in jobs]
        self.score_in_shadow(ids)
        texts = self.jobs.texts(ids)
        todo = [(item_id, text) for item_id, text in zip(ids, texts, strict=True) if text is not None]
        classifier, version = self.model.current_pair()
        if classifier is None:
            return 0  # no model: the jobs wait (unacknowledged) for one
        results = classifier.predict([text for _, text in todo]) if todo else []
        now = self.store.now_ms()
        for (item_id, _), result in zip(todo, results, strict=True):
            scores = result["scores"]
            threshold = threshold_for(self.config, "comment", scores)
            fields = {
                "scores": json.dumps(scores),
                "offensive": str(scores.get("offensive", 0.0)),
                "scored_at": str(now),
                "model_version": version,
            }
            settings = {
                "threshold": threshold.reports,
                "rule": threshold.rule,
                "flagged": result["flagged"],
                "min_reporters": self.config.min_reporters,
                "weighted": self.config.trust_weighting,
                "once": "scored_at",
                "signal": "classifier",
            }
            self.jobs.landed(item_id, fields, settings)
        self.jobs.ack([job_id for job_id, _ in jobs])
        return len(jobs)

    def score_in_shadow(self, item_ids: list[str]) -> None:
        """With a candidate in shadow, score these comments with it too and keep its scores beside
        the active model's (``shadow_scores``), for ``GET /v1/models/<version>/shadow``."""
        self.model.current()  # reads the shadow's name with the active version's
        name = self.model.shadow_name
        if not name:
            return
        if self.model.shadow_model is None:
            try:
                self.model.shadow_model = load_version(self.store, name, self.config.model_threads)
            except Exception:
                log.exception("could not load shadow version %s", name)
                return
        texts = self.jobs.shadow_texts(item_ids, name)
        todo = [(item_id, text) for item_id, text in zip(item_ids, texts, strict=True) if text is not None]
        if not todo:
            return
        results = self.model.shadow_model.predict([text for _, text in todo])
        for (item_id, _), result in zip(todo, results, strict=True):
            self.jobs.keep_shadow(item_id, name, result["scores"])
            self.store.models.shadowed(name, item_id)

    def run(self) -> None:
        """Loop until ``stop``; log and back off on errors instead of dying."""
        while not self.stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("text scoring failed; retrying in 1 s")
                self.stop.wait(1.0)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="text-scorer", daemon=True)
        thread.start()
        return thread
