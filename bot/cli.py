"""The ``defnews`` command line: ingest, ask, reindex, stats, sources, chat, run, sync.

Every command reports bad input with one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from index.errors import DefnewsError
from index.models import Query

from . import __version__

log = logging.getLogger(__name__)

EXIT_ERROR = 2


class CliError(Exception):
    """A user error found by the command line itself (one line)."""


# --------------------------------------------------------------------------- progress


class StderrProgress:
    """Progress on stderr: a rich bar on a terminal, a few plain lines otherwise."""

    LABELS: ClassVar[dict[str, str]] = {"read": "reading sources", "chunk": "chunking articles", "embed": "embedding chunks",
              "write": "writing index"}

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._rich = None
        self._tasks: dict[str, int] = {}
        self._last: dict[str, int] = {}
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._rich = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True,
            )

    def __enter__(self) -> StderrProgress:
        if self._rich:
            self._rich.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._rich:
            self._rich.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        label = self.LABELS.get(stage, stage)
        if self._rich:
            if stage not in self._tasks:
                self._tasks[stage] = self._rich.add_task(label, total=total)
            self._rich.update(self._tasks[stage], completed=done, total=total)
            return
        # plain: first, every 25%, last
        step = max(1, total // 4)
        boundary = done in (0, total) or done // step != self._last.get(stage, -1) // step
        if boundary and done != self._last.get(stage):
            print(f"{label}: {done}/{total}", file=sys.stderr, flush=True)
        self._last[stage] = done


# --------------------------------------------------------------------------- helpers


def _settings(args):
    from .settings import load_settings

    overrides = {}
    if getattr(args, "index_dir", None):
        overrides["index_dir"] = Path(args.index_dir)
    return load_settings(**overrides)


def _service(args):
    from .app import build_service

    return build_service(_settings(args))


def _ensure_index(service, quiet: bool = False) -> None:
    if service.has_index():
        return
    src = ", ".join(s.name for s in service.sources.sources)
    print(f"No index in {service.index_dir} yet: building it from the configured sources ({src}).",
          file=sys.stderr, flush=True)
    with StderrProgress(quiet) as progress:
        report = service.ensure_index(progress=progress)
    if report:
        print(f"Index built: {report.articles_total} articles, {report.chunks_total} chunks "
              f"in {report.seconds:.1f} s.", file=sys.stderr, flush=True)


def _print_report(report, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    print(f"added {report.added} / updated {report.updated} / unchanged {report.unchanged} / "
          f"rejected {len(report.rejected)}"
          + (f" / duplicates {report.duplicates}" if report.duplicates else "")
          + (f" / removed {report.removed}" if report.removed else ""))
    print(f"index: {report.articles_total} articles, {report.chunks_total} chunks; "
          f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s")
    for r in report.rejected:
        print(f"rejected {r.location}: {r.reason}")


# --------------------------------------------------------------------------- commands


def cmd_ingest(args) -> int:
    paths = [Path(p) for p in args.paths]
    for p in paths:
        if not p.exists():
            raise CliError(f"no such file or folder: {p}")
    if args.url and (len(paths) != 1 or paths[0].is_dir()):
        raise CliError("--url goes with a single saved page")
    service = _service(args)
    with StderrProgress(args.quiet) as progress:
        report = service.ingest_paths(paths, url=args.url, progress=progress)
    _print_report(report, as_json=args.json)
    return 0


def _render_text(answer) -> str:
    from .replies import answer_reply, render_terminal

    return render_terminal(answer_reply(answer))


def cmd_ask(args) -> int:
    from index.models import validate_question

    settings = _settings(args)
    questions: list[str]
    if args.batch:
        path = Path(args.batch)
        try:
            questions = [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()]
        except FileNotFoundError as exc:
            raise CliError(f"no such file: {path}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {path}: {exc}") from exc
    else:
        if args.question is None:
            raise CliError("ask needs a QUESTION or --batch FILE")
        validate_question(args.question, settings.max_question_chars)  # before loading anything
        questions = [args.question]
    k = args.k or settings.default_k
    if not 1 <= k <= 100:
        raise CliError("-k must be between 1 and 100")
    from .app import build_service

    service = build_service(settings)
    _ensure_index(service, args.quiet)
    service.searcher  # load once  # noqa: B018
    for q in questions:
        if args.batch:
            try:
                answer = service.search(Query(text=validate_question(q, settings.max_question_chars), k=k,
                                              per_article=args.per_article, today=args.today))
            except DefnewsError as exc:
                print(json.dumps({"question": q, "error": str(exc), "confident": False, "results": []},
                                 ensure_ascii=False), flush=True)
                continue
        else:
            answer = service.search(Query(text=q, k=k, per_article=args.per_article, today=args.today))
        if args.json or args.batch:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(_render_text(answer))
    return 0


def cmd_reindex(args) -> int:
    service = _service(args)
    with StderrProgress(args.quiet) as progress:
        report, states = service.reindex(full=args.full, prune=args.prune, progress=progress)
    _print_report(report, as_json=args.json)
    if not args.json:
        for st in states.values():
            if not st.ok:
                print(f"source {st.name!r} failed: {st.error}")
    return 0


def cmd_stats(args) -> int:
    service = _service(args)
    if not service.has_index():
        raise CliError(f"there is no index in {service.index_dir} yet: run `defnews reindex` or `defnews ask`")
    stats = service.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
        return 0
    print(f"articles:      {stats['articles']}")
    print(f"chunks:        {stats['chunks']}")
    print(f"model:         {stats['model']} (dim {stats['dimension']}, {stats['index_type']})")
    print(f"index:         {stats['index_dir']} ({stats['index_bytes'] / 1e6:.1f} MB, {stats['generation']})")
    print(f"last reindex:  {stats['last_reindex']}")
    print(f"newest article: {stats['newest_article']}")
    print("sources:")
    for s in stats["sources"]:
        state = "" if s.get("ok", True) else f"  FAILING: {s.get('error', '')}"
        print(f"  {s['name']}: {s['articles']} articles{state}")
    return 0


def cmd_sources(args) -> int:
    from index.service import source_states

    from .app import build_sources, build_store

    settings = _settings(args)
    cfg = build_sources(settings)
    states = source_states(build_store(settings))
    where = cfg.path or "bundled sample corpus (DEFNEWS_SOURCES_FILE is not set)"
    rows = []
    for spec in cfg.sources:
        st = states.get(spec.name)
        rows.append({
            "name": spec.name, "kind": spec.kind, "url": spec.url, "path": str(spec.path) if spec.path else None,
            "section": spec.section,
            "state": ("never read" if st is None else "ok" if st.ok else "failing"),
            "error": st.error if st else "", "articles": st.articles if st else None,
            "last_run": st.last_run if st else None,
        })
    if args.json:
        print(json.dumps({"file": str(where), "sources": rows}, ensure_ascii=False))
        return 0
    print(f"sources file: {where} — valid, {len(rows)} source(s)")
    for r in rows:
        target = r["url"] or r["path"]
        line = f"  {r['name']} [{r['kind']}] {target}: {r['state']}"
        if r["articles"] is not None:
            line += f", {r['articles']} articles, last run {r['last_run']}"
        if r["error"]:
            line += f" — {r['error']}"
        print(line)
    return 0


# --------------------------------------------------------------------------- parser


def _iso_date(text: str):
    from datetime import date

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
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", parents=[common], help="answer a question from the index")
    p.add_argument("question", nargs="?", metavar="QUESTION")
    p.add_argument("-k", type=int, default=None, help="number of results (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--batch", metavar="FILE", help="one question per line; one JSON object per line out")
    p.add_argument("--per-article", type=int, default=1, help="results per article (default 1)")
    p.add_argument("--today", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                   help="resolve relative dates in questions ('last week') against this date (default: today)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("reindex", parents=[common], help="re-read all configured sources")
    p.add_argument("--full", action="store_true", help="rebuild from scratch")
    p.add_argument("--prune", action="store_true", help="drop articles that disappeared from their source")
    p.add_argument("--json", action="store_true", help="summary as JSON")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("stats", parents=[common], help="what the index holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("sources", parents=[common], help="validate the sources file and show each source's state")
    p.add_argument("action", nargs="?", default="check", choices=["check"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sources)

    for register in _extra_commands():
        register(sub, common)
    return parser


def _extra_commands() -> list[Callable]:
    """Commands defined by the bot modules (chat, run, sync) register themselves here."""
    from .commands_cli import COMMANDS

    return COMMANDS


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(getattr(args, "verbose", False))
    try:
        return int(args.func(args) or 0)
    except (CliError, DefnewsError) as exc:
        print(f"defnews: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("defnews: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
