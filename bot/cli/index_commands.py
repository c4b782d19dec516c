"""``defnews ingest``, ``ask``, ``reindex``, ``stats`` and ``sources``: the index from the command line."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path

from index.errors import DefnewsError
from index.models import Answer, Query
from index.service import resolve_workers, source_states

from ..core.errors import InvalidInputError
from ..core.times import parse_period, utcnow, zone
from ..core.wiring import build_service, build_sources, build_store
from ..features.ask.logic import NARROW_TIPS, answer_reply
from ..features.ask.terminal import render_terminal
from ..features.info.logic import StatsReply
from ..features.info.terminal import articles, render_stats_terminal
from ..features.reindex.terminal import render_report_terminal
from ..features.sections import check_section
from .context import ensure_index, service_of, settings_of
from .exits import EXIT_OK, EXIT_PARTIAL
from .progress import StderrProgress

MAX_K = 100  # results of one `defnews ask`


def _print_report(report, *, as_json: bool, extra: dict | None = None) -> None:
    print(json.dumps({**report.as_dict(), **(extra or {})}, ensure_ascii=False) if as_json
          else render_report_terminal(report))


def cmd_ingest(args) -> int:
    paths = [Path(p) for p in args.paths]
    for p in paths:
        if not p.exists():
            raise InvalidInputError(f"no such file or folder: {p}")
    if args.url and (len(paths) != 1 or paths[0].is_dir()):
        raise InvalidInputError("--url goes with a single saved page")
    service = service_of(args)
    with StderrProgress(args.quiet) as progress:
        report = service.ingest_paths(paths, url=args.url, published=args.published, progress=progress,
                                      workers=_workers(args))
    _print_report(report, as_json=args.json)
    return EXIT_PARTIAL if report.rejected else EXIT_OK  # the rest is indexed either way


def _workers(args) -> int | None:
    """``--workers`` (None: the setting DEFNEWS_INGEST_WORKERS)."""
    return None if args.workers is None else resolve_workers(args.workers)


def _read_batch(path: Path) -> list[str]:
    try:
        return [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()]
    except FileNotFoundError as exc:
        raise InvalidInputError(f"no such file: {path}") from exc
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path} ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"cannot read {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _ask_options(args, settings) -> dict:
    """-k, --per-article, --since/--until (read as /ask reads them), --section: Query keyword arguments."""
    k = settings.ask.default_k if args.k is None else args.k
    if not 1 <= k <= MAX_K:
        raise InvalidInputError(f"-k must be between 1 and {MAX_K}")
    tz = zone(settings.digest.digest_timezone)
    now = utcnow() if args.today is None else datetime.combine(args.today, time.max, tzinfo=tz)
    since, until = parse_period(args.since, args.until, now, tz)
    return {"k": k, "per_article": args.per_article, "today": args.today, "since": since, "until": until,
            "section": (args.section or "").strip() or None, "max_chars": settings.ask.max_question_chars}


def _answer_text(answer: Answer, query: Query, *, context: bool, english: bool = False) -> str:
    reply = answer_reply(answer, english=english or None)
    if not reply.items and (query.since or query.until or query.section):
        reply = replace(reply, tips=(reply.tips + " " + NARROW_TIPS).strip())
    return render_terminal(reply, context=context)


def cmd_ask(args) -> int:
    settings = settings_of(args)
    if not args.batch and args.question is None:
        raise InvalidInputError("ask needs a QUESTION or --batch FILE")
    options = _ask_options(args, settings)
    questions = _read_batch(Path(args.batch)) if args.batch else [args.question]
    single = None if args.batch else Query(args.question, **options)  # checked before anything is loaded
    service = build_service(settings.index)
    ensure_index(service, args.quiet)
    service.load()
    check_section(service, options["section"])
    failed = 0
    for n, text in enumerate(questions):
        try:
            query = single or Query(text, **options)
            answer = service.search(query)
        except DefnewsError as exc:
            if not args.batch:
                raise
            failed += 1
            out = (json.dumps({"question": text, "error": str(exc), "confident": False, "results": []},
                              ensure_ascii=False) if args.json else f"Q: {text}\nerror: {exc}")
        else:
            out = (json.dumps(answer.to_json(), ensure_ascii=False) if args.json
                   else _answer_text(answer, query, context=args.context, english=args.english))
        print(out if args.json or n == 0 else "\n" + out, flush=True)  # text answers: a blank line between
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_reindex(args) -> int:
    service = service_of(args)
    with StderrProgress(args.quiet) as progress:
        report, states = service.reindex(full=args.full, prune=args.prune, progress=progress, workers=_workers(args))
    failed = [{"name": st.name, "error": st.error} for st in states.values() if not st.ok]
    _print_report(report, as_json=args.json, extra={"failed_sources": failed})
    if not args.json:
        for f in failed:
            print(f"source {f['name']!r} failed: {f['error']}")
    return EXIT_PARTIAL if failed else EXIT_OK  # what the other sources gave is indexed


def cmd_stats(args) -> int:
    service = service_of(args)
    if not service.has_index():
        raise InvalidInputError(f"there is no index in {service.index_dir} yet: run `defnews reindex` or `defnews ask`")
    stats = service.stats()
    print(json.dumps(stats, ensure_ascii=False) if args.json else render_stats_terminal(StatsReply.from_stats(stats)))
    return 0


def cmd_sources(args) -> int:
    settings = settings_of(args)
    cfg = build_sources(settings.index)
    states = source_states(build_store(settings.index))
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
    failing = sum(r["state"] == "failing" for r in rows)  # at their last run
    code = EXIT_PARTIAL if failing else EXIT_OK
    if args.json:
        print(json.dumps({"file": str(where), "sources": rows}, ensure_ascii=False))
        return code
    print(f"sources file: {where} — valid, {len(rows)} source(s)" + (f", {failing} failing" if failing else ""))
    for r in rows:
        target = r["url"] or r["path"]
        line = f"  {r['name']} [{r['kind']}] {target}: {r['state']}"
        if r["articles"] is not None:
            line += f", {articles(r['articles'])}, last run {r['last_run']}"
        if r["error"]:
            line += f" — {r['error']}"
        print(line)
    return code
