"""What moderation at submission keeps in Redis: the policy (one versioned document), the word
lists, authors' recent submissions (the flood condition), and the submission script itself."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import keys
from .partitioned import PartitionedStore, TypeMismatch


@dataclass(frozen=True)
class Submitted:
    status: str
    seq: int
    edit: bool
    author_owed: tuple[str, str] | None  # (author id, updates) the author's record owes, to settle


@dataclass(frozen=True)
class StoredPolicy:
    version: int
    document: dict[str, Any]
    updated_at: int | None
    updated_by: str | None


class ModerationStore(PartitionedStore):
    # The policy
    def policy(self) -> StoredPolicy | None:
        found = self.client.hgetall(keys.POLICY)
        if not found:
            return None
        updated_at = found.get("updated_at")
        return StoredPolicy(
            int(found["version"]),
            json.loads(found["document"]),
            int(updated_at) if updated_at else None,
            found.get("updated_by"),
        )

    def put_policy(self, document: Mapping[str, Any], actor: str, summary: Mapping[str, Any]) -> int:
        """Store ``document`` (already validated) as the next version, with its audit entry."""
        version = self.scripts["policy_put"](
            keys={"policy": keys.POLICY, "audit": keys.POLICY_AUDIT},
            args={
                "document": json.dumps(document, ensure_ascii=False),
                "actor": actor,
                "summary": json.dumps(summary, ensure_ascii=False),
                "audit_maxlen": self.events_maxlen,
            },
        )
        return int(version)

    # Word lists
    def put_wordlist(self, name: str, words: list[str]) -> str:
        """Replace the list; returns its new version (one write: words and version together)."""
        version = uuid.uuid4().hex
        self.client.hset(
            keys.wordlist(name), mapping={"words": json.dumps(words, ensure_ascii=False), "version": version}
        )
        self.client.sadd(keys.WORDLISTS, name)
        return version

    def wordlist(self, name: str) -> tuple[list[str], str] | None:
        words, version = self.client.hmget(keys.wordlist(name), "words", "version")
        return (json.loads(words), version) if words is not None else None

    def wordlist_version(self, name: str) -> str | None:
        version: str | None = self.client.hget(keys.wordlist(name), "version")
        return version

    def delete_wordlist(self, name: str) -> bool:
        deleted = bool(self.client.delete(keys.wordlist(name)))
        self.client.srem(keys.WORDLISTS, name)
        return deleted

    def wordlist_names(self) -> list[str]:
        return sorted(self.client.smembers(keys.WORDLISTS))

    # Authors
    def count_submission(self, author_id: str, member: str, windows_s: Iterable[int]) -> dict[int, int]:
        """Count this submission of the author; their submissions in each window, this one included."""
        windows = sorted(set(windows_s)) or [60]
        counts = self.scripts["author_touch"](
            keys={"recent": keys.author_recent(author_id)},
            args={"member": member, "windows_s": ",".join(str(w) for w in windows)},
        )
        return {w: int(c) for w, c in zip(windows, counts, strict=True)}

    # Submissions
    def submit(self, item_id: str, item_type: str, fields: Mapping[str, str], settings: Mapping[str, Any]) -> Submitted:
        """Apply the policy's decision (``lua/submit.lua``)."""
        k = self._item(item_id)
        p = k.partition
        result = self.scripts["submit"](
            keys={**self._transition_keys(k), "stats": p.stats, "author_pending": p.author_pending},
            args={
                "item_id": item_id,
                "item_type": item_type,
                "fields": json.dumps(dict(fields), ensure_ascii=False),
                "settings": json.dumps(
                    {
                        **settings,
                        "events_maxlen": self.events_maxlen,
                        "event_prefix": keys.event_id_prefix(p.partition),
                    },
                    ensure_ascii=False,
                ),
            },
        )
        if result[0] == "type_mismatch":
            raise TypeMismatch(result[1])
        owed = (str(result[3]), str(result[4])) if result[3] and result[4] else None
        return Submitted(str(result[0]), int(result[1]), bool(int(result[2])), owed)
