"""Reindexing for the bot without Discord: progress, the one summary of a run's counts, the reindexer that
remembers its last result, and the background refresh loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from index.service import IndexService, IngestReport, ReindexBusyError, SourceState

from ...core.state import StateStore
from ...core.times import utcnow

log = logging.getLogger(__name__)

REFRESH_KEY = "last_refresh"


def duration_text(seconds: float) -> str:
    """"45 s", "3 min 20 s", "2 h 05 min": a time left, to the precision that matters."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def rate_text(done: int, total: int, seconds: float, unit: str = "chunks") -> str:
    """"12.5 chunks/s, 3 min 20 s left" for ``done`` of ``total`` in ``seconds``; "" before there is a rate."""
    if done <= 0 or seconds <= 0:
        return ""
    rate = done / seconds
    text = f"{rate:,.1f} {unit}/s"
    return text + (f", {duration_text((total - done) / rate)} left" if done < total else "")


class StageClock:
    """When each stage's progress began and from what count: its rate covers that stage alone."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._start: dict[str, tuple[float, int]] = {}

    def seen(self, stage: str, done: int) -> None:
        self._start.setdefault(stage, (self.clock(), done))

    def rate(self, stage: str, done: int, total: int, unit: str = "chunks") -> str:
        """The stage's :func:`rate_text` now ("" for a stage not seen yet)."""
        if stage not in self._start:
            return ""
        t0, d0 = self._start[stage]
        return rate_text(done - d0, total - d0, self.clock() - t0, unit)


RATED_STAGES = {"embed": "chunks"}  # stages whose progress shows a rate and the time left, and their unit


@dataclass
class ReindexProgress:
    """Progress of a reindex, written from the worker thread and read by the event loop."""

    started: float = field(default_factory=time.monotonic)
    stages: dict[str, tuple[int, int]] = field(default_factory=dict)
    clock: StageClock = field(default_factory=StageClock)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.clock.seen(stage, done)
        self.stages[stage] = (done, total)  # one dict assignment: atomic under the GIL

    def text(self) -> str:
        parts = []
        labels = (("read", "sources read"), ("chunk", "articles chunked"), ("embed", "chunks embedded"),
                  ("write", "index written"))
        for stage, label in labels:
            if stage in self.stages:
                done, total = self.stages[stage]
                rate = self.clock.rate(stage, done, total, RATED_STAGES[stage]) if stage in RATED_STAGES else ""
                parts.append(f"{label} {done}/{total}" + (f" ({rate})" if rate else ""))
        elapsed = time.monotonic() - self.started
        return "Reindexing… " + (" · ".join(parts) or "starting") + f" ({elapsed:.0f} s)"


def counts_text(report: IngestReport, *, duplicates: bool = True) -> str:
    """The counts of an ingest report: "added A / updated U / unchanged N / rejected R" and what else happened."""
    return (f"added {report.added} / updated {report.updated} / unchanged {report.unchanged} / "
            f"rejected {len(report.rejected)}"
            + (f" / duplicates {report.duplicates}" if duplicates and report.duplicates else "")
            + (f" / removed {report.removed}" if report.removed else ""))


def reindex_summary(report: IngestReport, states: dict[str, SourceState], seconds: float) -> str:
    """What the bot says when a reindex is over."""
    lines = [
        f"Reindex finished in {seconds:.1f} s: {counts_text(report, duplicates=False)}. The index now holds "
        f"{report.articles_total} articles, {report.chunks_total} chunks ({report.chunks_embedded} embedded)."
    ]
    for st in states.values():
        if not st.ok:
            lines.append(f"Source {st.name!r} failed: {st.error}")
    return "\n".join(lines)


class Reindexer:
    """Runs reindexes for the bot and remembers the last one's result line (shown by /stats)."""

    def __init__(self, service: IndexService, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.service = service
        self.clock = clock
        self.last_refresh = ""

    def reindex(self, full: bool = False, progress: ReindexProgress | None = None) -> str:
        """Run a reindex (blocking). Returns the summary text; ReindexBusyError if one is running."""
        progress = progress or ReindexProgress()
        started = time.monotonic()
        report, states = self.service.reindex(full=full, progress=progress)
        summary = reindex_summary(report, states, time.monotonic() - started)
        self.last_refresh = f"{self.clock().isoformat(timespec='seconds')}: {summary.splitlines()[0]}"
        return summary


def refresh_due(last: datetime | None, now: datetime, interval_minutes: int) -> bool:
    """Whether the background refresh should run now (``interval_minutes == 0`` = never)."""
    if interval_minutes <= 0:
        return False
    return last is None or now - last >= timedelta(minutes=interval_minutes)


async def refresh_loop(reindexer: Reindexer, state: StateStore, minutes: int, *, sleep) -> None:
    """Reindex every ``minutes`` (the time of the last run is kept in the bot state across restarts)."""
    while True:
        last = await asyncio.to_thread(state.get_time, REFRESH_KEY)
        now = reindexer.clock()
        if refresh_due(last, now, minutes):
            started = time.monotonic()
            try:
                summary = await asyncio.to_thread(reindexer.reindex, False, None)
                log.info("background refresh: %s", summary.replace("\n", "; "))
            except ReindexBusyError:
                log.info("background refresh skipped: a reindex is running")
            except Exception:
                log.exception("background refresh failed after %.1f s; still serving the previous index",
                              time.monotonic() - started)
            await asyncio.to_thread(state.set_time, REFRESH_KEY, reindexer.clock())
            continue
        wait = (last - now).total_seconds() + minutes * 60
        await sleep(max(1.0, min(wait, 300.0)))
