"""Loads each ``lua/<name>.lua`` file once (with the ``lua/<lib>.lib.lua`` function libraries it
uses in front) and registers it with a Redis client (EVALSHA, reloaded after a server restart)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from redis.commands.core import Script

SCRIPTS = (
    "report",
    "reporter_touch",
    "rate_limit",
    "claim",
    "decide",
    "trust_update",
    "enqueue_delivery",
    "claim_deliveries",
    "finish_attempt",
    "image_analysed",
    "image_upload",
    "bank_applied",
)
# Libraries of Lua functions, prepended to the scripts that call them.
LIBRARIES = {"report": ("reporter", "item"), "reporter_touch": ("reporter",), "image_analysed": ("item",)}


@cache
def _read(filename: str) -> str:
    return files("service.store").joinpath("lua", filename).read_text(encoding="utf-8")


def source(name: str) -> str:
    """The script's text, with the libraries it uses in front."""
    libraries = [_read(f"{lib}.lib.lua") for lib in LIBRARIES.get(name, ())]
    return "\n".join([*libraries, _read(f"{name}.lua")])


def register(client: Any) -> dict[str, Script]:
    return {name: client.register_script(source(name)) for name in SCRIPTS}
