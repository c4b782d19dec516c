"""On-disk index: atomic generations of FAISS vectors + SQLite metadata + a manifest; an embedding cache.

Layout of an index folder::

    CURRENT                 name of the live generation (replaced atomically)
    gen-<stamp>/            one complete, immutable generation
        manifest.json       schema version, model id, dimension, counts, file checksums
        vectors.faiss       normalised vectors, inner product; FAISS id == chunk row
        meta.sqlite         articles and chunks (no pickle anywhere)
    cache.sqlite            embedding cache keyed by (model id, text hash), shared by generations
    .lock                   writers hold an exclusive flock on it

A writer builds a new generation in ``gen-….tmp``, fsyncs every file and the folder, renames it, then
replaces ``CURRENT`` (write temp, fsync, rename, fsync folder). A crash at any point leaves ``CURRENT``
naming a complete generation: the old one or the new one. Readers verify the manifest's checksums before
FAISS sees a file.

Writers must hold :func:`writer_lock`; readers need no lock (they only ever follow ``CURRENT``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from ..models import Article, Chunk, DateSpan
from .durable import (
    atomic_write_bytes,
    fault_point,
    fsync_dir,
    fsync_file,
    sha256_file,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
META = "meta.sqlite"
CURRENT = "CURRENT"
REBUILD_HINT = "run `defnews reindex --full` to rebuild it"
REQUIRED_FILES = (VECTORS, META)
_GEN_NAME = re.compile(r"gen-[0-9]{8}T[0-9]{12}Z-[0-9a-f]{6}")


def is_generation_name(name: str) -> bool:
    """True for the name of a complete generation folder (not ``….tmp``/``….trash``)."""
    return bool(_GEN_NAME.fullmatch(name))


# --------------------------------------------------------------------------- manifest


@dataclass
class Manifest:
    schema_version: int
    model_id: str
    dim: int
    articles: int
    chunks: int
    created_at: str
    index_type: str = "flat"
    files: dict[str, dict] = field(default_factory=dict)
    info: dict = field(default_factory=dict)  # free-form: last reindex summary, sources, chunker
    generation: str = ""  # id shared with meta.sqlite (info table), binds the metadata to this manifest

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, where: Path) -> Manifest:
        try:
            data = json.loads(text)
            files = data.get("files", {})
            if not isinstance(files, dict) or not all(
                isinstance(k, str) and k and "/" not in k and k not in (".", "..") and isinstance(v, dict)
                for k, v in files.items()
            ):
                raise ValueError("bad file list")
            return cls(
                schema_version=int(data["schema_version"]),
                model_id=str(data["model_id"]),
                dim=int(data["dim"]),
                articles=int(data["articles"]),
                chunks=int(data["chunks"]),
                created_at=str(data["created_at"]),
                index_type=str(data.get("index_type", "flat")),
                files=dict(files),
                info=dict(data.get("info", {})),
                generation=str(data.get("generation", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)[:100]
            raise IndexCorruptError(f"{where} is not a valid manifest ({reason}); {REBUILD_HINT}") from exc


# --------------------------------------------------------------------------- SQLite metadata

_META_SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, title TEXT NOT NULL, published TEXT NOT NULL,
    section TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL, content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL, alt_urls TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id), ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, dates TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX chunks_article ON chunks(article_id, ordinal);
CREATE INDEX articles_published ON articles(published);
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _dates_to_json(dates: Sequence[DateSpan]) -> str:
    return json.dumps([[d.first.isoformat(), d.last.isoformat(), d.granularity] for d in dates])


def _dates_from_json(text: str) -> tuple[DateSpan, ...]:
    from datetime import date

    return tuple(DateSpan(date.fromisoformat(a), date.fromisoformat(b), g) for a, b, g in json.loads(text))


def article_from_row(row: sqlite3.Row | tuple) -> Article:
    _id, url, title, published, section, source, body, _ch, _bh, alt = row
    return Article(
        url=url, title=title, published=datetime.fromisoformat(published), body=body, section=section,
        source=source, alt_urls=tuple(json.loads(alt)),
    )


@dataclass(frozen=True)
class ChunkRow:
    """A chunk as stored, with its FAISS row."""

    row: int
    chunk: Chunk


# --------------------------------------------------------------------------- the embedding cache


class EmbeddingCache:
    """Vectors keyed by (model id, sha256 of the embedded text), in SQLite with WAL.

    Re-embedding unchanged text costs a lookup. Safe to share between processes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect(path)
        except sqlite3.DatabaseError as exc:  # damaged: it is only a cache, so set it aside and start afresh
            aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            log.warning("embedding cache %s is unreadable (%s); moved it to %s and starting a new one",
                        path, exc, aside.name)
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{path}{suffix}", f"{aside}{suffix}")
            self._db = self._connect(path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL,"
                " vec BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID"
            )
            db.commit()
            db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM vectors LIMIT 1)").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def get_many(self, model_id: str, texts: Sequence[str], dim: int) -> list[np.ndarray | None]:
        keys = [self.key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(part))})"
            for k, v in self._db.execute(q, [model_id, *part]):
                vec = np.frombuffer(v, dtype=np.float32)
                if vec.shape == (dim,):
                    found[bytes(k)] = vec
        return [found.get(k) for k in keys]

    def put_many(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors in one transaction (all or none survive a crash)."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, vec) VALUES (?, ?, ?)",
                [
                    (model_id, self.key(t), np.asarray(v, np.float32).tobytes())
                    for t, v in zip(texts, vectors, strict=True)
                ],
            )
            fault_point("cache:insert")
        fault_point("cache:commit")

    def close(self) -> None:
        self._db.close()


