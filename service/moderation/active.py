"""The policy and word lists in force, read from the store and kept parsed per process: a
submission reads the policy document (one small GET) and each named list's version, and parses or
rebuilds only what changed."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from .policy import DEFAULT_POLICY, Policy
from .wordlists import WordMatcher

if TYPE_CHECKING:
    from ..store.moderation import ModerationStore, StoredPolicy

_lock = threading.Lock()
_policies: OrderedDict[str, Policy] = OrderedDict()
_matchers: dict[str, tuple[str, WordMatcher]] = {}
DEFAULT = Policy.model_validate(DEFAULT_POLICY)


def active_policy(store: ModerationStore) -> tuple[int, Policy, StoredPolicy | None]:
    """(version, policy, what is stored): version 0 and the default when none was ever set."""
    stored = store.policy()
    if stored is None:
        return 0, DEFAULT, None
    key = f"{stored.version}:{stored.updated_at}:{stored.updated_by}"
    with _lock:
        policy = _policies.get(key)
        if policy is None:
            policy = Policy.model_validate(stored.document)
            _policies[key] = policy
            while len(_policies) > 8:
                _policies.popitem(last=False)
    return stored.version, policy, stored


def matcher(store: ModerationStore, name: str) -> WordMatcher | None:
    """The named list ready for matching (rebuilt when its version changed); None if it is gone."""
    version = store.wordlist_version(name)
    if version is None:
        return None
    with _lock:
        cached = _matchers.get(name)
    if cached is not None and cached[0] == version:
        return cached[1]
    found = store.wordlist(name)
    if found is None:
        return None
    words, version = found
    built = WordMatcher(words)
    with _lock:
        _matchers[name] = (version, built)
    return built
