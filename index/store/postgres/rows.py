"""Vectors to and from PostgreSQL's binary COPY format, a whole generation at a time.

A row of ``(generation int4, row int4, embedding vector)`` has a fixed size, so a numpy record array is
the COPY stream itself: no per-row Python work for a million vectors. pgvector's binary form of a vector
is ``int16 dim, int16 unused, float4[dim]``, big-endian like every field of the COPY format.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import numpy as np

from ..blobs import Blob, blob_pieces, blob_size

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # signature, flags, extension
TRAILER = b"\xff\xff"


def _write_dtype(dim: int) -> np.dtype:
    return np.dtype([("nf", ">i2"), ("l1", ">i4"), ("gen", ">i4"), ("l2", ">i4"), ("row", ">i4"),
                     ("l3", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("v", ">f4", (dim,))])


def _read_dtype(dim: int) -> np.dtype:
    return np.dtype([("nf", ">i2"), ("l1", ">i4"), ("row", ">i4"), ("l2", ">i4"), ("dim", ">i2"),
                     ("unused", ">i2"), ("v", ">f4", (dim,))])


def vectors_copy_stream(generation: int, vectors: np.ndarray, start: int = 0) -> bytes:
    """The binary COPY stream of rows ``start…`` of ``vectors`` for ``(generation, row, embedding)``."""
    return b"".join(vectors_copy_pieces(generation, vectors, start))


def vectors_copy_pieces(generation: int, vectors: np.ndarray, start: int = 0, batch: int = 8192) -> Iterator[bytes]:
    """:func:`vectors_copy_stream` in pieces of at most ``batch`` rows (``vectors`` may be memory-mapped:
    only one piece is copied at a time)."""
    n, dim = vectors.shape
    yield HEADER
    for lo in range(0, n, batch):
        part = vectors[lo : lo + batch]
        rec = np.zeros(len(part), _write_dtype(dim))
        rec["nf"], rec["l1"], rec["gen"], rec["l2"] = 3, 4, generation, 4
        rec["row"] = np.arange(start + lo, start + lo + len(part))
        rec["l3"], rec["dim"], rec["v"] = 4 + 4 * dim, dim, part
        yield rec.tobytes()
    yield TRAILER


def blob_copy_pieces(generation: int, name: str, blob: Blob) -> Iterator[bytes]:
    """The binary COPY stream of one ``(generation, name, data)`` row, the data read in pieces."""
    key = name.encode("utf-8")
    yield (HEADER + struct.pack(">hii", 3, 4, generation) + struct.pack(">i", len(key)) + key
           + struct.pack(">i", blob_size(blob)))
    yield from blob_pieces(blob)
    yield TRAILER


def read_vectors(cur, generation: int, n: int, dim: int, sql: str) -> np.ndarray:
    """The ``n`` vectors of ``generation`` in row order, from ``sql`` (a ``COPY (SELECT row, embedding
    …) TO STDOUT (FORMAT BINARY)``), as float32. Raises ValueError when the stream is not rows 0…n-1."""
    rdt = _read_dtype(dim)
    buf = bytearray(len(HEADER) + n * rdt.itemsize + len(TRAILER))
    view = memoryview(buf)
    pos = 0
    with cur.copy(sql, (generation,)) as cp:
        for data in cp:
            if pos + len(data) > len(buf):
                raise ValueError("more vectors than the manifest counts, or of another dimension")
            view[pos : pos + len(data)] = data
            pos += len(data)
    if pos != len(buf) or bytes(buf[: len(HEADER)]) != HEADER:
        raise ValueError("fewer vectors than the manifest counts, or of another dimension")
    rec = np.frombuffer(buf, rdt, count=n, offset=len(HEADER))
    if n and (not np.array_equal(rec["row"], np.arange(n)) or np.any(rec["dim"] != dim)):
        raise ValueError("the stored vectors are not rows 0…n-1 of the manifest's dimension")
    return np.ascontiguousarray(rec["v"], dtype=np.float32)


def vector_literal(v: np.ndarray) -> str:
    """A vector as pgvector's text form (for a query vector: exact float32 round trip)."""
    return "[" + ",".join(repr(float(x)) for x in np.asarray(v, np.float32)) + "]"