# --------------------------------------------------------------------------- reading a generation


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's folder, or None when there is no index."""
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexCorruptError(f"cannot read {pointer} ({exc.strerror}); {REBUILD_HINT}") from exc
    except UnicodeDecodeError as exc:
        raise IndexCorruptError(f"{pointer} is not text; {REBUILD_HINT}") from exc
    if not is_generation_name(name):
        raise IndexCorruptError(f"{pointer} does not name a generation; {REBUILD_HINT}")
    gen = index_dir / name
    if not gen.is_dir():
        raise IndexCorruptError(f"{pointer} names {name}, which is missing; {REBUILD_HINT}")
    return gen


def read_manifest(gen: Path) -> Manifest:
    path = gen / MANIFEST
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{path} is missing; {REBUILD_HINT}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"cannot read {path} ({exc}); {REBUILD_HINT}") from exc
    return Manifest.from_json(text, path)


def check_compatible(manifest: Manifest, where: Path, *, model_id: str | None, dim: int | None) -> None:
    """``where`` is the manifest file (named in the messages)."""
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"{where} has index schema version {manifest.schema_version}, this defnews reads "
            f"version {SCHEMA_VERSION}; {REBUILD_HINT}"
        )
    if model_id is not None and manifest.model_id != model_id:
        raise IndexMismatchError(
            f"{where} says the index was built with model {manifest.model_id!r}, but the configured model is "
            f"{model_id!r}; set DEFNEWS_EMBEDDER/DEFNEWS_MODEL back or {REBUILD_HINT}"
        )
    if dim is not None and manifest.dim != dim:
        raise IndexMismatchError(
            f"{where} says the index has dimension {manifest.dim}, the model gives {dim}; {REBUILD_HINT}"
        )


def verify_files(gen: Path, manifest: Manifest) -> None:
    """Every file listed in the manifest exists with the recorded size and SHA-256 (and the vectors and
    metadata are listed): nothing is handed to FAISS or SQLite before this passes."""
    for name in REQUIRED_FILES:
        if name not in manifest.files:
            raise IndexCorruptError(f"{gen / MANIFEST} lists no checksum for {name}; {REBUILD_HINT}")
    for name, meta in manifest.files.items():
        path = gen / name
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing; {REBUILD_HINT}")
        size = path.stat().st_size
        if size != meta.get("bytes"):
            raise IndexCorruptError(
                f"{path} has {size} bytes, its manifest says {meta.get('bytes')} (truncated or replaced); "
                f"{REBUILD_HINT}"
            )
        try:
            digest = sha256_file(path)
        except OSError as exc:
            raise IndexCorruptError(f"cannot read {path} ({exc.strerror or exc}); {REBUILD_HINT}") from exc
        if digest != meta.get("sha256"):
            raise IndexCorruptError(f"{path} does not match its checksum in the manifest; {REBUILD_HINT}")


