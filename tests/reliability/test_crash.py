"""Crash-safe ingest and reindex: a real `defnews` process is SIGKILLed at every point where it touches
the index (via the test-only fault hook ``DEFNEWS_TEST_CRASH_AT=<n>`` in ``index.store``).

The traced run and the `defnews ask` checks start ``python -m bot.cli``; the many killed runs are forked
from a pre-warmed launcher (tests/reliability/forkserver.py) to save a second of imports each.

After each kill the index must open, answer, and hold wholly the old or wholly the new set of articles
(old strictly before ``CURRENT`` is replaced, new from then on); every complete-named generation left on
disk must open; and the next run must complete the work and leave no debris.
"""

from __future__ import annotations

import json
import queue
import shutil
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.durable import CRASH_ENV, CRASH_TRACE_ENV
from index.errors import IndexMissingError
from index.ingest.indexer import Indexer
from index.models import Query
from index.search.searcher import Searcher
from index.service import IndexService
from index.sources.config import load_sources_file
from index.sources.formats import parse_jsonl_file
from index.store.generation import Generation, current_generation, previous_generations

from .conftest import EMBEDDER, MODEL_ID, cli_env, indexed_urls, run_cli, sample_lines, urls_of, write_jsonl

CURRENT_SWITCH = "atomic:CURRENT:replaced"


@dataclass
class Scenario:
    name: str
    baseline: Path  # index folder before the run (copied for every kill)
    args: list[str]  # the defnews command (without --index-dir)
    env: dict[str, str]
    old: frozenset[str] | None  # None: there was no index
    new: frozenset[str]
    rerun: object  # callable(index_dir) -> None: the next run, in-process
    state_file: bool = False  # the run also saves sources-state.json


def _run(scn: Scenario, work: Path, *, crash_at: str | None = None, trace: Path | None = None, server=None):
    index_dir = work / "index"
    work.mkdir(parents=True)
    if scn.baseline.exists():
        shutil.copytree(scn.baseline, index_dir)
    env = dict(scn.env)
    if crash_at:
        env[CRASH_ENV] = crash_at
    if trace:
        env[CRASH_TRACE_ENV] = str(trace)
    args = [*scn.args, "--index-dir", str(index_dir), "-q", "--json"]
    runner = server.run if server is not None else run_cli
    return runner(args, env=env, cwd=work), index_dir


def _check_debris_free(index_dir: Path) -> None:
    assert not list(index_dir.glob("gen-*.tmp")), "unfinished generation left behind"
    assert not list(index_dir.glob("gen-*.trash")), "half-deleted generation left behind"
    assert not list(index_dir.glob(".CURRENT.*.tmp")), "temp pointer left behind"


def _check_after_crash(scn: Scenario, index_dir: Path, expect_new: bool, tokenizer) -> None:
    if scn.old is None and not expect_new:
        assert current_generation(index_dir) is None
        with pytest.raises(IndexMissingError):
            Generation.open(index_dir, model_id=MODEL_ID)
        return
    expected = scn.new if expect_new else scn.old
    gen = Generation.open(index_dir, model_id=MODEL_ID)
    assert frozenset(a.url for a in gen.articles()) == expected
    answer = Searcher(gen, EMBEDDER, tokenizer=tokenizer).search(Query("防衛大臣の会談", k=5))
    assert answer.hits and {h.url for h in answer.hits} <= expected
    # every generation under a complete name is complete (a fallback can rely on it)
    for prev in previous_generations(index_dir):
        Generation.open_path(prev, model_id=MODEL_ID).close()
    if scn.state_file and (index_dir / "sources-state.json").exists():
        json.loads((index_dir / "sources-state.json").read_text("utf-8"))  # old or new, never torn


