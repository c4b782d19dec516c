"""Memory of a large ingest (``python -m benchmarks.ingest --synthetic 250000``): synthetic articles of about
that many chunks (recombined sample sentences, the real chunker, dates, keyword index, English, events),
passage vectors random unit vectors seeded by the text (no model: the pipeline's own cost), one cold ingest
into an empty folder. Prints the peak resident memory (``ru_maxrss``, which counts the spooled vectors'
file pages mapped while the index is built) and the peak anonymous memory (sampled from
``/proc/self/status``: what the process itself holds), each beside the memory before the ingest, when the
articles are already loaded."""

from __future__ import annotations

import gc
import os
import resource
import threading
import time
from pathlib import Path

from index.embedding.fake import HashEmbedder
from index.ingest.indexer import Indexer

from . import common
from .common import RandomPassageEmbedder, log


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
    t = time.perf_counter()
    articles = common.synthetic_articles(max(1, round(n_chunks / 3.9)), seed=11)  # ~3.9 chunks each
    log(f"synthetic: {len(articles)} articles made in {time.perf_counter() - t:.0f} s; ingesting")
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


def print_synthetic(r: dict) -> str:
    return common.print_table(
        f"cold ingest of {r['chunks']} synthetic chunks ({r['articles']} articles), random vectors "
        f"({r['vectors_mib']} MiB of float32 vectors)",
        ["chunks/s", "seconds", "anon before MiB", "anon peak MiB", "max RSS before MiB", "max RSS peak MiB"],
        [[r["chunks_per_s"], r["seconds"], r["anon_before_mib"], r["anon_peak_mib"], r["maxrss_before_mib"],
          r["maxrss_peak_mib"]]],
    )
