"""Classifier speed on real dev comments, in one run: batch throughput (comments/s) and the latency
of one comment, for Raqib's path (ONNX Runtime int8 when the artifact has it, a run per comment,
``--threads`` runs at once) and its torch path (length batches), against a plain ``transformers``
pipeline on the same artifact.

    python bench/classifier.py [--model DIR] [--data ../shared/data/labeled/dev.csv] [--threads 2]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from raqib.models.inference import load_classifier
from raqib.models.paths import BUNDLED


def throughput(score: Callable[[Sequence[str]], Any], texts: Sequence[str], chunk: int) -> float:
    score(texts[:chunk])  # warm up
    started = time.perf_counter()
    for start in range(0, len(texts), chunk):
        score(texts[start : start + chunk])
    return len(texts) / (time.perf_counter() - started)


def latency_ms(score: Callable[[Sequence[str]], Any], texts: Sequence[str]) -> float:
    for text in texts[:20]:
        score([text])
    samples = []
    for text in texts:
        started = time.perf_counter()
        score([text])
        samples.append(1000 * (time.perf_counter() - started))
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=BUNDLED)
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/labeled/dev.csv"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--single", type=int, default=300, help="comments timed one by one")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with open(args.data, encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)][: args.comments]
    import raqib.models.training.charbert  # noqa: F401  (registers the character-aware model class)
    from transformers import pipeline

    plain = pipeline(
        "text-classification",
        model=str(args.model),
        tokenizer=str(args.model),
        top_k=None,
        function_to_apply="sigmoid",
        device=-1,
    )
    systems: dict[str, Callable[[Sequence[str]], Any]] = {}
    fast = load_classifier(args.model, threads=args.threads)
    systems[f"raqib ({fast.backend})"] = fast.predict
    if fast.backend != "torch":
        systems["raqib (torch)"] = load_classifier(args.model, threads=args.threads, backend="torch").predict
    systems["transformers pipeline"] = lambda batch: plain(list(batch))
    systems["transformers pipeline, batch 64"] = lambda batch: plain(list(batch), batch_size=64)
    print(f"model={args.model} threads={args.threads} comments={len(texts)} (one by one: {args.single})")
    results = {}
    for name, score in systems.items():
        rate = throughput(score, texts, 256)
        p50 = latency_ms(score, texts[: args.single])
        results[name] = (rate, p50)
        print(f"{name:34s} {rate:8.0f} comments/s   one comment p50 {p50:6.2f} ms")
    ours = results[f"raqib ({fast.backend})"]
    base = results["transformers pipeline"]
    print(
        f"throughput raqib/pipeline: {ours[0] / base[0]:.1f}x (target >= 4x); "
        f"one-comment latency raqib/pipeline: {ours[1] / base[1]:.2f} (target <= 0.25)"
    )
    size = sum(f.stat().st_size for f in Path(args.model).iterdir() if f.is_file())
    print(f"artifact on disk: {size / 1e6:.1f} MB, {size / 2**20:.1f} MiB (target <= 90 MB, issue 42)")


if __name__ == "__main__":
    main()