def _exercise(scn: Scenario, tmp: Path, tokenizer, required_steps: set[str], servers) -> None:
    # 1. a traced, uninterrupted run lists every fault point in order
    trace = tmp / "trace.txt"
    done, index_dir = _run(scn, tmp / "traced", trace=trace)
    assert done.returncode == 0, done.stderr
    steps = [ln.split(" ", 1)[1] for ln in trace.read_text().splitlines()]
    assert required_steps <= set(steps), f"missing fault points: {required_steps - set(steps)}"
    assert indexed_urls(index_dir) == scn.new
    switch = steps.index(CURRENT_SWITCH) + 1  # first 1-based point at which the new index is live

    # 2. kill a fresh copy at every point (subprocesses in parallel)
    idle: queue.Queue = queue.Queue()
    for server in servers:
        idle.put(server)

    def crash(n: int):
        server = idle.get()
        try:
            return _run(scn, tmp / f"kill-{n:02d}", crash_at=str(n), server=server)
        finally:
            idle.put(server)

    with ThreadPoolExecutor(len(servers)) as pool:
        results = list(pool.map(crash, range(1, len(steps) + 1)))
    for n, (proc, index_dir) in enumerate(results, 1):
        where = f"{scn.name}: killed at #{n} {steps[n - 1]}"
        assert proc.returncode == -signal.SIGKILL, f"{where}: not killed (rc {proc.returncode}) {proc.stderr}"
        try:
            _check_after_crash(scn, index_dir, n >= switch, tokenizer)
            # 3. the next run completes the work
            scn.rerun(index_dir)
            assert indexed_urls(index_dir) == scn.new
            _check_debris_free(index_dir)
            if scn.state_file:
                states = json.loads((index_dir / "sources-state.json").read_text("utf-8"))
                assert [s["ok"] for s in states["sources"]] == [True]
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from exc

    # 4. `defnews ask --json` answers on the state left just before and just after the switch
    for n in (switch - 1, switch):
        proc, index_dir = _run(scn, tmp / f"ask-{n:02d}", crash_at=str(n))
        assert proc.returncode == -signal.SIGKILL
        if scn.old is None and n < switch:
            continue
        ask = run_cli(["ask", "防衛大臣の会談", "--json", "--index-dir", str(index_dir)], env=scn.env, cwd=tmp)
        assert ask.returncode == 0, ask.stderr
        urls = {r["url"] for r in json.loads(ask.stdout)["results"]}
        assert urls and urls <= (scn.new if n >= switch else scn.old)


GEN_STEPS = {"gen:mkdir", "gen:vectors", "gen:meta", "gen:fsync", "gen:manifest", "gen:renamed", "gen:rename",
             "atomic:CURRENT:partial", "atomic:CURRENT:written", CURRENT_SWITCH, "atomic:CURRENT:synced",
             "gen:current", "gen:pruned", "cache:insert", "cache:commit"}


def _ingest_into(index_dir: Path, path: Path) -> None:
    Indexer(index_dir, EMBEDDER).ingest(parse_jsonl_file(path).articles)


def test_kill_ingest_at_every_point(tmp_path, tokenizer, fork_servers):
    lines = sample_lines()
    assert len(lines) >= 24
    base = tmp_path / "baseline"
    # two generations already, so that this run also prunes one
    _ingest_into(base, write_jsonl(tmp_path / "first.jsonl", lines[:8]))
    _ingest_into(base, write_jsonl(tmp_path / "base.jsonl", lines[:16]))
    assert len(previous_generations(base)) == 1
    extra = write_jsonl(tmp_path / "extra.jsonl", lines[16:])
    scn = Scenario(
        name="ingest", baseline=base, args=["ingest", str(extra)], env=cli_env(),
        old=urls_of(lines[:16]), new=urls_of(lines), rerun=lambda d: _ingest_into(d, extra),
    )
    _exercise(scn, tmp_path, tokenizer, GEN_STEPS | {"prune:renamed", "prune:removed"}, fork_servers)


def test_kill_first_ingest_at_every_point(tmp_path, tokenizer, fork_servers):
    lines = sample_lines()[:10]
    src = write_jsonl(tmp_path / "ten.jsonl", lines)
    scn = Scenario(
        name="first ingest", baseline=tmp_path / "no-index", args=["ingest", str(src)], env=cli_env(),
        old=None, new=urls_of(lines), rerun=lambda d: _ingest_into(d, src),
    )
    _exercise(scn, tmp_path, tokenizer, GEN_STEPS, fork_servers)


def test_kill_full_reindex_at_every_point(tmp_path, tokenizer, fork_servers):
    lines = sample_lines()
    wire = tmp_path / "wire.jsonl"
    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nname = "wire"\nkind = "jsonl"\npath = "wire.jsonl"\n', encoding="utf-8")
    base = tmp_path / "baseline"
    write_jsonl(wire, lines[:16])
    IndexService(base, EMBEDDER, load_sources_file(sources)).reindex(full=True)
    write_jsonl(wire, lines[6:])  # the reindex drops 6 articles and adds 10: the sets differ both ways

    def rerun(index_dir: Path) -> None:
        service = IndexService(
            index_dir, EMBEDDER, load_sources_file(sources),
            searcher_factory=lambda gen, emb: Searcher(gen, emb, tokenizer=tokenizer),
        )
        service.reindex(full=True)

    scn = Scenario(
        name="reindex --full", baseline=base, args=["reindex", "--full"],
        env=cli_env(DEFNEWS_SOURCES_FILE=str(sources)), old=urls_of(lines[:16]), new=urls_of(lines[6:]),
        rerun=rerun, state_file=True,
    )
    state_steps = {f"atomic:sources-state.json:{s}" for s in ("partial", "written", "replaced", "synced")}
    _exercise(scn, tmp_path, tokenizer, GEN_STEPS | state_steps, fork_servers)
