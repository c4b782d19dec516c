"""Processes sharing one database: a writer killed mid-reindex leaves the live generation untouched and the
next run completes; two readers keep answering, each from one whole generation, while reindexes run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from index.durable import CRASH_ENV
from index.embedding.fake import HashEmbedder
from index.ingest.indexer import Indexer
from index.store.postgres.store import PostgresStore

from .corpus import corpus

ROOT = Path(__file__).resolve().parents[4]
EMB = HashEmbedder(64)


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFNEWS_")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _proc(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.index.store.postgres.procs", *args]


def _hosts(store: PostgresStore) -> set[str]:
    gen = store.open_live(model_id=EMB.model_id)
    try:
        return {a.url.split("/")[2] for a in gen.articles()}
    finally:
        gen.close()


@pytest.mark.parametrize("step", ["pg:articles", "pg:vectors", "pg:live", "cache:commit"])
def test_writer_killed_mid_reindex_leaves_the_live_generation(pg_url, step):
    store = PostgresStore(pg_url)
    Indexer(store, EMB).ingest(corpus("https://old.example", 8))
    live = store.live_id()
    run = subprocess.run(_proc("write", pg_url, "https://new.example", "40"), env=_env(**{CRASH_ENV: step}),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -9, run.stderr  # SIGKILL at the step, inside the writer's transaction
    assert store.live_id() == live and _hosts(store) == {"old.example"}
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM defnews.generations").fetchone()[0] == 1
        assert conn.execute("SELECT count(DISTINCT generation) FROM defnews.chunks").fetchone()[0] == 1
    run = subprocess.run(_proc("write", pg_url, "https://new.example", "40"), env=_env(),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert store.live_id() == json.loads(run.stdout)["generation"] != live
    assert _hosts(store) == {"new.example"}


def test_two_readers_and_a_reindex(pg_url, tmp_path):
    store = PostgresStore(pg_url)
    Indexer(store, EMB).ingest(corpus("https://g0.example", 30), full=True)
    stop = tmp_path / "stop"
    readers = [subprocess.Popen(_proc("read", pg_url, str(stop)), env=_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        time.sleep(3)  # (the readers import and load their first generation)
        written = [store.live_id()]
        for i in range(1, 5):
            report = Indexer(store, EMB).ingest(corpus(f"https://g{i}.example", 30), full=True)
            written.append(report.generation)
            time.sleep(1.0)
    finally:
        stop.touch()
        outs = [r.communicate(timeout=60) for r in readers]
    for out, err in outs:
        seen = json.loads(out.strip().splitlines()[-1])
        assert seen["failures"] == 0, (seen, err)
        assert seen["asks"] > 10
        assert len(seen["generations"]) >= 3 and set(seen["generations"]) <= set(written)
    with psycopg.connect(pg_url) as conn:  # old generations went once no reader held them
        assert conn.execute("SELECT count(*) FROM defnews.generations").fetchone()[0] <= 3
