"""Moderators' web sessions, kept server-side so that signing out (or revoking the key) ends
them at once. Redis holds only a digest of each session id: a copy of the data cannot be replayed
as a cookie."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from .keys import session


@dataclass(frozen=True)
class Session:
    key_id: str
    role: str
    actor: str
    csrf: str


def _key(session_id: str) -> str:
    return session(hashlib.sha256(session_id.encode()).hexdigest()[:32])


class SessionStore:
    def __init__(self, client: Any) -> None:
        self.client = client

    def create(self, key_id: str, role: str, actor: str, ttl_s: int) -> tuple[str, Session]:
        """A new session; returns its id (for the cookie) and the session."""
        session_id = secrets.token_urlsafe(32)
        found = Session(key_id, role, actor, secrets.token_urlsafe(24))
        key = _key(session_id)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(key, mapping=found.__dict__)
        pipe.expire(key, ttl_s)
        pipe.execute()
        return session_id, found

    def get(self, session_id: str, ttl_s: int) -> Session | None:
        """The live session, its idle timeout restarted; None if unknown or expired."""
        key = _key(session_id)
        fields = self.client.hgetall(key)
        if not fields:
            return None
        self.client.expire(key, ttl_s)
        return Session(fields["key_id"], fields["role"], fields["actor"], fields["csrf"])

    def delete(self, session_id: str) -> None:
        self.client.delete(_key(session_id))
