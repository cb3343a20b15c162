"""The ``raqib`` command: serve, train (and, as they land, worker, evaluate, classify)."""

from __future__ import annotations

import argparse
import sys

from .config import ConfigError


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="raqib", description="Arabic content moderation service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service under gunicorn")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=None, help="default: 2 per CPU core")
    serve.add_argument("--threads", type=int, default=2, help="threads per worker")
    commands.add_parser("train", help="train the classifier (see `raqib train --help`)", add_help=False)
    if argv and argv[0] == "train":
        from models.train import main as train_main

        train_main(argv[1:])
        return
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            from .serve import serve as run_serve

            run_serve(args.host, args.port, args.workers, args.threads)
    except ConfigError as err:
        print(f"raqib: configuration error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
