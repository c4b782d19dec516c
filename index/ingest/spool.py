"""The vectors of an ingest, written row by row into an unnamed temporary file as batches are embedded,
and read back as one memory-mapped array when the generation is written: the process never holds them
as Python objects, and the kernel may drop their pages. The file has no name (``O_TMPFILE``), so a crash
leaves nothing behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


class VectorSpool:
    """``rows`` x ``dim`` float32 vectors, written at any row in any order, then read as one array."""

    def __init__(self, rows: int, dim: int, folder: Path | None = None) -> None:
        self.rows, self.dim = rows, dim
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by close()
        os.ftruncate(self._file.fileno(), rows * dim * 4)
        self._row_bytes = dim * 4

    def write(self, row: int, vectors: np.ndarray) -> None:
        """Vectors for rows ``row`` … ``row + len(vectors) - 1``."""
        data = np.ascontiguousarray(vectors, dtype=np.float32)
        if data.ndim != 2 or data.shape[1] != self.dim or row < 0 or row + len(data) > self.rows:
            raise ValueError(f"{data.shape} vectors do not fit at row {row} of ({self.rows}, {self.dim})")
        view = memoryview(data).cast("B")
        offset, done = row * self._row_bytes, 0
        while done < len(view):
            done += os.pwrite(self._file.fileno(), view[done:], offset + done)

    def array(self) -> np.ndarray:
        """All vectors as a read-only, memory-mapped (rows, dim) array."""
        if self.rows == 0:
            return np.zeros((0, self.dim), np.float32)
        return np.memmap(self._file, dtype=np.float32, mode="r", shape=(self.rows, self.dim))

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> VectorSpool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
