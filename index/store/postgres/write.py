"""Writing a generation into PostgreSQL: everything in one transaction that ends by naming it live.

A writer that dies at any point (SIGKILL, lost connection) leaves nothing: the server rolls the open
transaction back, so ``live`` still names the old generation and no half generation exists. Old
generations are removed afterwards, each in its own transaction, unless a reader still holds it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import numpy as np

from ...durable import fault_point
from ..blobs import blob_sha256, blob_size
from ..manifest import SCHEMA_VERSION, Manifest
from ..meta import article_values, chunk_values
from ..protocol import NewGeneration
from .rows import blob_copy_pieces, vectors_copy_pieces
from .schema import GEN_LOCK_NS, SCHEMA

log = logging.getLogger(__name__)

VECTOR_BATCH = 50_000  # vectors per COPY stream (each sent in pieces of 8192: the writer's extra memory)


def new_name() -> str:
    """A generation name of the same form as the folder store's (sortable by time)."""
    return f"gen-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:6]}"


def write_generation(conn, new: NewGeneration, *, index_type: str, hnsw: dict | None, crash_hook=None) -> str:
    """Write ``new`` and make it live, in one transaction on ``conn`` (held by the writer). Returns the
    generation's name. ``hnsw`` ({"m", "ef_construction"}) also builds a pgvector HNSW index of it.
    Articles, chunks, vectors and file blobs are streamed: the writer holds a batch of each at a time."""

    def step(name: str) -> None:
        fault_point(f"pg:{name}")
        if crash_hook is not None:
            crash_hook(name)

    vectors = np.asarray(new.vectors)  # (a memory-mapped array stays one: copied a batch at a time)
    if vectors.dtype != np.float32:
        vectors = vectors.astype(np.float32)
    if vectors.ndim != 2 or len(vectors) != len(new.chunks):
        raise ValueError("vectors and chunks differ in number")
    dim = int(vectors.shape[1])
    name = new_name()
    files = {k: {"bytes": blob_size(v), "sha256": blob_sha256(v)} for k, v in new.extra_files.items()}
    manifest = Manifest(
        schema_version=SCHEMA_VERSION, model_id=new.model_id, dim=dim, articles=len(new.articles),
        chunks=len(new.chunks), created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        index_type=index_type, files=files, info=dict(new.info), generation=name,
    )
    text_bytes = 0
    with conn.transaction(), conn.cursor() as cur:
        (gid,) = cur.execute(f"INSERT INTO {SCHEMA}.generations (name, manifest) VALUES (%s, %s) RETURNING id",
                             (name, manifest.to_json())).fetchone()
        step("generation")
        with cur.copy(f"COPY {SCHEMA}.articles FROM STDIN") as cp:
            for a in new.articles:
                cp.write_row((gid, *article_values(a)))
                text_bytes += len(a.body.encode()) + len(a.title.encode()) + len(a.url)
        step("articles")
        with cur.copy(f"COPY {SCHEMA}.chunks FROM STDIN") as cp:
            for row, c in enumerate(new.chunks):
                cp.write_row((gid, *chunk_values(row, c)))
                text_bytes += len(c.text.encode())
        step("chunks")
        for start in range(0, len(vectors), VECTOR_BATCH):
            with cur.copy(f"COPY {SCHEMA}.vectors (generation, row, embedding) FROM STDIN (FORMAT BINARY)") as cp:
                for piece in vectors_copy_pieces(gid, vectors[start : start + VECTOR_BATCH], start):
                    cp.write(piece)
        step("vectors")
        for blob_name, blob in new.extra_files.items():
            with cur.copy(f"COPY {SCHEMA}.blobs (generation, name, data) FROM STDIN (FORMAT BINARY)") as cp:
                for piece in blob_copy_pieces(gid, blob_name, blob):
                    cp.write(piece)
        step("blobs")
        # what the generation's rows hold, in bytes (text as UTF-8, vectors as float32, blobs): known now
        stored = text_bytes + vectors.nbytes + sum(f["bytes"] for f in files.values())
        manifest.info = {**manifest.info, "stored_bytes": int(stored)}
        cur.execute(f"UPDATE {SCHEMA}.generations SET manifest = %s WHERE id = %s", (manifest.to_json(), gid))
        if hnsw is not None:
            create_hnsw(cur, gid, dim, hnsw)
            step("hnsw")
        cur.execute(f"INSERT INTO {SCHEMA}.live (singleton, generation) VALUES (true, %s) "
                    "ON CONFLICT (singleton) DO UPDATE SET generation = excluded.generation", (gid,))
        step("live")
    step("committed")
    for table in ("articles", "chunks", "vectors"):  # fresh statistics, so the planner sees the new rows
        conn.execute(f"ANALYZE {SCHEMA}.{table}")
    return name


def hnsw_index_name(gid: int) -> str:
    return f"vectors_hnsw_g{int(gid)}"


def create_hnsw(cur, gid: int, dim: int, params: dict) -> None:
    """A pgvector HNSW index (inner product) over one generation's vectors: a partial index on the
    vectors cast to their dimension (the column itself takes any dimension)."""
    cur.execute(
        f"CREATE INDEX {hnsw_index_name(gid)} ON {SCHEMA}.vectors USING hnsw "
        f"((embedding::vector({int(dim)})) vector_ip_ops) WITH (m = {int(params['m'])}, "
        f"ef_construction = {int(params['ef_construction'])}) WHERE generation = {int(gid)}"
    )


def prune(conn, *, keep: int) -> list[str]:
    """Remove generations that are neither live nor among the newest ``keep`` (live included), skipping
    any that a reader holds. Returns the names removed."""
    rows = conn.execute(
        f"SELECT g.id, g.name, (l.generation IS NOT NULL) FROM {SCHEMA}.generations g "
        f"LEFT JOIN {SCHEMA}.live l ON l.generation = g.id ORDER BY g.id DESC"
    ).fetchall()
    live = next((gid for gid, _, is_live in rows if is_live), None)
    kept = [gid for gid, _, _ in rows if live is None or gid <= live][: max(keep, 1)]
    removed = []
    for gid, gname, _ in rows:
        if gid == live or gid in kept:
            continue
        if delete_generation(conn, gid):
            removed.append(gname)
        else:
            log.info("generation %s is still read by a process; removed later", gname)
    return removed


def delete_generation(conn, gid: int) -> bool:
    """Delete one generation (not the live one) in one transaction; False when a reader holds it."""
    with conn.transaction():
        (free,) = conn.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (GEN_LOCK_NS, gid)).fetchone()
        if not free:
            return False
        conn.execute(f"DROP INDEX IF EXISTS {SCHEMA}.{hnsw_index_name(gid)}")
        for table in ("vectors", "chunks", "articles", "blobs"):
            conn.execute(f"DELETE FROM {SCHEMA}.{table} WHERE generation = %s", (gid,))
        conn.execute(f"DELETE FROM {SCHEMA}.generations WHERE id = %s", (gid,))
        fault_point("pg:deleted")
    return True
