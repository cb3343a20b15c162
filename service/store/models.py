"""The registry of classifier versions: each version's directory, checksum and card summary, the
active one and the one before it (a rollback is one activation away)."""

from __future__ import annotations

import json
from typing import Any

from .keys import MODELS, MODELS_ACTIVE, shadow_items


class ModelRegistry:
    def __init__(self, client: Any) -> None:
        self.client = client

    def add(self, version: str, record: dict[str, Any]) -> bool:
        """Register a version; False if the name is taken."""
        return bool(self.client.hsetnx(MODELS, version, json.dumps(record, ensure_ascii=False)))

    def get(self, version: str) -> dict[str, Any] | None:
        raw = self.client.hget(MODELS, version)
        return json.loads(raw) if raw else None

    def all(self) -> dict[str, dict[str, Any]]:
        return {v: json.loads(raw) for v, raw in self.client.hgetall(MODELS).items()}

    def active(self) -> tuple[str | None, str | None]:
        """(active version, the one before it); None when none was ever activated."""
        active, previous = self.client.hmget(MODELS_ACTIVE, "active", "previous")
        return active, previous

    def shadow(self) -> str | None:
        """The version the worker also scores new comments with, off the request path."""
        name: str | None = self.client.hget(MODELS_ACTIVE, "shadow") or None
        return name

    def set_shadow(self, version: str | None) -> None:
        if version is None:
            self.client.hdel(MODELS_ACTIVE, "shadow")
        else:
            self.client.hset(MODELS_ACTIVE, "shadow", version)

    def shadowed(self, version: str, item_id: str) -> None:
        self.client.sadd(shadow_items(version), item_id)

    def shadowed_items(self, version: str) -> list[str]:
        return sorted(self.client.smembers(shadow_items(version)))

    def activate(self, version: str) -> str | None:
        """Make ``version`` the active one; returns the one it replaces."""
        previous, _ = self.active()
        mapping = {"active": version, "previous": previous or ""}
        self.client.hset(MODELS_ACTIVE, mapping=mapping)
        return previous
