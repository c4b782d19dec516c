"""``defnews ingest``, ``ask``, ``reindex``, ``stats`` and ``sources``: the index from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from index.errors import DefnewsError
from index.models import Query
from index.service import source_states

from ..core.errors import InvalidInputError
from ..core.wiring import build_service, build_sources, build_store
from ..features.ask.logic import answer_reply
from ..features.ask.terminal import render_terminal
from ..features.info.logic import StatsReply
from ..features.info.terminal import render_stats_terminal
from ..features.reindex.terminal import render_report_terminal
from .context import ensure_index, service_of, settings_of
from .progress import StderrProgress


def _print_report(report, *, as_json: bool) -> None:
    print(json.dumps(report.as_dict(), ensure_ascii=False) if as_json else render_report_terminal(report))


def cmd_ingest(args) -> int:
    paths = [Path(p) for p in args.paths]
    for p in paths:
        if not p.exists():
            raise InvalidInputError(f"no such file or folder: {p}")
    if args.url and (len(paths) != 1 or paths[0].is_dir()):
        raise InvalidInputError("--url goes with a single saved page")
    service = service_of(args)
    with StderrProgress(args.quiet) as progress:
        report = service.ingest_paths(paths, url=args.url, published=args.published, progress=progress)
    _print_report(report, as_json=args.json)
    return 0


def _read_batch(path: Path) -> list[str]:
    try:
        return [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()]
    except FileNotFoundError as exc:
        raise InvalidInputError(f"no such file: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from exc


def cmd_ask(args) -> int:
    settings = settings_of(args)
    k = args.k or settings.ask.default_k

    def query(text: str) -> Query:  # the question is checked here, where it arrives
        return Query(text, k=k, per_article=args.per_article, today=args.today,
                     max_chars=settings.ask.max_question_chars)

    if not args.batch and args.question is None:
        raise InvalidInputError("ask needs a QUESTION or --batch FILE")
    questions = _read_batch(Path(args.batch)) if args.batch else [args.question]
    if not 1 <= k <= 100:
        raise InvalidInputError("-k must be between 1 and 100")
    single = None if args.batch else query(args.question)  # before loading anything
    service = build_service(settings.index)
    ensure_index(service, args.quiet)
    service.load()
    for q in questions:
        try:
            answer = service.search(query(q) if args.batch else single)
        except DefnewsError as exc:
            if not args.batch:
                raise
            print(json.dumps({"question": q, "error": str(exc), "confident": False, "results": []},
                             ensure_ascii=False), flush=True)
            continue
        if args.json or args.batch:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(render_terminal(answer_reply(answer, english=args.english or None), context=args.context))
    return 0


def cmd_reindex(args) -> int:
    service = service_of(args)
    with StderrProgress(args.quiet) as progress:
        report, states = service.reindex(full=args.full, prune=args.prune, progress=progress)
    _print_report(report, as_json=args.json)
    if not args.json:
        for st in states.values():
            if not st.ok:
                print(f"source {st.name!r} failed: {st.error}")
    return 0


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
