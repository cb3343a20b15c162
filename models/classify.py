"""``raqib classify``: score a CSV (``text`` column), a .txt (one text per line) or stdin (``-``)
and write JSON Lines, one object per input row, in order."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from .inference import load_classifier

CHUNK = 512


def read_texts(source: str) -> list[str]:
    if source == "-":
        return [line.rstrip("\n") for line in sys.stdin]
    path = Path(source)
    with open(path, encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".csv":
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "text" not in reader.fieldnames:
                raise SystemExit(f"raqib classify: {path} has no 'text' column")
            return [row["text"] or "" for row in reader]
        return [line.rstrip("\n") for line in handle]


def _chunks(texts: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(texts), CHUNK):
        yield texts[start : start + CHUNK]


def write_results(texts: Sequence[str], model: Path | None, out: IO[str]) -> None:
    classifier = load_classifier(model)
    for chunk in _chunks(texts):
        for result in classifier.predict(chunk):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="raqib classify", description=__doc__)
    parser.add_argument("--input", required=True, help="a .csv with a 'text' column, a .txt, or - for stdin")
    parser.add_argument("--output", default="-", help="a .jsonl file, or - for stdout")
    parser.add_argument("--model", type=Path, default=None, help="artifact directory (default: bundled)")
    args = parser.parse_args(argv)
    texts = read_texts(args.input)
    if args.output == "-":
        write_results(texts, args.model, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            write_results(texts, args.model, out)
