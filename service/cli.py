"""The ``raqib`` command: serve, and the model's train, evaluate and classify."""

from __future__ import annotations

import argparse
import importlib
import sys

from .config import ConfigError

# Subcommands that belong to the model package, each with its own arguments (`raqib NAME --help`).
MODEL_COMMANDS = {
    "train": "train the classifier: tokenizer, pre-training, fine-tuning, calibration, export",
    "evaluate": "macro-F1 per category and source, beside the char n-gram baseline",
    "classify": "score texts from a CSV, a .txt or stdin into JSON Lines",
}
MODEL_MODULES = {
    "train": "raqib.models.training.train",
    "evaluate": "raqib.models.training.evaluate",
    "classify": "raqib.models.classify",
}


def key_of(role: str) -> str:
    """The first key of ``role``: from ``RAQIB_API_KEYS``, else the file ``raqib serve`` created."""
    from .config import Config, parse_api_keys

    config = Config.from_env()
    text = config.api_keys
    if not text:
        path = config.data_dir / "api_keys"
        if not path.exists():
            raise ConfigError(f"no keys yet: {path.resolve()} is created by the first `raqib serve`")
        text = path.read_text(encoding="utf-8").strip()
    for key, key_role in parse_api_keys(text).items():
        if key_role == role:
            return key
    raise ConfigError(f"no {role} key among the configured keys")


def _models(argv: list[str]) -> None:
    """``raqib models add DIR --name N``: register a classifier version (as ``POST /v1/models``)."""
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="raqib models")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="register a directory as a classifier version")
    add.add_argument("directory")
    add.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    from .app import create_app
    from .blueprints.models import register
    from .config import Config
    from .errors import RaqibError

    config = Config.from_env()
    if not config.redis_url:
        raise SystemExit("raqib models: set REDIS_URL (the registry lives in Redis)")
    app = create_app(config.replace(model_dir="off", api_keys=config.api_keys or "admin:cli-only-key-0000"))
    with app.app_context():
        try:
            print(json.dumps(register(args.name, str(Path(args.directory).resolve()), None, config.model_threads)))
        except RaqibError as err:
            raise SystemExit(f"raqib models: {err.message}") from None


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="raqib", description="Arabic content moderation service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service under gunicorn")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=None, help="default: 2 per CPU core, at most 8")
    serve.add_argument(
        "--threads", type=int, default=2, help="threads per worker for every request but waiting model work"
    )
    serve.add_argument("--no-worker", action="store_true", help="do not start a webhook delivery worker")
    worker = commands.add_parser("worker", help="deliver webhooks (any number of workers may run)")
    worker.add_argument(
        "--check", action="store_true", help="health check: exit 0 if a worker of this host beat recently, else 1"
    )
    worker.add_argument("--consumer", default=None, help="with --check: this worker only (name '<host>-<pid>')")
    worker.add_argument("--max-age", type=float, default=None, help="with --check: seconds (default 30)")
    commands.add_parser("models", help="classifier versions: raqib models add DIR --name N", add_help=False)
    commands.add_parser(
        "decisions", help="moderators' decisions as training data: raqib decisions export --out F", add_help=False
    )
    keys = commands.add_parser("keys", help="print the API key of a role (from RAQIB_API_KEYS or the data directory)")
    keys.add_argument("role", choices=["client", "moderator", "admin"])
    for name, text in MODEL_COMMANDS.items():
        commands.add_parser(name, help=text, add_help=False)
    if argv and argv[0] == "models":
        return _models(argv[1:])
    if argv and argv[0] == "decisions":
        from .decisions import main as decisions_main

        try:
            decisions_main(argv[1:])
        except ConfigError as err:
            print(f"raqib: configuration error: {err}", file=sys.stderr)
            raise SystemExit(2) from None
        return
    if argv and argv[0] in MODEL_COMMANDS:
        module = importlib.import_module(MODEL_MODULES[argv[0]])
        module.main(argv[1:])
        return
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            from .serve import serve as run_serve

            run_serve(args.host, args.port, args.workers, args.threads, with_worker=not args.no_worker)
        elif args.command == "worker" and args.check:
            from .config import Config
            from .worker import HEARTBEAT_STALE_S, check

            max_age = HEARTBEAT_STALE_S if args.max_age is None else args.max_age
            raise SystemExit(check(Config.from_env(), args.consumer, max_age))
        elif args.command == "worker":
            from .worker import main as run_worker

            run_worker()
        elif args.command == "keys":
            print(key_of(args.role))
    except ConfigError as err:
        print(f"raqib: configuration error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
