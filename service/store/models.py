"""The registry of classifier versions: each version's directory, checksum and card summary, the
active one and the one before it (a rollback is one activation away)."""

from __future__ import annotations

import contextlib
from typing import Any

from ..documents import DocumentUnreadable, checked_record, stored_record
from .keys import MODELS, MODELS_ACTIVE, shadow_items

FIELDS: dict[str, type] = {"path": str}  # what the loaders read of a record


class ModelRegistry:
    def __init__(self, client: Any) -> None:
        self.client = client

    def add(self, version: str, record: dict[str, Any]) -> bool:
        """Register a version; False if the name is taken."""
        return bool(self.client.hsetnx(MODELS, version, checked_record(record, "model_version", version, FIELDS)))

    def get(self, version: str) -> dict[str, Any] | None:
        """The version's record; ``model_version_unreadable`` (503) if it no longer reads."""
        return stored_record(self.client.hget(MODELS, version), "model_version", version, FIELDS)

    def all(self) -> dict[str, dict[str, Any]]:
        """Every version whose record reads (one that does not is left out, with an error logged)."""
        found = {}
        for version, raw in self.client.hgetall(MODELS).items():
            with contextlib.suppress(DocumentUnreadable):
                found[version] = stored_record(raw, "model_version", version, FIELDS) or {}
        return found

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
