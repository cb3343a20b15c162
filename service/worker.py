"""``raqib worker``: background jobs — webhook delivery here, image analysis in image_worker.py.

Two loops share one process. *Fan-out* reads the partitioned event streams through the consumer
group ``delivery`` and creates one delivery per matching endpoint (idempotently), then
acknowledges the event; events a crashed worker read but never acknowledged are taken over after
``webhook_lease_s``. *Dispatch* hands each endpoint with due deliveries to a thread pool, one task
per endpoint at a time, so a slow or dead endpoint holds only its own slot. Every error is logged
and retried; the loops never stop on one.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import urllib3

from . import classifier
from .config import Config
from .dsa import worker as dsa_worker
from .events import signed_headers, webhook_body
from .images.analysis import ImageAnalyser, load_image_model
from .images.jobs import ImageWorker
from .logs import configure
from .metrics import DELIVERIES, DELIVERY_LAG
from .scorer import TextScorer
from .ssrf import UnsafeURL, pinned_request
from .store import Store, event_id
from .store.webhooks import Delivery, Subscription, partition_of_stream
from .versions import ModelHolder

log = logging.getLogger("raqib.worker")
CLAIM_BATCH = 20
RECLAIM_EVERY_S = 5.0
HEARTBEAT_S = 5.0  # how often a worker stamps its heartbeat in Redis
HEARTBEAT_STALE_S = 30.0  # `raqib worker --check` fails once the newest stamp is older than this


def _guarded(name: str, stop: threading.Event, step: Callable[[], Any], pause_s: float) -> None:
    """Run ``step`` until ``stop``; log and back off on errors instead of dying."""
    while not stop.is_set():
        try:
            step()
        except Exception:  # the worker must outlive any single failure
            log.exception("%s failed; retrying in %.1f s", name, pause_s)
            stop.wait(pause_s)


def _event_time(body: str) -> float:
    """The event's own time (seconds), from the body's ISO timestamp."""
    stamp = json.loads(body)["timestamp"].replace("Z", "+00:00")
    return datetime.fromisoformat(stamp).timestamp()


class DeliveryWorker:
    def __init__(self, store: Store, config: Config, consumer: str | None = None) -> None:
        self.store = store
        self.hooks = store.webhooks
        self.config = config
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.pool = ThreadPoolExecutor(max_workers=config.webhook_concurrency, thread_name_prefix="deliver")
        self.in_flight: set[str] = set()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.last_reclaim = 0.0

    # Fan-out
    def fan_out(self, block_ms: int = 1000) -> int:
        entries = self.hooks.read_events(self.consumer, count=200, block_ms=block_ms)
        if time.monotonic() - self.last_reclaim > RECLAIM_EVERY_S:
            self.last_reclaim = time.monotonic()
            entries += self.hooks.reclaim_events(self.consumer, int(self.config.webhook_lease_s * 1000))
        if not entries:
            return 0
        subscriptions = [s for s in self.hooks.all() if s.enabled]
        for stream, sid, fields in entries:
            ts = int(fields["ts"])
            eid = event_id(partition_of_stream(stream), sid)
            data = json.loads(fields["data"])
            body = webhook_body(fields["type"], ts, data, include_actor=self.config.webhook_include_actor)
            for sub in subscriptions:
                if sub.wants(fields["type"]) and sub.created_at <= ts:
                    self.hooks.enqueue(sub.id, eid, fields["type"], body, fields.get("rid", ""))
            self.hooks.ack(stream, sid)
        self.wake.set()
        return len(entries)

    # Dispatch
    def dispatch(self) -> int:
        """Start a task for every endpoint with due deliveries and none running here."""
        now = int(time.time() * 1000)
        started = 0
        for sub in self.hooks.all():
            with self.lock:
                if sub.id in self.in_flight or not sub.enabled:
                    continue
            if not self.hooks.has_due(sub.id, now):
                continue
            with self.lock:
                self.in_flight.add(sub.id)
            self.pool.submit(self._deliver_endpoint, sub.id)
            started += 1
        return started

    def _deliver_endpoint(self, webhook_id: str) -> None:
        try:
            lease_ms = int(self.config.webhook_lease_s * 1000)
            # a batch is sent one after another: it must fit in its lease even if every attempt times out
            batch_size = max(
                1, min(CLAIM_BATCH, int(self.config.webhook_lease_s / (1.5 * self.config.webhook_timeout_s)))
            )
            while not self.stop.is_set():
                sub = self.hooks.get(webhook_id)
                if sub is None or not sub.enabled:
                    return
                batch = self.hooks.claim(webhook_id, batch_size, lease_ms)
                if not batch:
                    break
                for delivery in batch:
                    self.attempt(sub, delivery)
            self.hooks.trim_log(webhook_id, self.config.webhook_log_keep)
        except Exception:
            log.exception("delivering to %s failed; its deliveries stay due", webhook_id)
        finally:
            with self.lock:
                self.in_flight.discard(webhook_id)
            self.wake.set()

    def attempt(self, sub: Subscription, delivery: Delivery) -> str:
        """One HTTP attempt; records the outcome and returns the delivery's new state."""
        now = time.time()
        body, delivery_id = delivery.body, delivery.id
        headers = signed_headers(sub.signing_secrets(int(now * 1000)), delivery.event_id, int(now), body)
        if delivery.request_id:
            headers["x-raqib-request-id"] = delivery.request_id
        status, error, outcome = 0, "", "retry"
        started = time.perf_counter()
        try:
            response = pinned_request(
                "POST",
                sub.url,
                allow_private=self.config.webhook_allow_private,
                timeout_s=self.config.webhook_timeout_s,
                headers=headers,
                body=body.encode(),
            )
            status = response.status
            response.drain_conn()
            response.release_conn()
            if 200 <= status < 300:
                outcome = "ok"
            elif status == 410:
                outcome = "gone"
            else:
                error = f"HTTP {status}"
        except UnsafeURL as err:
            error = str(err)
        except (urllib3.exceptions.HTTPError, OSError) as err:
            error = type(err).__name__ + ": " + str(err)[:300]
        latency = int((time.perf_counter() - started) * 1000)
        state = self.hooks.finish(sub.id, delivery_id, outcome, status, latency, error, self.config.retry_delays_ms)
        DELIVERIES.labels(state).inc()
        if state == "delivered":
            DELIVERY_LAG.observe(max(0.0, now - _event_time(body)))
        log.info(
            "delivery %s to %s: %s (%s, %d ms)",
            delivery_id,
            sub.id,
            state,
            status or error,
            latency,
            extra={"request_id": delivery.request_id or "-"},
        )
        return state

    # Running
    def _dispatch_loop(self) -> None:
        self.dispatch()
        self.wake.wait(0.25)
        self.wake.clear()

    def start(self) -> list[threading.Thread]:
        """Run both loops in daemon threads (``raqib serve``'s in-process worker, tests)."""
        self.hooks.ensure_groups()
        threads = [
            threading.Thread(target=_guarded, args=("fan-out", self.stop, self.fan_out, 1.0), daemon=True),
            threading.Thread(target=_guarded, args=("dispatch", self.stop, self._dispatch_loop, 1.0), daemon=True),
        ]
        for thread in threads:
            thread.start()
        return threads

    def close(self, threads: list[threading.Thread] | None = None) -> None:
        self.stop.set()
        self.wake.set()
        for thread in threads or []:
            thread.join(timeout=5)
        self.pool.shutdown(wait=True, cancel_futures=True)


