"""The ``defnews`` command line: ingest, ask, digest, reindex, stats, sources, chat, run, sync.

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
from .exits import EXIT_CODES_HELP, EXIT_ERROR, EXIT_INTERRUPTED


def _index_commands():
    from . import index_commands

    return index_commands


def _chat():
    from . import chat

    return chat


def _run():
    from . import run

    return run


def _events():
    from . import events

    return events


def _digest():
    from . import digest

    return digest


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


def _sub(sub, name: str, help: str, example: str, parents) -> argparse.ArgumentParser:
    return sub.add_parser(name, parents=parents, help=help, description=help[:1].upper() + help[1:] + ".",
                          epilog=f"example:\n  {example}\n\nexit codes: see `defnews --help`",
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _period_options(p: argparse.ArgumentParser, default: str = "") -> None:
    """--since, --until, --section: read as on Discord (/ask, /digest)."""
    p.add_argument("--since", metavar="WHEN", help="articles published since WHEN: a duration (12h, 7d, 2w) "
                   f"before now or a date (2025-07-01){default}")
    p.add_argument("--until", metavar="WHEN", help="articles published until WHEN (a date: until its end)")
    p.add_argument("--section", help="articles of this section only (e.g. 日本の防衛; an unknown one is refused "
                   "with the list of sections)")


def _workers(text: str) -> int | str:
    """``--workers``: a number from 1 to 64, or "auto" (resolved by the command, against the cores)."""
    if text.strip().lower() == "auto":
        return "auto"
    if not text.strip().isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r}: a number from 1 to 64, or auto")
    return int(text)


def _workers_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=_workers, default=None, metavar="N",
                   help="processes that embed the chunks, each on its share of the cores; auto: one per two "
                   "cores, at most 4 (default DEFNEWS_INGEST_WORKERS, 1)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="defnews", description="Defence-news retrieval: CLI and Discord bot.",
        epilog=f'example:\n  defnews ask "who visited MOD on July 4"\n\n{EXIT_CODES_HELP}',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"defnews {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", help="index folder (default: DEFNEWS_INDEX_DIR or the per-user data folder)")
    common.add_argument("-q", "--quiet", action="store_true", help="errors only: no progress, no library messages")
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = [common]

    p = _sub(sub, "ingest", "add or update articles from files or folders",
             "defnews ingest saved-pages/ articles.jsonl", parents)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--url", help="source URL of a single saved page that has none")
    p.add_argument("--published", metavar="DATE",
                   help="publication date (2025-10-21 or 2025-10-21T08:55+09:00) for pages that do not show one")
    p.add_argument("--json", action="store_true", help="summary as JSON, with each item read and its status")
    _workers_option(p)
    p.set_defaults(func=_deferred(_index_commands, "cmd_ingest"))

    p = _sub(sub, "ask", "answer a question from the index",
             'defnews ask "護衛艦の進水式" --since 2025-07-01 --section 装備 -k 3', parents)
    p.add_argument("question", nargs="?", metavar="QUESTION")
    p.add_argument("-k", type=int, default=None, help="number of results, 1 to 100 (default DEFNEWS_DEFAULT_K, 5)")
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    p.add_argument("--batch", metavar="FILE", help="one question per line; the answers in the same order")
    p.add_argument("--per-article", type=int, default=1, help="results per article (default 1)")
    p.add_argument("--context", action="store_true", help="show each passage with the sentences around it")
    p.add_argument("--english", action="store_true", help="lead with the English answer lines (as for English questions)")
    p.add_argument("--today", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                   help="resolve relative dates ('last week' in a question, --since 7d) against this date "
                   "(default: today)")
    _period_options(p)
    p.set_defaults(func=_deferred(_index_commands, "cmd_ask"))

    p = _sub(sub, "digest", "the articles of a period grouped by section, as /digest posts them",
             "defnews digest --since 2025-07-01 --until 2025-07-31", parents)
    _period_options(p, "; default 7d")
    p.add_argument("--json", action="store_true", help="the digest as JSON")
    p.set_defaults(func=_deferred(_digest, "cmd_digest"))

    p = _sub(sub, "reindex", "re-read all configured sources", "defnews reindex --prune", parents)
    p.add_argument("--full", action="store_true", help="rebuild from scratch")
    p.add_argument("--prune", action="store_true", help="drop articles that disappeared from their source")
    p.add_argument("--json", action="store_true", help="summary as JSON")
    _workers_option(p)
    p.set_defaults(func=_deferred(_index_commands, "cmd_reindex"))

    p = _sub(sub, "stats", "what the index holds", "defnews stats --json", parents)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_deferred(_index_commands, "cmd_stats"))

    p = _sub(sub, "sources", "validate the sources file and show each source's state",
             "DEFNEWS_SOURCES_FILE=sources.toml defnews sources check", parents)
    p.add_argument("action", nargs="?", default="check", choices=["check"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_deferred(_index_commands, "cmd_sources"))
    _events_command(sub, parents)
    _bot_commands(sub, parents)
    return parser


def _events_command(sub, parents) -> None:
    """events: what the articles record of meetings, visits, exercises, launches."""
    p = _sub(sub, "events", "meetings, visits, exercises, launches... in the articles",
             "defnews events --since 2025-07-01 --until 2025-07-31 --type courtesy_call --json", parents)
    p.add_argument("--since", help="events on or after: a date (2025-07-01) or a duration ago (7d, 2w)")
    p.add_argument("--until", help="events on or before: a date (2025-07-31) or a duration ago (7d)")
    p.add_argument("--type", help="one type: courtesy_call, meeting, phone_talk, visit, exercise, launch, delivery, "
                   "commissioning or appointment")
    p.add_argument("--json", action="store_true", help='{"events": [...]}')
    p.set_defaults(func=_deferred(_events, "cmd_events"))


def _bot_commands(sub, parents) -> None:
    """chat, run, sync: the bot in the terminal and on Discord."""
    p = _sub(sub, "chat", "the bot's answers in the terminal", "defnews chat --color never", parents)
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help="emphasise matched terms in bold (default: when writing to a terminal)")
    p.set_defaults(func=_deferred(_chat, "cmd_chat"))

    p = _sub(sub, "run", "start the Discord bot (builds the index first if needed)", "defnews run -v", parents)
    p.set_defaults(func=_deferred(_run, "cmd_run"))

    p = _sub(sub, "sync", "register the slash commands globally (or in --guild) and exit",
             "defnews sync --guild 123456789012345678", parents)
    p.add_argument("--guild", type=int, default=None, help="sync to this guild only (development)")
    p.set_defaults(func=_deferred(_run, "cmd_sync"))


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
        return EXIT_INTERRUPTED
