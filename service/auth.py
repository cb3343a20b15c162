"""Bearer API keys with roles: ``client`` (the host site), ``moderator`` and ``admin``.

``admin`` may do everything; a route names the roles it admits with :func:`require`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, g, request

from .config import ROLES, Config, Role
from .errors import CsrfFailed, Forbidden, RateLimited, Unauthorized, ValidationFailed
from .names import BadName, clean_name, header_text
from .store.sessions import Session

F = TypeVar("F", bound=Callable[..., Any])


@lru_cache(maxsize=64)  # a deployment has a handful of keys; hashing one per request was 1 % of a report
def key_id(key: str) -> str:
    """A short, non-secret name for a key (logs, rate-limit counters, the audit trail)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def authenticate(header: str | None, keys: Mapping[str, Role]) -> tuple[str, Role]:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <api key>'")
    token = token.strip()
    role: Role | None = None
    for key, key_role in keys.items():  # constant time per key, and every key is compared
        if hmac.compare_digest(key.encode(), token.encode()):
            role = key_role
    if role is None:
        raise Unauthorized("unknown API key")
    return key_id(token), role


SESSION_COOKIE = "raqib_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def session_for(session_id: str, config: Config) -> Session | None:
    """The moderator's web session behind a cookie, if it is live and its key still exists."""
    from .store import get_store

    found = get_store().sessions.get(session_id, config.session_idle_minutes * 60)
    if found is None:
        return None
    if not any(key_id(k) == found.key_id and r == found.role for k, r in config.keys.items()):
        return None  # the key was revoked or changed role: the session ends with it
    return found


def check(*roles: Role) -> None:
    """Authenticate the request and admit it if its key has one of ``roles`` (``admin`` always).
    A request without an Authorization header may come from the moderators' page: its session
    cookie stands for the key, and a state-changing request must carry the session's CSRF token."""
    config = current_app.config["RAQIB"]
    header = request.headers.get("Authorization")
    if header is None and SESSION_COOKIE in request.cookies:
        found = session_for(request.cookies[SESSION_COOKIE], config)
        if found is None:
            raise Unauthorized("the session has ended; sign in again")
        token = request.headers.get(CSRF_HEADER, "")
        if request.method not in SAFE_METHODS and not hmac.compare_digest(token.encode(), found.csrf.encode()):
            raise CsrfFailed(f"send the session's CSRF token in {CSRF_HEADER}")
        g.key_id, g.role, g.actor = found.key_id, found.role, found.actor
    else:
        g.key_id, g.role = authenticate(header, config.keys)
    admit(g.role, roles)


def admit(role: Role, roles: tuple[Role, ...]) -> None:
    """403 unless ``role`` is one of ``roles`` or ``admin``."""
    if role != "admin" and role not in roles:
        raise Forbidden(f"this route needs the role {' or '.join(roles)}; the key has {role}")


def charge_key(key: str, config: Config) -> None:
    """Count one request against the key's rate limit (``RAQIB_KEY_RATE_LIMIT``), 429 past it."""
    limit = config.key_limit
    if limit is None:
        return
    from .store import get_store, keys

    wait = get_store().hit_rate_limit(keys.api_key_rate(key), limit.limit, limit.window_s)
    if wait:
        raise RateLimited("too many requests for this API key", wait)


def require(*roles: Role) -> Callable[[F], F]:
    """Admit requests whose key has one of ``roles`` (``admin`` always); 401 or 403 otherwise."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(*roles)
            charge_key(g.key_id, current_app.config["RAQIB"])
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


ACTOR_HEADER = "X-Raqib-Actor"


def current_actor() -> str:
    """Who acts, for claims and the audit trail: the role, and the moderator's name (the web
    session's, or the ``X-Raqib-Actor`` header's, UTF-8, in any script), else the key's id. A name
    that is not acceptable is a 422, never silently replaced."""
    name = g.get("actor")
    if not name:
        sent = request.headers.get(ACTOR_HEADER, "")
        try:
            name = clean_name(header_text(sent)) if sent.strip() else g.key_id
        except BadName as err:
            raise ValidationFailed(
                f"{ACTOR_HEADER}: {err}", details=[{"field": ACTOR_HEADER, "problem": str(err)}]
            ) from None
    return f"{g.role}:{name}"


def ensure_keys(path: Path) -> tuple[str, bool]:
    """The ``role:key`` list kept in ``path``, creating one key per role the first time.
    Returns the list and whether it was just created (so the caller prints it once)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ",".join(f"{role}:rq_{role[:3]}_{secrets.token_urlsafe(24)}" for role in ROLES)
    path.touch(mode=0o600)
    path.write_text(text + "\n", encoding="utf-8")
    return text, True