class Generation:
    """A loaded, verified, read-only generation: FAISS index + metadata connection."""

    def __init__(self, path: Path, manifest: Manifest, faiss_index, db: sqlite3.Connection) -> None:
        self.path = path
        self.manifest = manifest
        self.faiss = faiss_index
        self.db = db

    @classmethod
    def open(cls, index_dir: Path, *, model_id: str | None = None, dim: int | None = None) -> Generation:
        gen = current_generation(index_dir)
        if gen is None:
            raise IndexMissingError(f"there is no index in {index_dir} yet")
        return cls.open_path(gen, model_id=model_id, dim=dim)

    @classmethod
    def open_path(cls, gen: Path, *, model_id: str | None = None, dim: int | None = None) -> Generation:
        import faiss

        manifest = read_manifest(gen)
        check_compatible(manifest, gen / MANIFEST, model_id=model_id, dim=dim)
        verify_files(gen, manifest)
        try:
            index = faiss.read_index(str(gen / VECTORS))
        except RuntimeError as exc:
            raise IndexCorruptError(f"{gen / VECTORS} cannot be read by FAISS; {REBUILD_HINT}") from exc
        if index.d != manifest.dim or index.ntotal != manifest.chunks:
            raise IndexCorruptError(
                f"{gen / VECTORS} holds {index.ntotal} vectors of dimension {index.d}, the manifest says "
                f"{manifest.chunks} of {manifest.dim}; {REBUILD_HINT}"
            )
        db = None
        try:
            db = sqlite3.connect(f"file:{gen / META}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            (n_chunks,) = db.execute("SELECT COUNT(*) FROM chunks").fetchone()
            (n_articles,) = db.execute("SELECT COUNT(*) FROM articles").fetchone()
            row = db.execute("SELECT value FROM info WHERE key = 'generation'").fetchone()
            meta_gen = json.loads(row[0]) if row else ""
        except (sqlite3.DatabaseError, ValueError) as exc:
            if db is not None:
                db.close()
            raise IndexCorruptError(
                f"{gen / META} is not a readable database ({exc}); {REBUILD_HINT}"
            ) from exc
        problem = ""
        if n_chunks != manifest.chunks or n_articles != manifest.articles:
            problem = (f"holds {n_articles} articles and {n_chunks} chunks, the manifest says "
                       f"{manifest.articles} and {manifest.chunks}")
        elif manifest.generation and meta_gen != manifest.generation:
            problem = (f"belongs to generation {meta_gen or '(none)'!r}, "
                       f"the manifest to {manifest.generation!r}")
        if problem:
            db.close()
            raise IndexCorruptError(f"{gen / META} {problem}; {REBUILD_HINT}")
        return cls(gen, manifest, index, db)

    def close(self) -> None:
        self.db.close()

    # -- metadata access

    def articles(self) -> Iterator[Article]:
        for row in self.db.execute(
            "SELECT id, url, title, published, section, source, body, content_hash, body_hash, alt_urls "
            "FROM articles ORDER BY published, id"
        ):
            yield article_from_row(row)

    def article(self, article_id: str) -> Article | None:
        row = self.db.execute(
            "SELECT id, url, title, published, section, source, body, content_hash, body_hash, alt_urls "
            "FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        return article_from_row(row) if row else None

    def chunk_rows(self, rows: Sequence[int] | None = None) -> list[ChunkRow]:
        sql = 'SELECT row, article_id, ordinal, start, "end", text, dates FROM chunks'
        if rows is None:
            cur = self.db.execute(sql + " ORDER BY row")
        else:
            if not rows:
                return []
            cur = self.db.execute(sql + f" WHERE row IN ({','.join('?' * len(rows))})", list(map(int, rows)))
        return [
            ChunkRow(r, Chunk(a, o, s, e, t, _dates_from_json(d))) for r, a, o, s, e, t, d in cur.fetchall()
        ]

    def vectors(self) -> np.ndarray:
        """All vectors in row order (from the FAISS index)."""
        n = self.faiss.ntotal
        if n == 0:
            return np.zeros((0, self.manifest.dim), np.float32)
        return self.faiss.reconstruct_n(0, n)


# --------------------------------------------------------------------------- writing a generation


@dataclass
class NewGeneration:
    """Everything a new generation holds, in FAISS row order."""

    articles: list[Article]
    chunks: list[Chunk]  # row i of vectors belongs to chunks[i]
    vectors: np.ndarray
    model_id: str
    info: dict = field(default_factory=dict)
    extra_files: dict[str, bytes] = field(default_factory=dict)  # e.g. a persisted keyword index


IVF_NPROBE_DEFAULT = 64  # when an "ivfN" index type names no nprobe
IVF_TRAIN_MAX = 100_000  # vectors sampled to train the IVF centroids (at least 40 per list)


def parse_index_type(index_type: str) -> tuple[str, dict]:
    """("flat" | "sqfp16" | "hnsw" | "ivf", parameters) of an index type string:

    - ``flat``: exact inner product over float32 vectors (the default);
    - ``sqfp16``: exact search over vectors stored as float16 (half the memory; scores differ from flat
      in the 4th digit);
    - ``hnswM`` (e.g. ``hnsw32``): HNSW graph, approximate, slow to build;
    - ``ivfNLIST[:NPROBE]`` (e.g. ``ivf4096:512``): inverted file, approximate, ``NPROBE`` of the
      ``NLIST`` lists searched per query (default 64). A corpus smaller than ``NLIST`` gets a flat index.

    Raises ValueError for anything else."""
    t = index_type.strip().lower()
    if t in ("flat", "sqfp16"):
        return t, {}
    m = re.fullmatch(r"hnsw(\d*)", t)
    if m:
        return "hnsw", {"m": int(m.group(1) or 32)}
    m = re.fullmatch(r"ivf(\d+)(?::(\d+))?", t)
    if m and int(m.group(1)) >= 1 and (m.group(2) is None or int(m.group(2)) >= 1):
        nlist = int(m.group(1))
        return "ivf", {"nlist": nlist, "nprobe": min(nlist, int(m.group(2) or IVF_NPROBE_DEFAULT))}
    raise ValueError(f"unknown index type {index_type!r} (flat, sqfp16, hnswM, ivfNLIST[:NPROBE])")


def build_faiss(vectors: np.ndarray, dim: int, index_type: str = "flat"):
    """A FAISS inner-product index of ``index_type`` (see :func:`parse_index_type`) holding ``vectors``;
    FAISS id == row. IVF centroids are trained on (a seeded sample of) the vectors themselves and the
    ``nprobe`` is stored in the index."""
    import faiss

    kind, p = parse_index_type(index_type)
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if kind == "ivf" and len(x) < max(p["nlist"], 1) * 39:  # FAISS wants ~39 training points per list
        kind = "flat"  # too small to partition: exact search is cheap anyway
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "sqfp16":
        index = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, p["m"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, p["nlist"], faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        n_train = max(IVF_TRAIN_MAX, 40 * p["nlist"])  # FAISS wants >= 39 points per centroid
        train = x if len(x) <= n_train else x[np.sort(rng.choice(len(x), n_train, replace=False))]
        index.train(train)
        index.nprobe = p["nprobe"]
    if len(x):
        index.add(x)
    return index


def _write_meta(path: Path, new: NewGeneration, generation: str) -> None:
    db = sqlite3.connect(path)
    try:
        db.executescript(_META_SCHEMA)
        with db:
            db.executemany(
                "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (a.id, a.url, a.title, a.published.isoformat(), a.section, a.source, a.body,
                     a.content_hash, a.body_hash, json.dumps(list(a.alt_urls), ensure_ascii=False))
                    for a in new.articles
                ],
            )
            db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?)",
                [
                    (row, c.article_id, c.ordinal, c.start, c.end, c.text, _dates_to_json(c.dates))
                    for row, c in enumerate(new.chunks)
                ],
            )
            db.executemany(
                "INSERT INTO info VALUES (?, ?)",
                [
                    (k, json.dumps(v, ensure_ascii=False))
                    for k, v in {**new.info, "generation": generation}.items()
                ],
            )
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()


