"""The default store: FAISS + SQLite generations in one folder (see :mod:`.generation` for the layout),
the embedding cache beside them, small shared documents as files. Nothing on disk differs from what
:mod:`.generation` always wrote: an index written before opens as it is."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from ..durable import atomic_write_bytes, writer_lock
from ..errors import ConfigError, IndexCorruptError, IndexMissingError
from .cache import EmbeddingCache
from .generation import (
    Generation,
    current_generation,
    index_size_bytes,
    is_generation_name,
    remove_leftovers,
    write_generation,
)
from .manifest import REBUILD_HINT
from .protocol import IndexStore, NewGeneration
from .vectors import parse_index_type

log = logging.getLogger(__name__)

CACHE_FILE = "cache.sqlite"


class FileStore:
    """An index folder on this machine. Readers need no lock; writers hold the folder's ``.lock``."""

    kind = "files"

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)

    @property
    def location(self) -> str:
        return str(self.index_dir)

    def live_id(self) -> str | None:
        gen = current_generation(self.index_dir)
        return gen.name if gen is not None else None

    def open_live(self, *, model_id: str | None = None) -> Generation:
        return Generation.open(self.index_dir, model_id=model_id)

    def open(self, gen_id: str, *, model_id: str | None = None) -> Generation:
        path = self.index_dir / gen_id
        if not is_generation_name(gen_id):
            raise IndexMissingError(f"{gen_id!r} is not a generation of {self.index_dir}")
        if not path.is_dir():
            raise IndexCorruptError(f"{path} is missing; {REBUILD_HINT}")
        return Generation.open_path(path, model_id=model_id)

    @contextlib.contextmanager
    def writer(self, *, wait: bool = True) -> Iterator[None]:
        with writer_lock(self.index_dir, wait=wait):
            yield

    def remove_leftovers(self) -> None:
        remove_leftovers(self.index_dir)

    def write_generation(self, new: NewGeneration, *, index_type: str = "flat", crash_hook=None) -> str:
        if parse_index_type(index_type)[0] == "pghnsw":
            raise ConfigError(f"index type {index_type!r} is searched by PostgreSQL: set DEFNEWS_STORE_URL, "
                              "or choose flat, sqfp16, hnswM or ivfNLIST for an index folder")
        return write_generation(self.index_dir, new, index_type=index_type, crash_hook=crash_hook).name

    def embedding_cache(self) -> EmbeddingCache:
        return EmbeddingCache(self.index_dir / CACHE_FILE)

    def read_doc(self, name: str) -> bytes | None:
        try:
            return (self.index_dir / _doc_name(name)).read_bytes()
        except FileNotFoundError:
            return None

    def write_doc(self, name: str, data: bytes) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.index_dir / _doc_name(name), data)

    def size_bytes(self, gen_id: str) -> int:
        return index_size_bytes(self.index_dir / gen_id)

    def close(self) -> None:
        """Nothing is held open between calls."""


def _doc_name(name: str) -> str:
    if not name or "/" in name or name.startswith(".") or is_generation_name(name):
        raise ValueError(f"not a document name: {name!r}")
    return name


def as_store(target: Path | str | IndexStore) -> IndexStore:
    """``target`` itself when it is a store, else the :class:`FileStore` of that folder."""
    if isinstance(target, (str, Path)):
        return FileStore(Path(target))
    return target
