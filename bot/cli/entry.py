"""The ``defnews`` command line: ingest, ask, reindex, stats, sources, chat, run, sync.

Every command reports bad input with one clear line on stderr and a non-zero exit, never a traceback. A
command's module is imported only when it runs, so ``defnews --help`` does not load discord.py or FAISS.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections.abc import Callable
from datetime import date
from types import ModuleType

from index.errors import DefnewsError

from .. import __version__

EXIT_ERROR = 2


def _index_commands():
    from . import index_commands

    return index_commands


def _chat():
    from . import chat

    return chat


def _run():
    from . import run

    return run


def _deferred(load: Callable[[], ModuleType], name: str) -> Callable[[argparse.Namespace], int]:
    """The command function ``name`` of the module ``load()`` imports, looked up when the command runs."""

    def command(args: argparse.Namespace) -> int:
        return getattr(load(), name)(args)

    command.__name__ = command.__qualname__ = name
    return command


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="defnews", description="Defence-news retrieval: CLI and Discord bot.")
    parser.add_argument("--version", action="version", version=f"defnews {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", help="index folder (default: DEFNEWS_INDEX_DIR or the per-user data folder)")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common], help="add or update articles from files or folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--url", help="source URL of a single saved page that has none")
    p.add_argument("--json", action="store_true", help="summary as JSON")
    p.set_defaults(func=_deferred(_index_commands, "cmd_ingest"))

    p = sub.add_parser("ask", parents=[common], help="answer a question from the index")
    p.add_argument("question", nargs="?", metavar="QUESTION")
    p.add_argument("-k", type=int, default=None, help="number of results (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--batch", metavar="FILE", help="one question per line; one JSON object per line out")
    p.add_argument("--per-article", type=int, default=1, help="results per article (default 1)")
    p.add_argument("--context", action="store_true", help="show each passage with the sentences around it")
    p.add_argument("--today", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                   help="resolve relative dates in questions ('last week') against this date (default: today)")
    p.set_defaults(func=_deferred(_index_commands, "cmd_ask"))

    p = sub.add_parser("reindex", parents=[common], help="re-read all configured sources")
    p.add_argument("--full", action="store_true", help="rebuild from scratch")
    p.add_argument("--prune", action="store_true", help="drop articles that disappeared from their source")
    p.add_argument("--json", action="store_true", help="summary as JSON")
    p.set_defaults(func=_deferred(_index_commands, "cmd_reindex"))

    p = sub.add_parser("stats", parents=[common], help="what the index holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_deferred(_index_commands, "cmd_stats"))

    p = sub.add_parser("sources", parents=[common], help="validate the sources file and show each source's state")
    p.add_argument("action", nargs="?", default="check", choices=["check"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_deferred(_index_commands, "cmd_sources"))

    p = sub.add_parser("chat", parents=[common], help="the bot's answers in the terminal")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help="emphasise matched terms in bold (default: when writing to a terminal)")
    p.set_defaults(func=_deferred(_chat, "cmd_chat"))

    p = sub.add_parser("run", parents=[common], help="start the Discord bot (builds the index first if needed)")
    p.set_defaults(func=_deferred(_run, "cmd_run"))

    p = sub.add_parser("sync", parents=[common], help="register the slash commands globally (or in --guild) and exit")
    p.add_argument("--guild", type=int, default=None, help="sync to this guild only (development)")
    p.set_defaults(func=_deferred(_run, "cmd_sync"))
    return parser


# What the model libraries read at import (they are imported later, by the command): with -q they say nothing
# but errors and draw no progress bars.
QUIET_LIBRARIES = {"TRANSFORMERS_VERBOSITY": "error", "HF_HUB_VERBOSITY": "error",
                   "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TQDM_DISABLE": "1", "TOKENIZERS_PARALLELISM": "false"}


def _setup_logging(verbose: bool, quiet: bool = False) -> None:
    """Warnings on stderr; -v: everything; -q: errors only, from us and from the libraries below us."""
    quiet = quiet and not verbose
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if quiet:
        for name, value in QUIET_LIBRARIES.items():
            os.environ.setdefault(name, value)
        warnings.simplefilter("ignore")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(getattr(args, "verbose", False), getattr(args, "quiet", False))
    try:
        return int(args.func(args) or 0)
    except DefnewsError as exc:
        print(f"defnews: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # (an OSError) the reader of our output went away, e.g. `defnews ask … | head`
        return 0
    except OSError as exc:  # a file problem no layer below could name better: the path and the reason
        where = f"{os.fsdecode(exc.filename)}: " if exc.filename else ""
        print(f"defnews: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("defnews: interrupted", file=sys.stderr)
        return 130
