"""The policy and word lists in force, read from the store and kept parsed per process: a
submission reads the policy document (one small GET) and each named list's version, and parses or
rebuilds only what changed. A stored document that no longer validates never takes a route down:
the process keeps the last good version it read (an error logged), or, having none, answers 503
``policy_unreadable`` / ``wordlist_unreadable`` (see :mod:`service.documents`)."""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from ..documents import DocumentUnreadable, read
from .policy import DEFAULT_POLICY, Policy
from .wordlists import WordMatcher

if TYPE_CHECKING:
    from ..store.moderation import ModerationStore, StoredPolicy

_lock = threading.Lock()
_policies: OrderedDict[str, Policy] = OrderedDict()
# Per store (one per app): each word list's matcher and the version it was built from.
_matchers: weakref.WeakKeyDictionary[ModerationStore, dict[str, tuple[str, WordMatcher]]] = weakref.WeakKeyDictionary()
# Per store (one per app): the last policy read that validated, served while the stored one does not.
_last_good: weakref.WeakKeyDictionary[ModerationStore, tuple[int, Policy, StoredPolicy]] = weakref.WeakKeyDictionary()
DEFAULT = Policy.model_validate(DEFAULT_POLICY)
WORDS = TypeAdapter(list[str])
log = logging.getLogger(__name__)


def stored_policy(store: ModerationStore) -> tuple[int, Policy, StoredPolicy | None]:
    """(version, policy, what is stored) as stored: version 0 and the default when none was ever
    set; :class:`DocumentUnreadable` if the stored document no longer validates."""
    try:
        stored = store.policy()
    except (ValueError, KeyError) as err:  # not JSON, or a field missing: written by hand
        log.error("the stored policy cannot be parsed: %r", err)
        raise DocumentUnreadable("policy", "the stored policy cannot be parsed; replace it (PUT)") from None
    if stored is None:
        return 0, DEFAULT, None
    key = f"{stored.version}:{stored.updated_at}:{stored.updated_by}"
    with _lock:
        policy = _policies.get(key)
    if policy is None:
        policy = read(Policy, stored.document, "policy")
        with _lock:
            _policies[key] = policy
            while len(_policies) > 8:
                _policies.popitem(last=False)
    with _lock:
        _last_good[store] = (stored.version, policy, stored)
    return stored.version, policy, stored


def active_policy(store: ModerationStore) -> tuple[int, Policy, StoredPolicy | None]:
    """The policy in force: the stored one, or, while that does not validate, the last good one
    this process read (an error is logged at each use); with none, ``policy_unreadable`` (503)."""
    try:
        return stored_policy(store)
    except DocumentUnreadable:
        with _lock:
            fallback = _last_good.get(store)
        if fallback is None:
            raise
        log.error("the stored policy does not validate: serving version %d, the last good one", fallback[0])
        return fallback


def matcher(store: ModerationStore, name: str) -> WordMatcher | None:
    """The named list ready for matching (rebuilt when its version changed); None if it is gone."""
    version = store.wordlist_version(name)
    if version is None:
        return None
    with _lock:
        cached = _matchers.get(store, {}).get(name)
    if cached is not None and cached[0] == version:
        return cached[1]
    try:
        found = stored_wordlist(store, name)
    except DocumentUnreadable:
        if cached is None:
            raise
        log.error("word list %r does not validate: matching with its last good version", name)
        return cached[1]
    if found is None:
        return None
    words, version = found
    built = WordMatcher(words)
    with _lock:
        _matchers.setdefault(store, {})[name] = (version, built)
    return built


def stored_wordlist(store: ModerationStore, name: str) -> tuple[list[str], str] | None:
    """(words, version) of the named list as stored, None if it is gone; :class:`DocumentUnreadable`
    if what is stored is not a list of strings (as the matcher reads it)."""
    try:
        found = store.wordlist(name)
        return None if found is None else (WORDS.validate_python(found[0]), found[1])
    except ValueError as err:  # not JSON, or not a list of strings (pydantic's errors are ValueErrors)
        log.error("word list %r no longer validates: %s", name, err)
        raise DocumentUnreadable("wordlist", f"word list {name!r} no longer validates; replace it (PUT)") from None
