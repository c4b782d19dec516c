"""Helpers shared by the reliability tests: corpus splits, subprocess runs of the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.embedding.fake import HashEmbedder
from index.store.generation import Generation

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_JSONL = ROOT / "bot" / "data" / "sample" / "articles.jsonl"
EMBEDDER = HashEmbedder(256)  # what DEFNEWS_EMBEDDER=hash builds
MODEL_ID = EMBEDDER.model_id


def sample_lines() -> list[str]:
    return [ln for ln in SAMPLE_JSONL.read_text("utf-8").splitlines() if ln.strip()]


def urls_of(lines: list[str]) -> frozenset[str]:
    return frozenset(json.loads(ln)["url"] for ln in lines)


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a `defnews` subprocess: hash embedder, no developer settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFNEWS_")}
    env.update(DEFNEWS_EMBEDDER="hash", PYTHONPATH=str(ROOT), **extra)
    return env


def run_cli(args: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def indexed_urls(index_dir: Path) -> frozenset[str]:
    gen = Generation.open(index_dir, model_id=MODEL_ID)
    try:
        return frozenset(a.url for a in gen.articles())
    finally:
        gen.close()


@pytest.fixture(scope="session")
def tokenizer():
    from index.text.tokenize import KeywordTokenizer

    return KeywordTokenizer()


class ForkServer:
    """Client of tests/reliability/forkserver.py (see there); one run at a time."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.forkserver"], cwd=ROOT, env=cli_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def run(self, args: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
        out, err = cwd / ".stdout", cwd / ".stderr"
        req = {"argv": args, "env": env, "cwd": str(cwd), "out": str(out), "err": str(err)}
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "fork server died"
        rc = json.loads(line)["rc"]
        return subprocess.CompletedProcess(args, rc, out.read_text("utf-8"), err.read_text("utf-8"))

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def fork_servers():
    servers = [ForkServer() for _ in range(2)]
    yield servers
    for s in servers:
        s.close()
