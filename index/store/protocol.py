"""What the searcher, the indexer and the service ask of an index store, whichever holds the index.

Two stores answer it: :class:`index.store.files.FileStore` (FAISS + SQLite generations in a folder,
the default) and :class:`index.store.postgres.store.PostgresStore` (PostgreSQL + pgvector, several
processes and machines sharing one database). Callers hold an :class:`IndexStore`, read one
:class:`StoredGeneration` at a time, and never learn which store they talk to.

A generation is complete and immutable once live. Besides its articles, chunks and vectors it holds named
blobs (``keywords.npz``, ``headlines.json``, and whatever a later stage adds the same way through
:attr:`NewGeneration.extra_files`): readers ask for them by name with :meth:`StoredGeneration.blob`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

import numpy as np

from ..models import Article, Chunk
from .manifest import Manifest
from .meta import ArticleKey, ChunkRow

T_co = TypeVar("T_co", covariant=True)


class Rows(Protocol[T_co]):
    """A sized, re-iterable collection: a list, or rows streamed from disk each time it is iterated."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[T_co]: ...


@dataclass
class NewGeneration:
    """Everything a new generation holds, in vector row order. The stores read ``articles`` and ``chunks``
    once each, as streams (they need not fit in memory), and each blob of ``extra_files`` as bytes, or from
    a file (a ``Path``, or an open binary file read from its start) in pieces."""

    articles: Rows[Article]
    chunks: Rows[Chunk]  # row i of vectors belongs to the i-th chunk
    vectors: np.ndarray  # (may be memory-mapped: the stores read it in batches)
    model_id: str
    info: dict = field(default_factory=dict)
    extra_files: dict[str, bytes | Path | BinaryIO] = field(default_factory=dict)  # named blobs, e.g. keywords.npz


class VectorSearch(Protocol):
    """Dense search over one generation's vectors, by chunk row (what ``search.dense.DenseIndex`` does
    over a FAISS index in the process)."""

    sample: np.ndarray  # vectors of a fixed random sample of chunks (the corpus similarity distribution)

    @property
    def ntotal(self) -> int: ...

    def top(self, qv: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray: ...

    def dot(self, rows: np.ndarray, qv: np.ndarray) -> np.ndarray: ...

    def row_vectors(self, rows: np.ndarray) -> np.ndarray: ...


class VectorCache(Protocol):
    """Embeddings keyed by (model id, text), shared by generations and processes."""

    def get_many(self, model_id: str, texts: Sequence[str], dim: int) -> list[np.ndarray | None]: ...

    def put_many(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None: ...

    def close(self) -> None: ...


class StoredGeneration(Protocol):
    """One loaded, read-only generation. Everything read from it belongs to that generation alone."""

    manifest: Manifest
    faiss: Any  # a FAISS index of the vectors searched in this process; None when :meth:`dense_search` serves

    @property
    def id(self) -> str: ...

    def articles(self) -> Iterator[Article]: ...

    def article_keys(self) -> Iterator[ArticleKey]:
        """What ingest merges by, without the bodies, streamed in the order of :meth:`articles`."""
        ...

    def article(self, article_id: str) -> Article | None: ...

    def chunk_rows(self, rows: Sequence[int] | None = None) -> list[ChunkRow]: ...

    def vectors(self) -> np.ndarray: ...

    def blob(self, name: str) -> bytes | None: ...

    def dense_search(self) -> VectorSearch | None:
        """The store's own dense search when the vectors are searched where they are stored, else None."""
        ...

    def close(self) -> None: ...


class IndexStore(Protocol):
    """Where generations live, who may write them, and what they share (embedding cache, documents)."""

    kind: str  # "files" | "postgres"

    @property
    def location(self) -> str:
        """Where the index is, for messages and ``stats`` (never a password)."""
        ...

    def live_id(self) -> str | None:
        """The live generation's id (cheap), or None when there is no index."""
        ...

    def open_live(self, *, model_id: str | None = None) -> StoredGeneration: ...

    def open(self, gen_id: str, *, model_id: str | None = None) -> StoredGeneration: ...

    def writer(self, *, wait: bool = True) -> AbstractContextManager[None]:
        """One writer at a time: held while a generation is built and made live."""
        ...

    def remove_leftovers(self) -> None:
        """Remove what crashed writers left. Call it as the writer."""
        ...

    def write_generation(self, new: NewGeneration, *, index_type: str = "flat", crash_hook=None) -> str:
        """Write ``new`` and make it live atomically; returns its id. Call it as the writer."""
        ...

    def embedding_cache(self) -> VectorCache: ...

    def read_doc(self, name: str) -> bytes | None:
        """A small named document shared by every process of this index (e.g. the sources' state)."""
        ...

    def write_doc(self, name: str, data: bytes) -> None: ...

    def size_bytes(self, gen_id: str) -> int: ...

    def close(self) -> None: ...
