"""The heavy routes' model work (``/v1/classify``, Perspective's ``comments:analyze``): a bounded
queue per process, drained by one model thread that scores every waiting request's texts as one
batch.

A burst of comments (ten posted under a viral article, each a Perspective call from Coral) waits
for the model instead of being refused: a request is admitted if fewer than ``RAQIB_MODEL_QUEUE``
heavy requests of this process are admitted already and the texts already waiting can be scored
within its deadline (``RAQIB_MODEL_DEADLINE_MS``, 800 ms by default like Coral's own timeout, or the
client's ``X-Server-Timeout`` when shorter), at the pace the model thread measured. Past the bound,
past that estimate, or past the deadline before its batch started, it is refused with a 503 and
``Retry-After``. Admission is decided before the body is read, so a flood costs little, and an
admitted request holds one handler thread at most while it waits: the server runs more threads
than the queue admits (``service/serve.py``), so reports always find one. A batch holds at most
what the model scores in half a deadline, so that one flood's batch cannot outlast the requests
queued behind it.

The model thread runs ``RAQIB_MODEL_NICE`` below the requests' CPU priority, and takes one of the
machine's slots (``RAQIB_MODEL_HOST_SLOTS``, a Redis lease) for each batch, so that several
processes share the cores instead of each running a batch on all of them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ModelBusy

if TYPE_CHECKING:
    from raqib.models.inference import Classifier

log = logging.getLogger(__name__)
MAX_BATCH_TEXTS = 256  # texts scored together at most; a larger wait is split over batches
HOST_SLOT_POLL_S = 0.003
Predict = Callable[["Classifier", list[str]], list[dict[str, Any]]]
HostSlot = Callable[[str, int], bool]  # (token, limit; 0 gives it back) -> taken


@dataclass
class _Job:
    classifier: Classifier
    texts: list[str]
    deadline: float
    done: Future[list[dict[str, Any]]] = field(default_factory=Future)


class ModelQueue:
    """Admission (:meth:`admitted`), then :meth:`score` waits for the batch that scores the texts."""

    def __init__(
        self,
        predict: Predict,
        *,
        bound: int,
        deadline_s: float,
        host_slot: HostSlot | None = None,
        host_limit: int = 0,
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self.predict, self.bound, self.deadline_s = predict, bound, deadline_s
        self.host_slot, self.host_limit, self.on_start = host_slot, host_limit, on_start
        self._cond = threading.Condition()
        self._jobs: list[_Job] = []
        self._admitted = 0
        self._pending_texts = 0  # queued or being scored
        self.seconds_per_text = 0.0  # measured on this process's batches (moving average)
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.batches = 0  # how many batches ran: tests read it to see batching happen

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold one of the queue's places for this request, or raise :class:`ModelBusy` at once."""
        with self._cond:
            if self._admitted >= self.bound:
                raise ModelBusy(f"the model queue of this process is full ({self.bound} requests); retry in a second")
            if self._pending_texts * self.seconds_per_text > self.deadline_s:
                raise ModelBusy("the texts waiting for the model would outlast this request's deadline; retry later")
            self._admitted += 1
        try:
            yield
        finally:
            with self._cond:
                self._admitted -= 1

    def score(self, classifier: Classifier, texts: list[str], timeout_s: float | None = None) -> list[dict[str, Any]]:
        """The texts' results, scored in the next batch; :class:`ModelBusy` if that batch has not
        started by the deadline (``timeout_s`` from now, at most the queue's own)."""
        wait = self.deadline_s if timeout_s is None else max(0.0, min(timeout_s, self.deadline_s))
        job = _Job(classifier, texts, time.monotonic() + wait)
        with self._cond:
            self._ensure_thread()
            self._jobs.append(job)
            self._pending_texts += len(texts)
            self._cond.notify()
        try:
            return job.done.result()
        finally:
            with self._cond:
                self._pending_texts -= len(texts)

    def _ensure_thread(self) -> None:
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._pid = os.getpid()  # a forked process starts its own thread
            self._thread = threading.Thread(target=self._run, name="model-queue", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        if self.on_start is not None:
            self.on_start()
        while True:
            with self._cond:
                while not self._jobs:
                    self._cond.wait()
                batch = self._take()
            if batch:
                self._score(batch)

    def _take(self) -> list[_Job]:
        """Every waiting job of the first job's classifier, up to ``MAX_BATCH_TEXTS`` texts;
        jobs already past their deadline are refused here."""
        now, texts = time.monotonic(), 0
        batch: list[_Job] = []
        rest: list[_Job] = []
        most = MAX_BATCH_TEXTS
        if self.seconds_per_text > 0:
            most = max(1, min(most, int(self.deadline_s / 2 / self.seconds_per_text)))
        for job in self._jobs:
            if job.deadline <= now:
                job.done.set_exception(ModelBusy("the model could not start this request before its deadline"))
            elif not batch or (job.classifier is batch[0].classifier and texts + len(job.texts) <= most):
                batch.append(job)
                texts += len(job.texts)
            else:
                rest.append(job)
        self._jobs = rest
        return batch

    def _score(self, batch: list[_Job]) -> None:
        token = uuid.uuid4().hex
        try:
            if not self._host_slot(token, min(job.deadline for job in batch)):
                for job in batch:
                    job.done.set_exception(ModelBusy("the model is busy with other processes on this machine"))
                return
            try:
                texts = [text for job in batch for text in job.texts]
                started = time.perf_counter()
                results = self.predict(batch[0].classifier, texts)
                pace = (time.perf_counter() - started) / max(1, len(texts))
                with self._cond:  # admission reads it under the same lock
                    previous = self.seconds_per_text
                    self.seconds_per_text = pace if not previous else 0.7 * previous + 0.3 * pace
            finally:
                if self.host_slot is not None:
                    self.host_slot(token, 0)
        except Exception as err:  # the request fails with it; the thread goes on
            log.exception("model batch failed")
            for job in batch:
                if not job.done.done():
                    job.done.set_exception(err)
            return
        self.batches += 1
        start = 0
        for job in batch:
            job.done.set_result(results[start : start + len(job.texts)])
            start += len(job.texts)

    def _host_slot(self, token: str, deadline: float) -> bool:
        """One of the machine's slots for this batch, polled until the batch's earliest deadline."""
        if self.host_slot is None:
            return True
        while True:
            try:
                if self.host_slot(token, self.host_limit):
                    return True
            except Exception:  # Redis unreachable: score anyway rather than fail every request
                log.warning("could not take a machine model slot; scoring without one", exc_info=True)
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(HOST_SLOT_POLL_S)
