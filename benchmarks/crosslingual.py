"""English questions over Japanese articles only: answers and off-topic flags when the corpus barely writes
the question's language.

    python -m benchmarks.crosslingual --set /work/shared/eval/dev \
        --extra /work/shared/eval/dev-distractors/part-a.jsonl /work/shared/eval/dev-distractors/part-b.jsonl \
        --offtopic /work/shared/eval/offtopic/questions.jsonl benchmarks/data/offtopic-own.jsonl

The index holds the Japanese articles of the set and its extras alone (the common case of a Japanese
source). Asked: the set's questions and our own answerable ones (``benchmarks/data/answerable-own.jsonl``,
``corpus`` dev) whose expected articles are all Japanese, and the off-topic questions. Printed, for each
``SearchConfig.min_dense_rel_other`` on a grid (the nearness a question's best passage must have when the
corpus barely writes the question's script; see ``index.search.confidence``): answerable questions with the
right article first and confident, and off-topic questions flagged. The value in ``SearchConfig`` is the
lowest that flags every off-topic question it can without costing a right answer (off-topic questions that
stay confident whatever the value are listed: their words, not their nearness, carry them).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from datetime import date
from pathlib import Path

from .calibrate import OWN
from .retrieval import DEFAULT_CACHE, build_index, load_articles, load_questions, make_embedder

GRID = (-1.0, -0.4, -0.3, -0.2, -0.15, -0.1, 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.crosslingual", description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, required=True)
    ap.add_argument("--extra", type=Path, nargs="*", default=[])
    ap.add_argument("--offtopic", type=Path, nargs="*", default=[])
    ap.add_argument("--model", default="e5onnx")
    ap.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    args = ap.parse_args(argv)

    from index.models import Query
    from index.search.names import article_is_japanese
    from index.search.searcher import Searcher

    articles = [a for a in load_articles([args.set / "articles.jsonl", *args.extra]) if article_is_japanese(a)]
    urls = {a.url for a in articles}
    own = [q for p in OWN for q in load_questions(p) if q.get("corpus") == "dev"]
    answerable = [q for q in load_questions(args.set / "questions.jsonl") + own
                  if q["expected_urls"] and set(q["expected_urls"]) <= urls]
    offtopic = [q for p in args.offtopic for q in load_questions(p)]
    embedder = make_embedder(args.model)
    today = date(2025, 12, 1)
    with tempfile.TemporaryDirectory(prefix="defnews-crosslingual-") as tmp:
        base = Searcher.load(build_index(articles, embedder, args.cache_dir, Path(tmp)), embedder)
        print(f"{len(articles)} Japanese articles; {len(answerable)} answerable questions "
              f"({sum(q.get('lang') == 'en' for q in answerable)} English), {len(offtopic)} off-topic")
        print(f"{'min_dense_rel_other':>20}  right & confident  off-topic flagged")
        for value in GRID:
            s = Searcher(base.gen, embedder, config=dataclasses.replace(base.config, min_dense_rel_other=value))
            right = off = 0
            left: list[str] = []
            for q in answerable:
                a = s.search(Query(text=q["question"], k=5, today=today))
                right += bool(a.hits) and a.hits[0].url in q["expected_urls"] and a.confident
            for q in offtopic:
                a = s.search(Query(text=q["question"], k=3, today=today))
                off += not a.confident
                if a.confident:
                    left.append(q["question"])
            print(f"{value:>20}  {right / len(answerable):.3f} ({right}/{len(answerable)})"
                  f"      {off / max(1, len(offtopic)):.3f} ({off}/{len(offtopic)})"
                  + (f"  confident: {'; '.join(left[:4])}" if left else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
