"""The bank of removed comments, measured in one run on real data and a real Redis.

1. Quality: ``--banked`` comments from dev.csv are banked; each gets a near-copy from the seeded
   edit generator (1-3 edits: emoji, punctuation, elongation, diacritics, tatweel, letter variants,
   a word in ten replaced, two words swapped, Arabizi digits); recall is the share matched to their
   original. ``--unrelated`` other comments (the rest of dev.csv, then the unlabelled corpus) are
   looked up too: a match is a false match. Both at the report threshold (0.7) and the default
   policy's (0.7), and 0.8.
2. Speed and memory: the bank is filled to ``--entries`` (1,000,000: the real signatures of train.csv
   and the corpus, then random ones), and one comment's lookup is timed end to end (signature,
   one Lua call, comparison): p50, p99, lookups/s; Redis memory per entry.

    python bench/text_bank.py [--data ../shared/data] [--entries 1000000] [--banked 2000] [--unrelated 100000]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from raqib.service.store import Store
from raqib.service.store.embedded import EmbeddedRedis
from raqib.service.texts.edits import near_copy
from raqib.service.texts.signature import PERMUTATIONS, Signature, signature

THRESHOLDS = (0.6, 0.7, 0.8)


def dev_texts(data: Path) -> list[str]:
    with open(data / "labeled" / "dev.csv", encoding="utf-8", newline="") as handle:
        return list(dict.fromkeys(r["text"] for r in csv.DictReader(handle)))


def corpus_texts(data: Path, limit: int) -> list[str]:
    out = []
    with open(data / "unlabeled" / "corpus.txt", encoding="utf-8") as handle:
        for line in handle:
            out.append(line.rstrip("\n"))
            if len(out) >= limit:
                break
    return out


def quality(store: Store, banked: list[str], unrelated: list[str], rng: random.Random) -> None:
    entries = [(f"q-{n}", f"q-{n}", t[:140], sig) for n, t in enumerate(banked) if (sig := signature(t)) is not None]
    store.texts.add_signatures(entries, "bench", 0)
    copies = [near_copy(t, rng)[0] for t in banked]
    bankable = [f"q-{n}" for n, t in enumerate(banked) if signature(t) is not None]
    for threshold in THRESHOLDS:
        hits = 0
        for n, copy in enumerate(copies):
            match = store.texts.match(copy, threshold)
            hits += match is not None and match.entry_id == f"q-{n}"
        recall = hits / len(bankable)
        false = sum(store.texts.match(t, threshold) is not None for t in unrelated)
        looked = sum(signature(t) is not None for t in unrelated)
        print(
            f"similarity >= {threshold}: recall {recall:.4f} ({hits}/{len(bankable)} near-copies), "
            f"false matches {false / max(1, looked):.5f} ({false}/{looked} unrelated comments long enough to match, "
            f"{len(unrelated)} looked up)"
        )


def fill(store: Store, texts: list[str], total: int) -> None:
    rng = np.random.default_rng(5)
    batch: list[tuple[str, str, str, Signature]] = []
    made = store.texts.entries(0, 1)[1]

    def flush() -> None:
        store.texts.add_signatures(batch, "bench", 1)
        batch.clear()

    for n, text in enumerate(texts):
        if made + len(batch) >= total:
            break
        sig = signature(text)
        if sig is not None:
            batch.append((f"real-{n}", f"real-{n}", text[:140], sig))
        if len(batch) >= 2000:
            made += len(batch)
            flush()
    n = 0
    while made + len(batch) < total:
        sig = Signature(rng.integers(0, 1 << 16, size=PERMUTATIONS, dtype=np.uint16))
        batch.append((f"rand-{n}", f"rand-{n}", "", sig))
        n += 1
        if len(batch) >= 5000:
            made += len(batch)
            flush()
    flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--banked", type=int, default=2000)
    parser.add_argument("--unrelated", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    embedded = EmbeddedRedis(tempfile.mkdtemp(prefix="raqib-bench-"), fsync="no").start()
    store = Store.from_url(embedded.url, partitions=16)
    try:
        rng = random.Random(20261130)
        dev = [t for t in dev_texts(args.data) if signature(t) is not None]
        rng.shuffle(dev)
        banked, rest = dev[: args.banked], dev[args.banked :]
        unrelated = (rest + corpus_texts(args.data, args.unrelated))[: args.unrelated]
        quality(store, banked, unrelated, rng)

        before = int(store.client.info("memory")["used_memory"])
        count_before = store.texts.entries(0, 1)[1]
        started = time.perf_counter()
        train = []
        with open(args.data / "labeled" / "train.csv", encoding="utf-8", newline="") as handle:
            train = [r["text"] for r in csv.DictReader(handle)]
        fill(store, train + corpus_texts(args.data, 300_000), args.entries)
        size = store.texts.entries(0, 1)[1]
        after = int(store.client.info("memory")["used_memory"])
        print(
            f"bank filled to {size:,} entries in {time.perf_counter() - started:.0f} s; "
            f"Redis memory {(after - before) / max(1, size - count_before):.0f} bytes/entry"
        )
        queries = [near_copy(t, rng)[0] for t in banked[: args.lookups // 2]] + unrelated[: args.lookups // 2]
        timings = []
        for text in queries:
            started = time.perf_counter()
            store.texts.match(text, 0.6)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(
            f"lookup of one comment against {size:,} entries: p50 {statistics.median(timings):.2f} ms, "
            f"p99 {timings[int(0.99 * (len(timings) - 1))]:.2f} ms, {1000 / statistics.mean(timings):.0f} lookups/s "
            "(one client, sequential; half near-copies, half unrelated)"
        )
    finally:
        store.close()
        embedded.stop()


if __name__ == "__main__":
    main()
