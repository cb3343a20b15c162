"""``raqib decisions export``: moderators' decisions as training data, in the shared data's schema.

One row per decided comment: its text, the labels its final decision implies (a reversed appeal or
a later restore wins over the removal), when it was decided, and the scores the model gave it.
A removal labels the categories its reason code names; any "keep" decision labels the comment
clean on every category. Rows whose decision implies no label are left out.

| final decision                              | reason code      | labels                              |
|---------------------------------------------|------------------|-------------------------------------|
| remove, uphold                              | hate_speech      | offensive 1, hate 1                 |
| remove, uphold                              | harassment       | offensive 1                         |
| remove, uphold                              | vulgarity        | offensive 1, vulgar 1               |
| remove, uphold                              | sexual_content   | offensive 1, vulgar 1               |
| remove, uphold                              | violence         | offensive 1, violence 1             |
| remove, uphold                              | spam             | spam 1                              |
| remove, uphold                              | other_violation  | none (left out: the reason says too little) |
| restore, dismiss, approve, reverse          | no_violation, report_abuse | offensive, hate, vulgar, violence, spam 0 |
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .config import Config
from .store import Store
from .store.keys import PartitionKeys
from .timefmt import iso

CATEGORIES = ("offensive", "hate", "vulgar", "violence", "spam")
COLUMNS = (
    "text",
    "source",
    "dialect",
    "platform",
    *CATEGORIES,
    "hate_type",
    "item_id",
    "decision",
    "reason_code",
    "decided_at",
    "model_version",
    "scores",
)
REMOVALS = {
    "hate_speech": {"offensive": 1, "hate": 1},
    "harassment": {"offensive": 1},
    "vulgarity": {"offensive": 1, "vulgar": 1},
    "sexual_content": {"offensive": 1, "vulgar": 1},
    "violence": {"offensive": 1, "violence": 1},
    "spam": {"spam": 1},
}
KEEPS = ("restore", "dismiss", "approve", "reverse")
DECISION_TYPES = {"item.removed", "item.restored", "item.dismissed", "item.approved", "appeal.decided"}


def labels(action: str, reason_code: str) -> dict[str, int]:
    """The labels a final decision implies (see the table above); empty: no label."""
    if action in ("remove", "uphold"):
        return dict(REMOVALS.get(reason_code, {}))
    if action in KEEPS and reason_code in ("no_violation", "report_abuse"):
        return dict.fromkeys(CATEGORIES, 0)
    return {}


def decided_items(store: Store) -> Iterator[str]:
    """Every item a decision was recorded for, from the partitions' audit streams, once each."""
    seen: set[str] = set()
    for part in range(store.partitions):
        start = "-"
        while True:
            page = store.client.xrange(PartitionKeys(part).audit, start, "+", count=1000)
            for _, fields in page:
                entry = json.loads(fields["entry"])
                item_id = entry.get("item_id")
                if entry.get("type") in DECISION_TYPES and item_id and item_id not in seen:
                    seen.add(item_id)
                    yield item_id
            if len(page) < 1000:
                break
            start = "(" + page[-1][0]


def rows(store: Store, source: str) -> Iterator[dict[str, Any]]:
    for item_id in decided_items(store):
        record = store.get_item(item_id)
        if record is None or record.fields.get("item_type") != "comment" or not record.fields.get("text"):
            continue
        decisions = [h["decision"] for h in record.history if isinstance(h.get("decision"), dict)]
        if not decisions:
            continue
        final = decisions[-1]
        implied = labels(final.get("action", ""), final.get("reason_code", ""))
        if not implied:
            continue
        f = record.fields
        yield {
            "text": f["text"],
            "source": source,
            **{c: implied.get(c, "") for c in CATEGORIES},
            "item_id": item_id,
            "decision": final.get("action"),
            "reason_code": final.get("reason_code"),
            "decided_at": iso(int(f["decided_at"])) if f.get("decided_at") else "",
            "model_version": f.get("model_version", ""),
            "scores": f.get("scores", ""),
        }


def export(store: Store, out: IO[str], source: str = "site") -> int:
    """Write the CSV; returns how many rows."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    count = 0
    for row in rows(store, source):
        writer.writerow(row)
        count += 1
    return count


def _store(config: Config) -> tuple[Store, Any]:
    """The configured Redis; else the embedded one of the data directory (a running ``raqib serve``'s
    if it answers on its socket, or started here for the export)."""
    from .store.embedded import EmbeddedRedis

    if config.redis_url:
        return Store.from_url(config.redis_url, cluster=config.cluster, partitions=config.partitions), None
    embedded = EmbeddedRedis(config.data_dir)
    store = Store.from_url(embedded.url, partitions=config.partitions)
    if store.health() == "ok":
        return store, None
    store.close()
    embedded.start()  # nothing answers there: start it for the export
    return Store.from_url(embedded.url, partitions=config.partitions), embedded


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="raqib decisions", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export_cmd = commands.add_parser("export", help="write decided comments as labelled training data (CSV)")
    export_cmd.add_argument("--out", type=Path, required=True, help="the CSV to write")
    export_cmd.add_argument("--source", default="site", help="the source column (default: site)")
    args = parser.parse_args(argv)
    store, embedded = _store(Config.from_env())
    try:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            count = export(store, out, args.source)
        print(f"raqib decisions export: {count} rows written to {args.out}", file=sys.stderr)
    finally:
        store.close()
        if embedded is not None:
            embedded.stop()
