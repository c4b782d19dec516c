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


def child(index_dir: str, embedder_name: str, queries: int) -> dict:
    """Runs in the child process: measure RSS step by step."""
    steps = {"start": common.rss_bytes()[0]}
    import discord  # noqa: F401  (the bot's own import weight)

    from index.models import Query
    from index.service import IndexService
    from index.sources.config import SourcesConfig

    steps["imports"] = common.rss_bytes()[0]
    embedder = common.make_embedder(embedder_name)
    embedder.warm_up()
    embedder.embed_query("ウォームアップ")
    steps["model"] = common.rss_bytes()[0]
    t0 = time.perf_counter()
    service = IndexService(Path(index_dir), embedder, SourcesConfig(sources=()))
    searcher = service.searcher
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
    from index.store.generation import current_generation

    gen = current_generation(index_dir)
    files = {f.name: round(f.stat().st_size / 2**20, 1) for f in sorted(gen.iterdir()) if f.is_file()}
    return {"generation_mib": round(sum(files.values()), 1), "files_mib": files}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--embedder", default="e5onnx", choices=common.EMBEDDERS)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--workdir", default=str(common.RESULTS), help="where synthetic indexes are cached")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--index-type", default="flat", help="index type (flat, sqfp16, ivfNLIST:NPROBE, hnswM)")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.embedder, args.queries)))
        return {}

    from .latency import ensure_index

    info = common.machine_info()
    print(common.machine_line(info), flush=True)
    embedder = common.make_embedder(args.embedder)
    results = []
    for n in common.parse_sizes(args.sizes):
        log(f"memory {n:,}: building/reusing index (random vectors)")
        d, build = ensure_index(n, embedder, vectors="random", root=Path(args.workdir), index_type=args.index_type)
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
        f"memory of a serving process ({embedder.model_id}; imports discord.py; random vectors)",
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
