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


@dataclass
class ReindexProgress:
    """Progress of a reindex, written from the worker thread and read by the event loop."""

    started: float = field(default_factory=time.monotonic)
    stages: dict[str, tuple[int, int]] = field(default_factory=dict)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.stages[stage] = (done, total)  # one dict assignment: atomic under the GIL

    def text(self) -> str:
        parts = []
        labels = (("read", "sources read"), ("chunk", "articles chunked"), ("embed", "chunks embedded"),
                  ("write", "index written"))
        for stage, label in labels:
            if stage in self.stages:
                done, total = self.stages[stage]
                parts.append(f"{label} {done}/{total}")
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
