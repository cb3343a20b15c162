"""Comments waiting for the classifier, off the report path: a stream of item ids (consumer group
``score``), their texts read in one pipeline, and the scores stored by ``analysis_landed.lua``."""

from __future__ import annotations

import json
from collections.abc import Sequence

import redis

from .keys import SCORE_GROUP, SCORE_JOBS
from .partitioned import PartitionedStore

JOBS_MAXLEN = 1_000_000


class ScoringStore(PartitionedStore):
    def enqueue(self, item_id: str) -> None:
        """Queue the item's text for the classifier (a report's first text is queued by report.lua)."""
        self.client.xadd(SCORE_JOBS, {"item_id": item_id}, maxlen=JOBS_MAXLEN, approximate=True)

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(SCORE_JOBS, SCORE_GROUP, id="0", mkstream=True)
        except redis.ResponseError as err:
            if "BUSYGROUP" not in str(err):
                raise

    def read_jobs(self, consumer: str, count: int, block_ms: int | None) -> list[tuple[str, str]]:
        reply = self.client.xreadgroup(SCORE_GROUP, consumer, {SCORE_JOBS: ">"}, count=count, block=block_ms)
        return [(jid, fields["item_id"]) for _, entries in reply or [] for jid, fields in entries]

    def reclaim_jobs(self, consumer: str, min_idle_ms: int, count: int) -> list[tuple[str, str]]:
        _, entries, *_ = self.client.xautoclaim(SCORE_JOBS, SCORE_GROUP, consumer, min_idle_ms, count=count)
        return [(jid, fields["item_id"]) for jid, fields in entries if fields]

    def ack(self, job_ids: Sequence[str]) -> None:
        if job_ids:
            self.client.xack(SCORE_JOBS, SCORE_GROUP, *job_ids)

    def texts(self, item_ids: Sequence[str]) -> list[str | None]:
        """Each item's text, or None when there is nothing to score (gone, or scored already)."""
        pipe = self.client.pipeline(transaction=False)
        for item_id in item_ids:
            pipe.hmget(self._item(item_id).item, "text", "scored_at")
        return [text if text is not None and scored is None else None for text, scored in pipe.execute()]

    def shadow_texts(self, item_ids: Sequence[str], version: str) -> list[str | None]:
        """Each comment's text, or None when the shadow version already scored it (or it has none)."""
        pipe = self.client.pipeline(transaction=False)
        for item_id in item_ids:
            pipe.hmget(self._item(item_id).item, "text", "shadow_version")
        return [text if text is not None and shadow != version else None for text, shadow in pipe.execute()]

    def keep_shadow(self, item_id: str, version: str, scores: dict[str, float]) -> None:
        self.client.hset(
            self._item(item_id).item, mapping={"shadow_version": version, "shadow_scores": json.dumps(scores)}
        )
