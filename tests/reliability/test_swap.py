"""Swap under load: 50 threads query an IndexService while reindexes replace the index several times.

Every answer must come wholly from one generation: its hits all belong to the old article set or all to
the new one (the sets differ both ways, so a mixed answer is visible), and each passage is part of the text
stored for that chunk. No query may fail.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from index.models import Query
from index.search.searcher import Searcher
from index.service import IndexService
from index.sources.config import SourcesConfig
from index.sources.formats import ParseResult, parse_jsonl_lines
from index.store.generation import Generation

from .conftest import EMBEDDER, sample_lines

THREADS = 50
SWAPS = 2


def test_answers_come_wholly_from_one_generation_while_reindex_swaps(tmp_path, tokenizer):
    lines = sample_lines()
    set_a = parse_jsonl_lines(lines[:16], "a").articles  # old: A + B
    set_b = parse_jsonl_lines(lines[6:], "b").articles  # new: B + C
    urls = {"old": {a.url for a in set_a}, "new": {a.url for a in set_b}}
    only_old, only_new = urls["old"] - urls["new"], urls["new"] - urls["old"]
    assert only_old and only_new

    service = IndexService(
        tmp_path / "index", EMBEDDER, SourcesConfig(sources=()),
        searcher_factory=lambda gen, emb: Searcher(gen, emb, tokenizer=tokenizer),
    )
    service.ingest_parsed(ParseResult(articles=set_a), full=True)
    questions = [a.title[:30] for a in set_a[:6] + set_b[-10:]] + ["防衛大臣の会談", "護衛艦の進水式"]

    done = threading.Event()
    results: list[tuple[set[str], list[tuple[str, str]]]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS + 1)

    def asker(i: int) -> int:
        start.wait()
        n = 0
        while not done.is_set() or n < 3:
            q = questions[(i + n) % len(questions)]
            try:
                answer = service.search(Query(q, k=5))
            except BaseException as exc:  # every failure is a test failure
                with lock:
                    errors.append(exc)
                return n
            with lock:
                results.append(({h.url for h in answer.hits}, [(h.chunk_id, h.passage) for h in answer.hits]))
            n += 1
            time.sleep(0.01)  # 50 users asking continuously, not 50 threads hogging the GIL
        return n

    def reindexer() -> list[str]:
        start.wait()
        served = []
        for k in range(SWAPS):
            service.ingest_parsed(ParseResult(articles=set_b if k % 2 == 0 else set_a), full=True)
            served.append(service.searcher.gen.path.name)
        done.set()
        return served

    with ThreadPoolExecutor(THREADS + 1) as pool:
        askers = [pool.submit(asker, i) for i in range(THREADS)]
        swapper = pool.submit(reindexer)
        generations = swapper.result(timeout=300)
        counts = [f.result(timeout=300) for f in askers]

    assert not errors, f"{len(errors)} queries failed, first: {errors[0]!r}"
    assert len(set(generations)) == SWAPS  # every reindex swapped in a new generation
    assert min(counts) >= 3 and len(results) == sum(counts)
    passages: dict[str, str] = {}  # chunk_id -> its article's body (the same in every generation that holds it)
    for gen_dir in (tmp_path / "index").glob("gen-*"):
        gen = Generation.open_path(gen_dir, model_id=EMBEDDER.model_id)
        bodies = {a.id: a.body for a in gen.articles()}
        passages.update({r.chunk.chunk_id: bodies[r.chunk.article_id] for r in gen.chunk_rows()})
        gen.close()
    seen_old = seen_new = 0
    for hit_urls, hits in results:
        assert hit_urls <= urls["old"] or hit_urls <= urls["new"], f"mixed answer: {sorted(hit_urls)}"
        for chunk_id, passage in hits:
            if chunk_id in passages:  # (generations pruned meanwhile are not on disk to compare with)
                assert passage and passage in passages[chunk_id]  # a span of that article's body
        seen_old += bool(hit_urls & only_old)
        seen_new += bool(hit_urls & only_new)
    # the load really overlapped the swaps: answers came from both article sets
    assert seen_old and seen_new
