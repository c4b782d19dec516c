"""Memory of a large ingest (``python -m benchmarks.ingest --synthetic 250000``): synthetic articles of about
that many chunks (recombined sample sentences, the real chunker, dates, keyword index, English, events),
passage vectors random unit vectors seeded by the text (no model: the pipeline's own cost), one cold ingest
into an empty folder. The articles are made one at a time as the ingest reads them (a stream: the input
corpus is not counted). Prints the peak resident memory (``ru_maxrss``, which counts the spooled vectors'
file pages mapped while the index is built) and the peak anonymous memory (sampled from
``/proc/self/status``: what the process itself holds), each beside the memory before the ingest.

Each size runs in a fresh process (``python -m benchmarks.ingest_synthetic CHUNKS FOLDER`` prints one JSON
line); :func:`synthetic_sizes` runs a fifth of the size and the size itself, so that the growth per chunk
shows beside the fixed cost.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from index.embedding.fake import HashEmbedder
from index.ingest.indexer import Indexer

from . import common
from .common import RandomPassageEmbedder, log

ROOT = Path(__file__).resolve().parents[1]  # where ``-m benchmarks....`` is found


def _anon_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


class AnonPeak:
    """Samples RssAnon every ``interval`` seconds on a thread; ``peak`` in KiB."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval, self.peak = interval, _anon_kib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, _anon_kib())

    def __enter__(self) -> AnonPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _anon_kib())


def synthetic_run(n_chunks: int, work: Path) -> dict:
    """One cold ingest of about ``n_chunks`` synthetic chunks into ``work``; figures in MiB and seconds."""
    n_articles = max(1, round(n_chunks / 3.9))  # ~3.9 chunks each
    articles = common.iter_synthetic_articles(n_articles, seed=11)  # made as the ingest reads them
    log(f"synthetic: ingesting {n_articles} articles as they are made")
    gc.collect()
    before_anon, before_max = _anon_kib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "embed" and (time.monotonic() - last[0] > 30 or done == total):
            last[0] = time.monotonic()
            log(f"embed {done}/{total}, RssAnon {_anon_kib() / 1024:.0f} MiB")

    with AnonPeak() as anon:
        report = Indexer(work, RandomPassageEmbedder(HashEmbedder(common.DIM)), batch_size=64).ingest(
            articles, full=True, progress=progress)
    peak_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mib = 1024.0
    return {
        "articles": report.articles_total, "chunks": report.chunks_total, "seconds": round(report.seconds, 1),
        "chunks_per_s": round(report.chunks_total / report.seconds, 1) if report.seconds else None,
        "vectors_mib": round(report.chunks_total * common.DIM * 4 / 2**20, 1),
        "anon_before_mib": round(before_anon / mib, 1), "anon_peak_mib": round(anon.peak / mib, 1),
        "maxrss_before_mib": round(before_max / mib, 1), "maxrss_peak_mib": round(peak_max / mib, 1),
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def synthetic_sizes(n_chunks: int, workdir: str | None = None) -> list[dict]:
    """:func:`synthetic_run` at a fifth of ``n_chunks`` and at ``n_chunks``, each in a fresh process."""
    runs = []
    for size in sorted({max(1, n_chunks // 5), n_chunks}):
        with tempfile.TemporaryDirectory(prefix="defnews-bench-synthetic-", dir=workdir) as tmp:
            out = subprocess.run([sys.executable, "-m", "benchmarks.ingest_synthetic", str(size), tmp],
                                 check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return runs


def growth_kib_per_chunk(runs: list[dict], key: str = "anon_peak_mib") -> float | None:
    """How much the peak grows per chunk between the smallest and the largest run, in KiB."""
    if len(runs) < 2 or runs[-1]["chunks"] == runs[0]["chunks"]:
        return None
    return round((runs[-1][key] - runs[0][key]) * 1024 / (runs[-1]["chunks"] - runs[0]["chunks"]), 2)


def print_synthetic(runs: list[dict] | dict) -> str:
    runs = [runs] if isinstance(runs, dict) else runs
    growth = growth_kib_per_chunk(runs)
    return common.print_table(
        "cold ingest of synthetic chunks, input streamed, random vectors (float32 vectors: 1.5 KiB a chunk)"
        + (f"; anon peak grows {growth} KiB per chunk" if growth is not None else ""),
        ["chunks", "articles", "chunks/s", "seconds", "vectors MiB", "anon before MiB", "anon peak MiB",
         "max RSS before MiB", "max RSS peak MiB"],
        [[r["chunks"], r["articles"], r["chunks_per_s"], r["seconds"], r["vectors_mib"], r["anon_before_mib"],
          r["anon_peak_mib"], r["maxrss_before_mib"], r["maxrss_peak_mib"]] for r in runs],
    )


if __name__ == "__main__":  # a child of synthetic_sizes: one run, one JSON line
    print(json.dumps(synthetic_run(int(sys.argv[1]), Path(sys.argv[2]))), flush=True)