def heartbeat(
    store: Store, consumer: str, threads: list[threading.Thread], stop: threading.Event, every_s: float = HEARTBEAT_S
) -> threading.Thread:
    """Stamp ``consumer`` in Redis every ``every_s`` while all of ``threads`` (the worker's loops) are
    alive; a worker with a dead loop stops beating and its container's health check fails."""

    def step() -> None:
        dead = [t.name for t in threads if not t.is_alive()]
        if dead:
            log.error("worker threads %s are not running: heartbeat withheld", dead)
        else:
            store.workers.beat(consumer)
        stop.wait(every_s)

    thread = threading.Thread(target=_guarded, args=("heartbeat", stop, step, every_s), name="heartbeat", daemon=True)
    thread.start()
    return thread


def check(config: Config, consumer: str | None = None, max_age_s: float = HEARTBEAT_STALE_S) -> int:
    """``raqib worker --check``: 0 when a worker of this host (or ``consumer``) beat within
    ``max_age_s``, else 1; one line on stdout says which. Without ``REDIS_URL``: the embedded Redis
    that ``raqib serve`` runs in the data directory."""
    if not config.redis_url:
        embedded = config.data_dir / "redis.sock"
        if not embedded.exists():
            print(f"unhealthy: set REDIS_URL (no embedded Redis at {embedded.resolve()})")
            return 1
        config = config.replace(redis_url=f"unix://{embedded.resolve()}")
    prefix = consumer if consumer is not None else f"{socket.gethostname()}-"
    try:
        store = Store.from_url(config.redis_url, cluster=config.cluster, partitions=config.partitions)
        try:
            ages = store.workers.ages_ms(prefix)
        finally:
            store.close()
    except Exception as err:  # Redis unreachable, a wrong URL: unhealthy either way
        print(f"unhealthy: cannot read heartbeats ({type(err).__name__}: {err})")
        return 1
    if consumer is not None:
        ages = {name: age for name, age in ages.items() if name == consumer}
    if not ages:
        print(f"unhealthy: no heartbeat from {consumer or prefix + '*'}")
        return 1
    name, age = min(ages.items(), key=lambda item: item[1])
    if age > max_age_s * 1000:
        print(f"unhealthy: {name} last beat {age / 1000:.1f} s ago (limit {max_age_s:g} s)")
        return 1
    print(f"healthy: {name} beat {age / 1000:.1f} s ago")
    return 0


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``raqib worker``: runs until SIGTERM or SIGINT."""
    config = Config.from_env()
    configure(config.log_level, config.log_format)
    classifier.lower_cpu_priority(config.model_nice)  # scoring and image batches use what requests leave
    if not config.redis_url:
        raise SystemExit("raqib worker: set REDIS_URL (or run `raqib serve`, which starts one worker itself)")
    store = Store.from_url(
        config.redis_url, cluster=config.cluster, partitions=config.partitions, events_maxlen=config.events_maxlen
    )
    worker = DeliveryWorker(store, config)
    threads = worker.start()
    text_model = classifier.load(config)
    holder = ModelHolder(store, text_model, config.model_check_s, config.model_threads)
    if text_model is not None:
        holder.watch()
    analyser = ImageAnalyser(config, holder.current, load_image_model(config))
    image_worker = ImageWorker(store, analyser, worker.consumer)
    image_thread = image_worker.start()
    scorer = TextScorer(store, holder, config, worker.consumer) if text_model else None
    scorer_thread = scorer.start() if scorer else None
    dsa_threads = dsa_worker.start(store, config, worker.consumer, worker.stop)
    loops = threads + dsa_threads + [image_thread] + ([scorer_thread] if scorer_thread else [])
    beat_thread = heartbeat(store, worker.consumer, loops, worker.stop)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    log.info(
        "worker %s delivering webhooks, analysing images (OCR: %s), scoring comments: %s",
        worker.consumer,
        analyser.ocr,
        scorer is not None,
    )
    done.wait()
    image_worker.stop.set()
    if scorer is not None:
        scorer.stop.set()
    worker.close(threads + dsa_threads + [beat_thread])
    try:
        store.workers.forget(worker.consumer)
    except Exception:  # Redis gone at shutdown: the stamp simply goes stale
        log.warning("could not remove the heartbeat of %s: it goes stale", worker.consumer)
    image_thread.join(timeout=30)
    if scorer_thread is not None:
        scorer_thread.join(timeout=30)


if __name__ == "__main__":
    main()
