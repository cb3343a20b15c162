"""The model's whole life in stages: tokenizer, masked-LM pre-training, fine-tuning, calibration,
export. Each stage writes into its own folder of ``out`` and is skipped when already done, so an
interrupted run resumes by running the same command again."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from transformers import PreTrainedTokenizerFast

from .data import read_corpus
from .pretrain import PretrainConfig, pretrain
from .tokenizer import train_tokenizer

log = logging.getLogger(__name__)
STAGES = ("tokenizer", "pretrain")


def stage_tokenizer(data_dir: Path, out: Path) -> PreTrainedTokenizerFast:
    target = out / "tokenizer"
    if (target / "tokenizer.json").exists():
        return PreTrainedTokenizerFast.from_pretrained(str(target), local_files_only=True)
    return train_tokenizer(read_corpus(data_dir), target)


def run(
    data_dir: Path, out: Path, stages: tuple[str, ...] = STAGES, pretrain_cfg: PretrainConfig | None = None
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    started = time.monotonic()
    tokenizer = stage_tokenizer(data_dir, out)
    timings["tokenizer"] = time.monotonic() - started
    if "pretrain" in stages:
        started = time.monotonic()
        pretrain(read_corpus(data_dir), tokenizer, out / "mlm", pretrain_cfg or PretrainConfig())
        timings["pretrain"] = time.monotonic() - started
    log.info("stage timings (s): %s", {k: round(v) for k, v in timings.items()})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="raqib train", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="the shared data directory")
    parser.add_argument("--out", type=Path, required=True, help="working directory for every stage")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--pretrain-epochs", type=float, default=PretrainConfig.epochs)
    parser.add_argument("--pretrain-minutes", type=float, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = PretrainConfig(epochs=args.pretrain_epochs, max_minutes=args.pretrain_minutes)
    run(args.data, args.out, tuple(args.stages.split(",")), cfg)


if __name__ == "__main__":
    main()
