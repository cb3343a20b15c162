"""Loads each ``lua/<name>.lua`` file once and registers it with a Redis client (EVALSHA with a
transparent reload after a server restart)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from redis.commands.core import Script

SCRIPTS = ("report", "rate_limit", "enqueue_delivery", "claim_deliveries", "finish_attempt")


@cache
def source(name: str) -> str:
    return files("service.store").joinpath("lua", f"{name}.lua").read_text(encoding="utf-8")


def register(client: Any) -> dict[str, Script]:
    return {name: client.register_script(source(name)) for name in SCRIPTS}
