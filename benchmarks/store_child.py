"""Child processes of ``benchmarks.store``: a fresh process that opens one store as a bot would and asks
(``ask``), or asks until a stop file appears while another process reindexes (``read``). Each prints one
JSON line. Run by the parent as ``python -m benchmarks.store_child '<json spec>'``."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from benchmarks import common


def _service(spec: dict):
    from index.service import IndexService
    from index.sources.config import SourcesConfig
    from index.store.open import open_store

    embedder = common.make_embedder(spec["model"])
    store = open_store(spec.get("url"), Path(spec.get("index_dir") or "."))
    return IndexService(store, embedder, SourcesConfig(sources=())), embedder


def ask(spec: dict) -> dict:
    """Load time, resident memory and ask latency of one fresh process on one store."""
    from index.models import Query

    rss0 = common.rss_bytes()[0]
    service, embedder = _service(spec)
    embedder.warm_up()
    rss_model = common.rss_bytes()[0]
    t = time.perf_counter()
    service.searcher  # noqa: B018 - load the live generation, as the bot does before its first question
    load_s = time.perf_counter() - t
    rss_loaded = common.rss_bytes()[0]
    queries = spec["queries"]
    for q in queries[:5]:
        service.search(Query(q))
    times = common.time_each(lambda q: service.search(Query(q)), queries)
    return {"load_s": round(load_s, 2), "rss_mib": round(common.rss_bytes()[0] / 2**20, 1),
            "index_rss_mib": round((rss_loaded - rss_model) / 2**20, 1),
            "start_rss_mib": round(rss0 / 2**20, 1), **common.percentiles_ms(times)}


def read(spec: dict) -> dict:
    """Ask until ``spec["stop"]`` exists, following the live generation. A failure: an error, no answer,
    or an answer whose hits are not all of the loaded generation's articles."""
    from index.models import Query

    service, _ = _service(spec)
    stop = Path(spec["stop"])
    queries = spec["queries"]
    asks = failures = 0
    times: list[float] = []
    gens: set[str] = set()
    errors: list[str] = []
    while not stop.exists():
        try:
            service.reload()
            s = service.searcher
            t = time.perf_counter()
            ans = service.search(Query(queries[asks % len(queries)]))
            times.append(time.perf_counter() - t)
            urls = {a.url for a in s.articles.values()}
            failures += (not ans.hits) or any(h.url not in urls for h in ans.hits)
            gens.add(s.gen.id)
        except Exception as exc:  # counted: the run reports every failure
            failures += 1
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
        asks += 1
    return {"asks": asks, "failures": failures, "generations": len(gens), "errors": errors[:3],
            **common.percentiles_ms(times)}


def main() -> int:
    spec = json.loads(sys.argv[1])
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    out = ask(spec) if spec["job"] == "ask" else read(spec)
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
