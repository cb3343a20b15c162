"""``raqib serve``: gunicorn workers running the app, with an embedded Redis when none is given."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .auth import ensure_keys
from .config import Config
from .lifetime import die_with_parent, preexec_die_with_parent, watch_parent


class GunicornApp(BaseApplication):
    """Runs ``factory()`` in each worker after fork, so no Redis connection crosses a fork."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.factory()


MAX_DEFAULT_WORKERS = 8  # each worker holds its own classifier; containers often see every host core


def default_workers() -> int:
    """2 per core, from 2 to 8 (``--workers`` sets any number)."""
    return max(2, min(MAX_DEFAULT_WORKERS, 2 * (os.cpu_count() or 1)))


def start_worker(config: Config) -> subprocess.Popen[bytes]:
    """A ``raqib worker`` child process on the same Redis (a process, not a thread: gunicorn forks),
    stopped (SIGTERM) by Linux if this process dies without stopping it."""
    env = {**os.environ, "REDIS_URL": config.redis_url, "RAQIB_REDIS_URL": config.redis_url}
    command = [sys.executable, "-m", "raqib.service.worker"]
    return subprocess.Popen(command, env=env, preexec_fn=preexec_die_with_parent())


WEB_WORKER_GRACE_S = 10.0  # a web worker whose master died finishes its requests this long at most


def _post_fork(server: Any, worker: Any) -> None:
    """In each web worker: die with the master (gunicorn's arbiter), which may be killed with
    SIGKILL and so never stop its workers itself."""
    die_with_parent(server.pid)
    watch_parent(server.pid, WEB_WORKER_GRACE_S)


def metrics_dir() -> Path:
    """A fresh directory for prometheus_client's multiprocess mode, one per `raqib serve` (several
    may share a data directory). It must be set before any process imports prometheus_client, so
    before the app is imported or workers fork; the worker child process inherits it."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="raqib-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


def _worker_exited(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def handler_threads(threads: int, config: Config) -> int:
    """gunicorn threads per worker: ``threads`` for every request, plus one for each heavy model
    request the queue admits (they wait holding theirs; ``service/model_queue.py``), none without
    a model: more threads than requests to hold only add GIL contention."""
    return threads + (0 if config.model_dir.lower() == "off" else config.model_queue)


def serve(host: str, port: int, workers: int | None, threads: int = 2, *, with_worker: bool = True) -> None:
    config = Config.from_env()
    operator_dir = "PROMETHEUS_MULTIPROC_DIR" in os.environ
    metrics = metrics_dir()

    from .app import create_app
    from .store.embedded import EmbeddedRedis

    embedded = None
    if not config.redis_url:
        embedded = EmbeddedRedis(config.data_dir, fsync=config.redis_fsync).start()
        config = config.replace(redis_url=embedded.url)
        print(f"raqib: embedded Redis, data in {embedded.data_dir}", file=sys.stderr)
    if not config.api_keys:
        key_file = (config.data_dir / "api_keys").resolve()
        keys, created = ensure_keys(key_file)
        if created:
            print(f"raqib: created API keys (kept in {key_file}):", file=sys.stderr)
            for entry in keys.split(","):
                print(f"  {entry}", file=sys.stderr)
        print(
            f"raqib: API keys are in {key_file}; `raqib keys client` (or moderator, admin) prints one",
            file=sys.stderr,
        )
        config = config.replace(api_keys=keys)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "gthread",
        "threads": handler_threads(threads, config),
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": config.log_level.lower(),
        "control_socket_disable": True,
        "child_exit": _worker_exited,
        "post_fork": _post_fork,
    }
    worker = start_worker(config) if with_worker and config.inline_worker else None
    try:
        GunicornApp(lambda: create_app(config), options).run()
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        if embedded is not None:
            embedded.stop()
        if not operator_dir:
            shutil.rmtree(metrics, ignore_errors=True)