def write_generation(
    index_dir: Path, new: NewGeneration, *, index_type: str = "flat", keep: int = 2, crash_hook=None
) -> Path:
    """Write ``new`` as a generation and make it live atomically. Returns the generation folder.

    Call it holding :func:`writer_lock`. ``crash_hook(step)`` is called between steps (tests use it to
    simulate a crash at each point), as is the test-only :func:`fault_point`.
    """
    import faiss

    def step(name: str) -> None:
        fault_point(f"gen:{name}")
        if crash_hook is not None:
            crash_hook(name)

    index_dir.mkdir(parents=True, exist_ok=True)
    vectors = np.ascontiguousarray(new.vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(new.chunks):
        raise ValueError("vectors and chunks differ in number")
    dim = int(vectors.shape[1])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"gen-{stamp}-{uuid.uuid4().hex[:6]}"
    tmp = index_dir / f"{name}.tmp"
    tmp.mkdir()
    step("mkdir")
    faiss.write_index(build_faiss(vectors, dim, index_type), str(tmp / VECTORS))
    step("vectors")
    _write_meta(tmp / META, new, name)
    step("meta")
    for fname, data in new.extra_files.items():
        (tmp / fname).write_bytes(data)
    files = {}
    for f in sorted(tmp.iterdir()):
        fsync_file(f)
        files[f.name] = {"bytes": f.stat().st_size, "sha256": sha256_file(f)}
    step("fsync")
    manifest = Manifest(
        schema_version=SCHEMA_VERSION, model_id=new.model_id, dim=dim, articles=len(new.articles),
        chunks=len(new.chunks), created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        index_type=index_type, files=files, info=new.info, generation=name,
    )
    with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
        fh.write(manifest.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    fsync_dir(tmp)
    step("manifest")
    final = index_dir / name
    os.rename(tmp, final)
    step("renamed")
    fsync_dir(index_dir)
    step("rename")
    atomic_write_bytes(index_dir / CURRENT, (name + "\n").encode())
    step("current")
    prune_generations(index_dir, keep=keep)
    step("pruned")
    return final


def prune_generations(index_dir: Path, *, keep: int = 2) -> None:
    """Remove leftovers and old generations. Call it holding :func:`writer_lock`.

    Removed: unfinished ``….tmp`` folders of crashed writers, complete generations newer than the live
    one (a writer crashed before switching ``CURRENT`` to them), and all but the newest ``keep`` complete
    generations. The live generation is never removed. A generation is first renamed to ``….trash`` (one
    atomic step) and then deleted, so a crash mid-delete never leaves a half generation under a valid name.
    """
    if not index_dir.is_dir():
        return
    try:
        live = current_generation(index_dir)
    except IndexCorruptError:  # unknown live generation: remove only unfinished folders
        live, keep, pointer_ok = None, 0, False
    else:
        pointer_ok = True
    dirs = [p for p in index_dir.glob("gen-*") if p.is_dir()]
    complete = sorted(p for p in dirs if is_generation_name(p.name))
    stale = [p for p in dirs if not is_generation_name(p.name)]  # .tmp, .trash
    if live is not None:
        stale += [p for p in complete if p.name > live.name]  # orphans: never made live
        complete = [p for p in complete if p.name <= live.name]
    if keep > 0 and pointer_ok:
        stale += [p for p in complete[:-keep] if p != live]
    for p in stale:
        if p == live:
            continue
        target = p
        if is_generation_name(p.name):
            target = p.with_name(p.name + ".trash")
            try:
                os.rename(p, target)
            except OSError:
                continue
            fault_point("prune:renamed")
        shutil.rmtree(target, ignore_errors=True)
        fault_point("prune:removed")
    for old in index_dir.glob(f".{CURRENT}.*.tmp"):  # temp pointers of crashed writers
        with contextlib.suppress(OSError):
            old.unlink()


def remove_leftovers(index_dir: Path) -> None:
    """Remove what crashed writers left (``….tmp``/``….trash`` folders, never-live generations, temp
    pointers), keeping every generation that was live. Call it holding :func:`writer_lock`."""
    prune_generations(index_dir, keep=0)


def previous_generations(index_dir: Path) -> list[Path]:
    """Complete generations other than the live one, newest first (for falling back to a good one)."""
    live = current_generation(index_dir)
    gens = sorted(
        (p for p in index_dir.glob("gen-*") if p.is_dir() and is_generation_name(p.name)), reverse=True
    )
    return [p for p in gens if p != live]


def index_size_bytes(gen: Path) -> int:
    return sum(f.stat().st_size for f in gen.iterdir() if f.is_file())
