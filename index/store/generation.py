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
import json
import logging
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..durable import (
    atomic_write_bytes,
    fault_point,
    fsync_dir,
    fsync_file,
    sha256_file,
)
from ..errors import IndexCorruptError, IndexMissingError, folder_error
from ..models import Article, Chunk
from .blobs import write_blob
from .manifest import (
    CURRENT,
    MANIFEST,
    META,
    REBUILD_HINT,
    SCHEMA_VERSION,
    VECTORS,
    Manifest,
    check_compatible,
    read_manifest,
    verify_files,
)
from .meta import (
    KEY_COLUMNS,
    ArticleKey,
    ChunkRow,
    article_from_row,
    dates_from_json,
    key_from_row,
    write_meta,
)
from .protocol import NewGeneration
from .vectors import build_faiss, write_faiss

log = logging.getLogger(__name__)

_GEN_NAME = re.compile(r"gen-[0-9]{8}T[0-9]{12}Z-[0-9a-f]{6}")


def is_generation_name(name: str) -> bool:
    """True for the name of a complete generation folder (not ``….tmp``/``….trash``)."""
    return bool(_GEN_NAME.fullmatch(name))


# --------------------------------------------------------------------------- reading a generation


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's folder, or None when there is no index."""
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    except (NotADirectoryError, PermissionError) as exc:  # the folder is a file, or not ours to read
        raise folder_error(exc, index_dir, action="read") from exc
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

    @property
    def id(self) -> str:
        return self.path.name

    def close(self) -> None:
        self.db.close()

    def blob(self, name: str) -> bytes | None:
        """A named blob of this generation (a file listed, and so checksummed, in its manifest)."""
        if name not in self.manifest.files or name in (MANIFEST, META, VECTORS):
            return None
        try:
            return (self.path / name).read_bytes()
        except OSError as exc:
            raise IndexCorruptError(f"cannot read {self.path / name} ({exc}); {REBUILD_HINT}") from exc

    def dense_search(self) -> None:
        """None: the vectors are searched in this process, through :attr:`faiss`."""
        return None

    # -- metadata access

    def articles(self) -> Iterator[Article]:
        for row in self.db.execute(
            "SELECT id, url, title, published, section, source, body, content_hash, body_hash, alt_urls "
            "FROM articles ORDER BY published, id"
        ):
            yield article_from_row(row)

    def article_keys(self) -> Iterator[ArticleKey]:
        for row in self.db.execute(f"SELECT {KEY_COLUMNS} FROM articles ORDER BY published, id"):
            yield key_from_row(row)

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
            ChunkRow(r, Chunk(a, o, s, e, t, dates_from_json(d))) for r, a, o, s, e, t, d in cur.fetchall()
        ]

    def vectors(self) -> np.ndarray:
        """All vectors in row order (from the FAISS index)."""
        n = self.faiss.ntotal
        if n == 0:
            return np.zeros((0, self.manifest.dim), np.float32)
        return self.faiss.reconstruct_n(0, n)


# --------------------------------------------------------------------------- writing a generation


def write_generation(
    index_dir: Path, new: NewGeneration, *, index_type: str = "flat", keep: int = 2, crash_hook=None
) -> Path:
    """Write ``new`` as a generation and make it live atomically. Returns the generation folder.

    Call it holding :func:`writer_lock`. ``crash_hook(step)`` is called between steps (tests use it to
    simulate a crash at each point), as is the test-only :func:`fault_point`.
    """

    def step(name: str) -> None:
        fault_point(f"gen:{name}")
        if crash_hook is not None:
            crash_hook(name)

    index_dir.mkdir(parents=True, exist_ok=True)
    vectors = np.asarray(new.vectors)  # (a memory-mapped array stays one: no copy here)
    if vectors.dtype != np.float32:
        vectors = vectors.astype(np.float32)
    if vectors.ndim != 2 or len(vectors) != len(new.chunks):
        raise ValueError("vectors and chunks differ in number")
    dim = int(vectors.shape[1])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"gen-{stamp}-{uuid.uuid4().hex[:6]}"
    tmp = index_dir / f"{name}.tmp"
    tmp.mkdir()
    step("mkdir")
    write_faiss(build_faiss(vectors, dim, index_type), tmp / VECTORS)
    step("vectors")
    write_meta(tmp / META, new.articles, new.chunks, new.info, name)
    step("meta")
    for fname, blob in new.extra_files.items():
        write_blob(blob, tmp / fname)
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
