"""FAISS index types (``flat``, ``sqfp16``, ``hnswM``, ``ivfNLIST[:NPROBE]``): parsing the name and
building the index from normalised vectors (inner product)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import numpy as np

IVF_NPROBE_DEFAULT = 64  # when an "ivfN" index type names no nprobe



PGHNSW_EF_CONSTRUCTION = 64  # pgvector's default build effort



PGHNSW_EF_SEARCH = 200  # candidates per search at least (recall@10 0.91 at 100k e5-like vectors; 100: 0.80)



IVF_TRAIN_MAX = 100_000  # vectors sampled to train the IVF centroids (at least 40 per list)

ADD_BATCH = 65_536  # vectors added to a FAISS index at a time (bounds the copies made of a memory-mapped array)



def parse_index_type(index_type: str) -> tuple[str, dict]:
    """("flat" | "sqfp16" | "hnsw" | "ivf", parameters) of an index type string:

    - ``flat``: exact inner product over float32 vectors (the default);
    - ``sqfp16``: exact search over vectors stored as float16 (half the memory; scores differ from flat
      in the 4th digit);
    - ``hnswM`` (e.g. ``hnsw32``): HNSW graph, approximate, slow to build;
    - ``ivfNLIST[:NPROBE]`` (e.g. ``ivf4096:512``): inverted file, approximate, ``NPROBE`` of the
      ``NLIST`` lists searched per query (default 64). A corpus smaller than ``NLIST`` gets a flat index.
    - ``pghnsw[M][:EF]`` (PostgreSQL store only): pgvector's HNSW index searched by the database (graph
      degree ``M``, default 16; at least ``EF`` candidates per search, default 200); the vectors stay in
      the database instead of in every process.

    Raises ValueError for anything else."""
    t = index_type.strip().lower()
    if t in ("flat", "sqfp16"):
        return t, {}
    m = re.fullmatch(r"pghnsw(\d*)(?::(\d+))?", t)
    if m and int(m.group(1) or 16) >= 2 and int(m.group(2) or PGHNSW_EF_SEARCH) >= 1:
        return "pghnsw", {"m": int(m.group(1) or 16), "ef_construction": PGHNSW_EF_CONSTRUCTION,
                          "ef_search": int(m.group(2) or PGHNSW_EF_SEARCH)}
    m = re.fullmatch(r"hnsw(\d*)", t)
    if m:
        return "hnsw", {"m": int(m.group(1) or 32)}
    m = re.fullmatch(r"ivf(\d+)(?::(\d+))?", t)
    if m and int(m.group(1)) >= 1 and (m.group(2) is None or int(m.group(2)) >= 1):
        nlist = int(m.group(1))
        return "ivf", {"nlist": nlist, "nprobe": min(nlist, int(m.group(2) or IVF_NPROBE_DEFAULT))}
    raise ValueError(f"unknown index type {index_type!r} (flat, sqfp16, hnswM, ivfNLIST[:NPROBE], pghnswM[:EF])")



def build_faiss(vectors: np.ndarray, dim: int, index_type: str = "flat"):
    """A FAISS inner-product index of ``index_type`` (see :func:`parse_index_type`) holding ``vectors``;
    FAISS id == row. IVF centroids are trained on (a seeded sample of) the vectors themselves and the
    ``nprobe`` is stored in the index. ``vectors`` may be memory-mapped: they are added in batches, so
    the index's own storage is the one full copy."""
    import faiss

    kind, p = parse_index_type(index_type)
    if kind == "pghnsw":
        raise ValueError(f"index type {index_type!r} is searched by PostgreSQL, not FAISS: it needs DEFNEWS_STORE_URL")
    x = vectors
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
        index.train(np.ascontiguousarray(train, dtype=np.float32))
        index.nprobe = p["nprobe"]
    for start in range(0, len(x), ADD_BATCH):
        index.add(np.ascontiguousarray(x[start : start + ADD_BATCH], dtype=np.float32))
    return index


# The C library's messages FAISS puts into a failed write's RuntimeError, for an OSError with its errno.
_WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO)


def write_faiss(index, path: Path) -> None:
    """``faiss.write_index``, with a failed write (disk full, no permission…) raised as the OSError it is:
    FAISS reports it as a RuntimeError whose text ends with the C library's message."""
    import faiss

    try:
        faiss.write_index(index, str(path))
    except RuntimeError as exc:
        text = str(exc)
        code = next((c for c in _WRITE_ERRNOS if f"({os.strerror(c)})" in text), None)
        if code is None:
            raise
        raise OSError(code, os.strerror(code), str(path)) from exc
