"""The worker's image jobs: for each reported image, decode it (fetching it first when it came as
a URL from an allowed host), hash it, read its text, score it, look it up in the bank of removed
images, and store the result, which may hide the item at once. Jobs come from a Redis stream
through the consumer group ``analyse``; a job a crashed worker left is taken over after
``image_job_lease_s``; a bad image is recorded on the item, never retried. The worker also carries
out bank changes that a decision owes when the request that made it died before doing so."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from ..metrics import IMAGE_JOBS
from ..moderation.active import active_policy
from ..moderation.policy import STRENGTH, Facts, Submission, evaluate
from ..store import Store
from . import media
from .analysis import ImageAnalyser

log = logging.getLogger("raqib.worker.images")
RECLAIM_EVERY_S = 10.0
BANK_RETRY_AFTER_MS = 30_000  # a request applies its decision's bank change within milliseconds


class ImageWorker:
    def __init__(self, store: Store, analyser: ImageAnalyser, consumer: str | None = None) -> None:
        self.store = store
        self.images = store.images
        self.analyser = analyser
        self.config = analyser.config
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.stop = threading.Event()
        self.last_reclaim = 0.0

    def run_once(self, block_ms: int | None = 1000) -> int:
        """Take and finish a batch of jobs; returns how many."""
        jobs = self.images.read_jobs(self.consumer, count=4, block_ms=block_ms)
        if time.monotonic() - self.last_reclaim > RECLAIM_EVERY_S:
            self.last_reclaim = time.monotonic()
            jobs += self.images.reclaim_jobs(self.consumer, int(self.config.image_job_lease_s * 1000))
            self.retry_bank_changes()
            self.retry_author_updates()
        for job_id, item_id in jobs:
            outcome = self.process(item_id)
            IMAGE_JOBS.labels(outcome).inc()
            self.images.ack(job_id)
        return len(jobs)

    def retry_author_updates(self, older_than_ms: int = BANK_RETRY_AFTER_MS) -> int:
        """Carry out author updates (strikes, counts) that items owe and no request finished;
        returns how many items were settled."""
        done = 0
        for item_id in self.store.authors.pending(older_than_ms):
            if self.store.authors.settle(item_id, self.config.strike_ms) == 0:
                log.info("author updates of %s applied by the worker", item_id)
                done += 1
        return done

    def retry_bank_changes(self, older_than_ms: int = BANK_RETRY_AFTER_MS) -> int:
        """Carry out bank changes that decisions owe and no request finished (it died between the
        decision and the bank); returns how many were marked done."""
        done = 0
        for item_id in self.store.banks.pending(older_than_ms):
            if self.store.banks.apply(item_id, self.config.pdq_min_quality):
                log.info("bank change for %s applied by the worker", item_id)
                done += 1
        return done

    def process(self, item_id: str) -> str:
        """Analyse one item's image; returns the outcome (for metrics and logs)."""
        data, url = self.images.upload(item_id)
        if data is None and url:
            try:
                data = media.fetch(
                    url,
                    self.config.fetch_hosts,
                    self.analyser.limits,
                    self.config.image_fetch_timeout_s,
                    self.config.webhook_allow_private,
                )
            except media.FetchRefused as err:
                self._record(item_id, {"image_error": f"not fetched: {err}"})
                return "not_fetched"
        if data is None:
            return "nothing"
        try:
            analysis = self.analyser.analyse(data)
        except media.ImageRejected as err:
            self._record(item_id, {"image_error": str(err)})
            self.images.finish(item_id, None, [])
            self.store.banks.apply(item_id, self.config.pdq_min_quality)  # nothing to bank: settled
            return "rejected"
        match = self.analyser.match(analysis.pdq, self.images.bank_hashes())
        fields, settings = analysis.item_fields(self.store.now_ms()), self.analyser.settings(analysis, match)
        result = self.images.landed(item_id, fields, settings)
        self.images.finish(item_id, analysis.preview, analysis.variants)  # after: a retry finds the upload
        if result is not None and result[0] == "removed":  # removed before it was hashed: bank it now
            self.store.banks.apply(item_id, self.config.pdq_min_quality)
        if result is not None and result[0] == "visible":
            self.apply_policy(item_id, analysis.scores, analysis.text)
        log.info(
            "image of %s analysed: pdq quality %d, match %s, hidden now %s",
            item_id,
            analysis.pdq.quality,
            match,
            result and result[1],
        )
        return "matched" if match else "analysed"

    def apply_policy(self, item_id: str, scores: dict[str, float] | None, text: str | None) -> str | None:
        """A submitted image was published before its scores were known: now they are, the policy
        may hold or reject it (announced like any hold). Returns the decision it applied, if any."""
        record = self.store.get_item(item_id)
        if record is None or "submitted_at" not in record.fields or scores is None:
            return None
        _, policy, _ = active_policy(self.store.moderation)
        submission = Submission("image", text or "", record.fields.get("section"))
        verdict = evaluate(policy, submission, Facts(scores=scores))
        if STRENGTH[verdict.decision] < STRENGTH["hold"]:
            return None
        settings = {
            "decision": verdict.decision,
            "reasons": verdict.reasons,
            "rules": [{"rule": m.rule, "shadow": m.shadow} for m in verdict.matches],
            "request_id": "",
            "source": "image_analysis",
        }
        outcome = self.store.moderation.submit(item_id, "image", {}, settings)
        log.info("submitted image %s: %s once analysed", item_id, outcome.status)
        return verdict.decision

    def _record(self, item_id: str, fields: dict[str, str]) -> None:
        fields["analysed_at"] = str(self.store.now_ms())
        self.images.landed(item_id, fields, {})

    def run(self) -> None:
        """Loop until ``stop``; log and back off on errors instead of dying."""
        self.images.ensure_group()
        while not self.stop.is_set():
            try:
                self.run_once()
            except Exception:  # the worker must outlive any single failure
                log.exception("image jobs failed; retrying in 1 s")
                self.stop.wait(1.0)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="images", daemon=True)
        thread.start()
        return thread
