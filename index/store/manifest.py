"""The manifest of a generation (``manifest.json``): schema version, model id, dimension, counts and the
checksums of every file; reading it, checking it against the embedder, verifying the files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..durable import sha256_file
from ..errors import IndexCorruptError, IndexMismatchError

SCHEMA_VERSION = 1



MANIFEST = "manifest.json"



VECTORS = "vectors.faiss"



META = "meta.sqlite"



CURRENT = "CURRENT"



REBUILD_HINT = "run `defnews reindex --full` to rebuild it"



REQUIRED_FILES = (VECTORS, META)



@dataclass
class Manifest:
    schema_version: int
    model_id: str
    dim: int
    articles: int
    chunks: int
    created_at: str
    index_type: str = "flat"
    files: dict[str, dict] = field(default_factory=dict)
    info: dict = field(default_factory=dict)  # free-form: last reindex summary, sources, chunker
    generation: str = ""  # id shared with meta.sqlite (info table), binds the metadata to this manifest

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, where: Path) -> Manifest:
        try:
            data = json.loads(text)
            files = data.get("files", {})
            if not isinstance(files, dict) or not all(
                isinstance(k, str) and k and "/" not in k and k not in (".", "..") and isinstance(v, dict)
                for k, v in files.items()
            ):
                raise ValueError("bad file list")
            return cls(
                schema_version=int(data["schema_version"]),
                model_id=str(data["model_id"]),
                dim=int(data["dim"]),
                articles=int(data["articles"]),
                chunks=int(data["chunks"]),
                created_at=str(data["created_at"]),
                index_type=str(data.get("index_type", "flat")),
                files=dict(files),
                info=dict(data.get("info", {})),
                generation=str(data.get("generation", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)[:100]
            raise IndexCorruptError(f"{where} is not a valid manifest ({reason}); {REBUILD_HINT}") from exc



def read_manifest(gen: Path) -> Manifest:
    path = gen / MANIFEST
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{path} is missing; {REBUILD_HINT}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"cannot read {path} ({exc}); {REBUILD_HINT}") from exc
    return Manifest.from_json(text, path)



def check_compatible(manifest: Manifest, where: Path | str, *, model_id: str | None, dim: int | None) -> None:
    """``where`` is the manifest file (named in the messages)."""
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"{where} has index schema version {manifest.schema_version}, this defnews reads "
            f"version {SCHEMA_VERSION}; {REBUILD_HINT}"
        )
    if model_id is not None and manifest.model_id != model_id:
        raise IndexMismatchError(
            f"{where} says the index was built with model {manifest.model_id!r}, but the configured model is "
            f"{model_id!r}; set DEFNEWS_EMBEDDER/DEFNEWS_MODEL back or {REBUILD_HINT}"
        )
    if dim is not None and manifest.dim != dim:
        raise IndexMismatchError(
            f"{where} says the index has dimension {manifest.dim}, the model gives {dim}; {REBUILD_HINT}"
        )



def verify_files(gen: Path, manifest: Manifest) -> None:
    """Every file listed in the manifest exists with the recorded size and SHA-256 (and the vectors and
    metadata are listed): nothing is handed to FAISS or SQLite before this passes."""
    for name in REQUIRED_FILES:
        if name not in manifest.files:
            raise IndexCorruptError(f"{gen / MANIFEST} lists no checksum for {name}; {REBUILD_HINT}")
    for name, meta in manifest.files.items():
        path = gen / name
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing; {REBUILD_HINT}")
        size = path.stat().st_size
        if size != meta.get("bytes"):
            raise IndexCorruptError(
                f"{path} has {size} bytes, its manifest says {meta.get('bytes')} (truncated or replaced); "
                f"{REBUILD_HINT}"
            )
        try:
            digest = sha256_file(path)
        except OSError as exc:
            raise IndexCorruptError(f"cannot read {path} ({exc.strerror or exc}); {REBUILD_HINT}") from exc
        if digest != meta.get("sha256"):
            raise IndexCorruptError(f"{path} does not match its checksum in the manifest; {REBUILD_HINT}")
