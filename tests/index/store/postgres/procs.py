"""Subprocesses of the PostgreSQL store's tests: a writer (``write URL PREFIX N``) and a reader that asks
until a stop file appears (``read URL STOPFILE``) and prints what it saw as JSON.

Run as ``python -m tests.index.store.postgres.procs …`` with the repository on PYTHONPATH.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from index.embedding.fake import HashEmbedder
from index.ingest.indexer import Indexer
from index.models import Query
from index.service import IndexService
from index.sources.config import SourcesConfig
from index.store.postgres.store import PostgresStore

from .corpus import corpus

EMB = HashEmbedder(64)


def write(url: str, prefix: str, n: int) -> None:
    report = Indexer(PostgresStore(url), EMB).ingest(corpus(prefix, n), full=True)
    print(json.dumps({"generation": report.generation}))


def _host(url: str) -> str:
    return url.split("/")[2]


def read(url: str, stop: Path) -> None:
    """Ask, follow the live generation and open it afresh, until ``stop`` exists. A failure is any answer or
    generation that mixes two corpora, or any error."""
    store = PostgresStore(url)
    service = IndexService(store, EMB, SourcesConfig(sources=()))
    asks = failures = 0
    seen: set[str] = set()
    errors: list[str] = []
    while not stop.exists():
        try:
            service.reload()
            s = service.searcher
            corpus_host = {_host(a.url) for a in s.articles.values()}
            hits = service.search(Query("護衛艦の入港", k=5)).hits
            gen = store.open_live(model_id=EMB.model_id)
            try:
                fresh = {_host(a.url) for a in gen.articles()}
                n_chunks = len(gen.chunk_rows())
                whole = n_chunks == gen.manifest.chunks
            finally:
                gen.close()
            mixed = len(corpus_host) != 1 or {_host(h.url) for h in hits} - corpus_host or len(fresh) != 1
            failures += bool(mixed) or not whole or not hits
            seen.add(s.gen.id)
            asks += 1
        except Exception as exc:  # counted and shown: the test expects none
            failures += 1
            errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"asks": asks, "failures": failures, "generations": sorted(seen), "errors": errors[:5]}))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        read(sys.argv[2], Path(sys.argv[3]))
