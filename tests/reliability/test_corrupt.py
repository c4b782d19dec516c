"""Corrupt or foreign index files are detected at load with one clear message naming the file and the fix
(`defnews reindex --full`); FAISS never reads an unverified file; a running service keeps serving the
last good generation when a new one is bad; and `defnews reindex --full` repairs every case."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import cli
from index.durable import atomic_write_bytes, sha256_file
from index.errors import IndexCorruptError, IndexMismatchError
from index.ingest.indexer import Indexer
from index.models import Query
from index.search.searcher import Searcher
from index.service import IndexService
from index.sources.config import load_sources_file
from index.sources.formats import parse_jsonl_lines
from index.store.generation import Generation, current_generation
from index.store.manifest import CURRENT, MANIFEST, META, VECTORS

from .conftest import EMBEDDER, MODEL_ID, cli_env, indexed_urls, run_cli, sample_lines, urls_of, write_jsonl

HINT = "defnews reindex --full"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """An index with two generations (16 articles, then 26), plus the JSONL and sources file behind it."""
    root = tmp_path_factory.mktemp("corrupt")
    lines = sample_lines()
    index_dir = root / "index"
    Indexer(index_dir, EMBEDDER).ingest(parse_jsonl_lines(lines[:16], "a").articles)
    older = current_generation(index_dir)
    Indexer(index_dir, EMBEDDER).ingest(parse_jsonl_lines(lines, "b").articles)
    write_jsonl(root / "wire.jsonl", lines)
    (root / "sources.toml").write_text('[[sources]]\nname = "wire"\nkind = "jsonl"\npath = "wire.jsonl"\n')
    return {"index": index_dir, "older": older, "root": root, "urls": urls_of(lines)}


@pytest.fixture
def index_copy(built, tmp_path) -> Path:
    dst = tmp_path / "index"
    shutil.copytree(built["index"], dst)
    return dst


def _live(index_dir: Path) -> Path:
    gen = current_generation(index_dir)
    assert gen is not None
    return gen


def _rewrite_manifest(gen: Path, **changes) -> None:
    data = json.loads((gen / MANIFEST).read_text("utf-8"))
    data.update(changes)
    (gen / MANIFEST).write_text(json.dumps(data), encoding="utf-8")


def _refresh_checksums(gen: Path) -> None:
    """What a careless tool would do: make the manifest agree with whatever files are there now."""
    data = json.loads((gen / MANIFEST).read_text("utf-8"))
    for name in data["files"]:
        data["files"][name] = {"bytes": (gen / name).stat().st_size, "sha256": sha256_file(gen / name)}
    (gen / MANIFEST).write_text(json.dumps(data), encoding="utf-8")


def truncate_vectors(index_dir: Path, older: Path) -> str:
    path = _live(index_dir) / VECTORS
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return str(path)


def flip_vector_byte(index_dir: Path, older: Path) -> str:
    path = _live(index_dir) / VECTORS
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size: only the checksum can tell
    path.write_bytes(bytes(data))
    return str(path)


def foreign_meta(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    shutil.copy(older / META, gen / META)
    return str(gen / META)


def foreign_meta_with_forged_checksums(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    shutil.copy(older / META, gen / META)
    _refresh_checksums(gen)
    return str(gen / META)


def meta_bound_to_other_generation(index_dir: Path, older: Path) -> str:
    """Same counts, checksums agree, but the metadata says it belongs to another generation."""
    gen = _live(index_dir)
    db = sqlite3.connect(gen / META)
    with db:
        db.execute("UPDATE info SET value = ? WHERE key = 'generation'", (json.dumps(older.name),))
    db.close()
    _refresh_checksums(gen)
    return str(gen / META)


def garbage_meta_with_forged_checksums(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    (gen / META).write_bytes(b"not a database at all " * 100)
    _refresh_checksums(gen)
    return str(gen / META)


def garbage_vectors_with_forged_checksums(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    (gen / VECTORS).write_bytes(b"IxFI" + b"\xff" * 300)
    _refresh_checksums(gen)
    return str(gen / VECTORS)


def other_model_manifest(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    _rewrite_manifest(gen, model_id="sentence-transformers:some-other-model")
    return str(gen / MANIFEST)


def other_schema_manifest(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    _rewrite_manifest(gen, schema_version=99)
    return str(gen / MANIFEST)


def manifest_without_checksums(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    _rewrite_manifest(gen, files={})
    return str(gen / MANIFEST)


def manifest_not_json(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    (gen / MANIFEST).write_bytes(b"{\"schema_version\": 1, \xff")
    return str(gen / MANIFEST)


def manifest_missing(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    (gen / MANIFEST).unlink()
    return str(gen / MANIFEST)


def vectors_missing(index_dir: Path, older: Path) -> str:
    gen = _live(index_dir)
    (gen / VECTORS).unlink()
    return str(gen / VECTORS)


def current_garbage(index_dir: Path, older: Path) -> str:
    (index_dir / CURRENT).write_bytes(b"\xff\xfe\x00garbage")
    return str(index_dir / CURRENT)


def current_names_missing_generation(index_dir: Path, older: Path) -> str:
    (index_dir / CURRENT).write_text("gen-20990101T000000000000Z-abcdef\n")
    return str(index_dir / CURRENT)


DAMAGE: list[tuple[Callable[[Path, Path], str], type[Exception], str]] = [
    (truncate_vectors, IndexCorruptError, "bytes"),
    (flip_vector_byte, IndexCorruptError, "checksum"),
    (foreign_meta, IndexCorruptError, ""),
    (foreign_meta_with_forged_checksums, IndexCorruptError, "holds"),
    (meta_bound_to_other_generation, IndexCorruptError, "belongs to generation"),
    (garbage_meta_with_forged_checksums, IndexCorruptError, "not a readable database"),
    (garbage_vectors_with_forged_checksums, IndexCorruptError, "cannot be read by FAISS"),
    (other_model_manifest, IndexMismatchError, "built with model"),
    (other_schema_manifest, IndexMismatchError, "schema version 99"),
    (manifest_without_checksums, IndexCorruptError, "no checksum"),
    (manifest_not_json, IndexCorruptError, ""),
    (manifest_missing, IndexCorruptError, "missing"),
    (vectors_missing, IndexCorruptError, "missing"),
    (current_garbage, IndexCorruptError, "not text"),
    (current_names_missing_generation, IndexCorruptError, "missing"),
]
IDS = [f.__name__ for f, _, _ in DAMAGE]


@pytest.mark.parametrize(("damage", "error", "needle"), DAMAGE, ids=IDS)
def test_damage_is_detected_at_load_with_one_clear_message(built, index_copy, damage, error, needle):
    named = damage(index_copy, built["older"])
    with pytest.raises(error) as info:
        Generation.open(index_copy, model_id=MODEL_ID)
    message = str(info.value)
    assert named in message, message  # names the file
    assert HINT in message and needle in message
    assert "\n" not in message


@pytest.mark.parametrize(("damage", "error", "needle"), DAMAGE, ids=IDS)
def test_cli_reports_damage_in_one_line_and_reindex_full_repairs_it(
    built, index_copy, damage, error, needle, monkeypatch, capsys
):
    named = damage(index_copy, built["older"])
    monkeypatch.setenv("DEFNEWS_EMBEDDER", "hash")
    monkeypatch.setenv("DEFNEWS_SOURCES_FILE", str(built["root"] / "sources.toml"))
    rc = cli.main(["ask", "護衛艦の進水式", "--index-dir", str(index_copy), "--json", "-q"])
    out, err = capsys.readouterr()
    assert rc != 0 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert named in lines[0] and HINT in lines[0]
    # the advice works
    assert cli.main(["reindex", "--full", "--index-dir", str(index_copy), "-q", "--json"]) == 0
    capsys.readouterr()
    assert cli.main(["ask", "護衛艦の進水式", "--index-dir", str(index_copy), "--json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["results"]
    assert indexed_urls(index_copy) == built["urls"]


def test_real_process_prints_no_traceback(built, index_copy, tmp_path):
    named = flip_vector_byte(index_copy, built["older"])
    proc = run_cli(["ask", "護衛艦", "--index-dir", str(index_copy)], env=cli_env(), cwd=tmp_path)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert named in proc.stderr and HINT in proc.stderr


@pytest.mark.parametrize(
    "damage",
    [truncate_vectors, flip_vector_byte, foreign_meta, other_model_manifest, manifest_without_checksums],
)
def test_faiss_never_reads_an_unverified_file(built, index_copy, monkeypatch, damage):
    import faiss

    reads: list[str] = []
    real = faiss.read_index
    monkeypatch.setattr(faiss, "read_index", lambda path, *a: reads.append(path) or real(path, *a))
    Generation.open(index_copy, model_id=MODEL_ID).close()
    assert len(reads) == 1  # the spy works on a good index
    damage(index_copy, built["older"])
    with pytest.raises((IndexCorruptError, IndexMismatchError)):
        Generation.open(index_copy, model_id=MODEL_ID)
    assert len(reads) == 1


def _service(index_dir: Path, built) -> IndexService:
    return IndexService(index_dir, EMBEDDER, load_sources_file(built["root"] / "sources.toml"))


@pytest.mark.parametrize(
    "damage",
    [truncate_vectors, flip_vector_byte, foreign_meta, meta_bound_to_other_generation, other_model_manifest,
     other_schema_manifest, manifest_missing,
     current_names_missing_generation],
)
def test_service_keeps_serving_the_last_good_index_when_the_new_one_is_bad(built, index_copy, damage):
    service = _service(index_copy, built)
    before = service.search(Query("護衛艦の進水式", k=3))
    serving = service.searcher.gen.path
    assert before.hits
    # a new generation appears (another process reindexed) and turns out bad
    Indexer(index_copy, EMBEDDER).ingest(parse_jsonl_lines(sample_lines()[:5], "c").articles, full=True)
    assert current_generation(index_copy) != serving
    damage(index_copy, built["older"])
    assert service.reload() is False
    assert service.searcher.gen.path == serving
    after = service.search(Query("護衛艦の進水式", k=3))
    assert [h.chunk_id for h in after.hits] == [h.chunk_id for h in before.hits]


def test_service_keeps_serving_when_current_is_garbage(built, index_copy):
    service = _service(index_copy, built)
    assert service.search(Query("護衛艦", k=3)).hits
    atomic_write_bytes(index_copy / CURRENT, b"\xff\xfe garbage")
    assert service.reload() is False
    assert service.search(Query("護衛艦", k=3)).hits


def test_a_good_new_generation_is_swapped_in(built, index_copy):
    service = _service(index_copy, built)
    old = service.searcher.gen.path
    Indexer(index_copy, EMBEDDER).ingest(parse_jsonl_lines(sample_lines()[:5], "c").articles, full=True)
    assert service.reload() is True
    assert service.searcher.gen.path != old and len(service.searcher.articles) == 5


def test_searcher_from_a_verified_generation_answers(built, index_copy):
    gen = Generation.open(index_copy, model_id=MODEL_ID)
    assert Searcher(gen, EMBEDDER).search(Query("護衛艦", k=3)).hits
