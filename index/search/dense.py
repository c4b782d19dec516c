"""Dense retrieval over one generation's FAISS index: direct views of the stored vectors where the index
type allows it (so scoring a few rows needs no FAISS call), top-k with an optional row filter, and a fixed
random sample of vectors that stands for the corpus' similarity distribution (for the confidence z-score),
and the corpus' own scale of similarity, from unrelated to neighbouring chunks (``similarity_scale``)."""

from __future__ import annotations

import threading

import numpy as np

from ..store.keyword import top_rows
from ..store.vectors import parse_index_type

CONFIDENCE_SAMPLE = 8192  # chunks whose similarities estimate the corpus distribution (all, if fewer)
GATHER_MAX = 8192  # up to this many rows, a restricted dense search scores the rows' vectors directly


class DenseIndex:
    """Vector search over a loaded FAISS index whose ids are chunk rows. Thread-safe for searches."""

    def __init__(self, faiss_index, index_type: str) -> None:
        self.faiss = faiss_index
        self._vectors: np.ndarray | None = None  # float32 rows, a view of a flat index (no copy)
        self._vectors16: np.ndarray | None = None  # float16 rows, a view of an sqfp16 index
        self._threads = threading.local()
        self._attach_vectors(index_type)
        self.sample = self._sample_vectors()

    @property
    def ntotal(self) -> int:
        return self.faiss.ntotal

    def _attach_vectors(self, index_type: str) -> None:
        """Direct views of the stored vectors where the index type allows it (flat: float32, sqfp16:
        float16), so that scoring a few rows needs no FAISS call; IVF gets a direct map for reconstruct."""
        import faiss

        index = self.faiss
        n, d = index.ntotal, index.d
        if n == 0:
            return
        if isinstance(index, faiss.IndexFlat):
            self._vectors = faiss.rev_swig_ptr(index.get_xb(), n * d).reshape(n, d)
        elif isinstance(index, faiss.IndexScalarQuantizer) and index.sq.qtype == faiss.ScalarQuantizer.QT_fp16:
            raw = faiss.rev_swig_ptr(index.codes.data(), n * d * 2)
            self._vectors16 = raw.view(np.float16).reshape(n, d)
        else:
            ivf = faiss.try_extract_index_ivf(index)
            if ivf is not None:
                ivf.make_direct_map()
                nprobe = _nprobe(index_type)
                if nprobe:
                    ivf.nprobe = min(nprobe, ivf.nlist)

    def row_vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of ``rows`` as a float32 matrix."""
        if self._vectors is not None:
            return self._vectors[rows]
        if self._vectors16 is not None:
            return self._vectors16[rows].astype(np.float32)
        if not len(rows):
            return np.zeros((0, self.faiss.d), np.float32)
        return self.faiss.reconstruct_batch(np.ascontiguousarray(rows, np.int64))

    def _sample_vectors(self) -> np.ndarray:
        """Vectors of a fixed random sample of chunks (all chunks when there are few), for the corpus
        similarity distribution of the confidence z-score."""
        n = self.faiss.ntotal
        if n <= CONFIDENCE_SAMPLE:
            rows = np.arange(n)
        else:
            rows = np.sort(np.random.default_rng(0).choice(n, CONFIDENCE_SAMPLE, replace=False))
        return np.ascontiguousarray(self.row_vectors(rows), np.float32)

    def dot(self, rows: np.ndarray, qv: np.ndarray) -> np.ndarray:
        """Similarity of ``rows`` to the query (no BLAS: its worker threads would fight the encoder's)."""
        return np.einsum("ij,j->i", self.row_vectors(rows), qv)

    def _faiss_search(self, qv: np.ndarray, k: int, allowed_rows: np.ndarray | None = None) -> np.ndarray:
        """Rows of the top ``k`` by the FAISS index, best first, optionally among ``allowed_rows``."""
        import faiss

        if not getattr(self._threads, "single", False):  # one query: OpenMP threads only add contention
            faiss.omp_set_num_threads(1)  # per calling thread (an OpenMP ICV), not process-wide
            self._threads.single = True
        index = self.faiss
        params = sel = packed = None
        if allowed_rows is not None:
            bits = np.zeros(index.ntotal, bool)
            bits[allowed_rows] = True
            packed = np.packbits(bits, bitorder="little")  # kept alive (with sel) until the search is done
            sel = faiss.IDSelectorBitmap(index.ntotal, faiss.swig_ptr(packed))
            params = _search_params(index)
            params.sel = sel
        _, ids = index.search(qv[None, :], k, params=params)
        del sel, packed
        ids = ids[0]
        return ids[ids >= 0].astype(np.int64)

    def top(self, qv: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
        """The ``k`` rows most similar to the query, best first, among ``rows`` (None: all chunks).
        Few rows are scored directly; many go through FAISS with a selector."""
        if rows is None:
            return self._faiss_search(qv, k)
        if len(rows) <= GATHER_MAX:
            return top_rows(rows, self.dot(rows, qv), k)[0]
        return self._faiss_search(qv, k, rows)


def _nprobe(index_type: str) -> int:
    """The nprobe of an ``ivfNLIST:NPROBE`` index type (0 when it names none)."""
    try:
        kind, p = parse_index_type(index_type)
    except ValueError:
        return 0
    return p.get("nprobe", 0) if kind == "ivf" else 0


def _search_params(index):
    """Search parameters of the index's kind (to carry a selector, keeping nprobe / efSearch)."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        p = faiss.SearchParametersIVF()
        p.nprobe = ivf.nprobe
        return p
    if isinstance(index, faiss.IndexHNSW):
        p = faiss.SearchParametersHNSW()
        p.efSearch = index.hnsw.efSearch
        return p
    return faiss.SearchParameters()


SCALE_PAIRS = 2000  # pairs of neighbouring and of random chunks that set the similarity scale


def similarity_scale(dense, art_rows: list[list[int]], seed: int = 0) -> tuple[float, float] | None:
    """(unrelated, related): the median similarity of random pairs of chunks and of neighbouring chunks of
    one article, in this model's and this corpus' scale. A question's best similarity placed between the
    two says how related it is to anything here in a way raw numbers of different models cannot (a
    z-score against the corpus cannot either: an off-topic question stands far from every chunk alike, so
    its best one still stands out). None when the corpus has too few neighbouring chunks."""
    rng = np.random.default_rng(seed)
    pairs = np.asarray([(r[i], r[i + 1]) for r in art_rows for i in range(len(r) - 1)], np.int64).reshape(-1, 2)
    if len(pairs) < 2:
        return None
    if len(pairs) > SCALE_PAIRS:
        pairs = pairs[np.sort(rng.choice(len(pairs), SCALE_PAIRS, replace=False))]
    sample = dense.sample
    if len(sample) < 3:
        return None
    a = rng.integers(0, len(sample), SCALE_PAIRS)
    b = (a + rng.integers(1, len(sample), SCALE_PAIRS)) % len(sample)  # never a chunk with itself
    unrelated = float(np.median(np.einsum("ij,ij->i", sample[a], sample[b])))
    rows = np.unique(pairs)  # (sorted: each pair's rows found by search)
    vecs = np.asarray(dense.row_vectors(rows), np.float32)
    first, second = vecs[np.searchsorted(rows, pairs[:, 0])], vecs[np.searchsorted(rows, pairs[:, 1])]
    related = float(np.median(np.einsum("ij,ij->i", first, second)))
    return (unrelated, related) if related > unrelated else None
