"""Reindexing from the bot: /reindex (maintainers; progress shown by editing its message), the background
refresh, and the summaries of a run (for Discord and for the terminal)."""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import discord
from discord import app_commands

from index.errors import DefnewsError
from index.service import IndexService, ReindexBusyError

from ..core.permissions import Level
from ..core.state import BotState
from ..core.times import utcnow
from .host import features_of, requires
from .messages import NO_MENTIONS

log = logging.getLogger(__name__)

REFRESH_KEY = "last_refresh"


# --------------------------------------------------------------------------- logic


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


def counts_text(report, *, duplicates: bool = True) -> str:
    """The counts of an ingest report: "added A / updated U / unchanged N / rejected R" and what else happened."""
    return (f"added {report.added} / updated {report.updated} / unchanged {report.unchanged} / "
            f"rejected {len(report.rejected)}"
            + (f" / duplicates {report.duplicates}" if duplicates and report.duplicates else "")
            + (f" / removed {report.removed}" if report.removed else ""))


def reindex_summary(report, states: dict, seconds: float) -> str:
    """What the bot says when a reindex is over."""
    lines = [
        f"Reindex finished in {seconds:.1f} s: {counts_text(report, duplicates=False)}. The index now holds "
        f"{report.articles_total} articles, {report.chunks_total} chunks ({report.chunks_embedded} embedded)."
    ]
    for st in states.values():
        if not st.ok:
            lines.append(f"Source {st.name!r} failed: {st.error}")
    return "\n".join(lines)


def render_report_terminal(report) -> str:
    """An ingest or reindex report as ``defnews ingest`` / ``defnews reindex`` print it."""
    lines = [
        counts_text(report),
        f"index: {report.articles_total} articles, {report.chunks_total} chunks; "
        f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s",
    ]
    lines += [f"rejected {r.location}: {r.reason}" for r in report.rejected]
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


async def refresh_loop(reindexer: Reindexer, state: BotState, minutes: int, *, sleep) -> None:
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


# --------------------------------------------------------------------------- Discord


def build_commands() -> list[app_commands.Command]:
    @app_commands.command(name="reindex", description="Re-read the configured sources and update the index")
    @app_commands.describe(full="Rebuild from scratch instead of updating")
    @requires(Level.MAINTAINER)
    async def reindex(interaction: discord.Interaction, full: bool = False) -> None:
        await handle_reindex(interaction, full)

    return [reindex]


def reindex_busy(client) -> bool:
    """A reindex started from Discord is running, or one from anywhere else in this process."""
    task, service = getattr(client, "reindex_task", None), getattr(client, "service", None)
    return bool(task and not task.done()) or bool(service and service.reindex_running)


async def handle_reindex(interaction: discord.Interaction, full: bool) -> None:
    client = interaction.client
    reindexer = features_of(client).reindex
    if reindex_busy(client):
        raise ReindexBusyError("a reindex is already running")
    progress = ReindexProgress()
    client.reindex_task = asyncio.create_task(
        run_reindex(interaction, reindexer, full, progress, client.progress_interval), name="defnews-reindex"
    )
    await interaction.response.send_message(
        "Reindex started" + (" (full rebuild)" if full else "") + "…", allowed_mentions=NO_MENTIONS
    )


async def run_reindex(
    interaction: discord.Interaction, reindexer: Reindexer, full: bool, progress: ReindexProgress, interval: float
) -> None:
    """The reindex in a worker thread; its message shows the progress, then the summary."""
    work = asyncio.ensure_future(asyncio.to_thread(reindexer.reindex, full, progress))
    editable = True
    last_text = ""
    try:
        while not work.done():
            await asyncio.wait({work}, timeout=interval)
            if work.done() or not editable:
                continue
            text = progress.text()
            if text != last_text and interaction.response.is_done():
                last_text = text
                editable = await _edit_progress(interaction, text)
        summary = _outcome(work, interaction.user.id)
        log.info("reindex by user %s: %s", interaction.user.id, summary.splitlines()[0])
        if not await _edit_progress(interaction, summary) and interaction.channel is not None:
            try:
                await interaction.channel.send(summary[:2000], allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as exc:
                log.warning("could not report the reindex result: %s", exc)
    except asyncio.CancelledError:
        work.cancel()
        raise


def _outcome(work: asyncio.Future, user_id: int) -> str:
    try:
        return work.result()
    except ReindexBusyError:
        return "A reindex is already running; this one was not started."
    except DefnewsError as exc:
        return f"Reindex failed: {exc}"
    except Exception:
        log.exception("reindex requested by user %s failed", user_id)
        return "Reindex failed unexpectedly; the previous index is still being served. See the log."


async def _edit_progress(interaction: discord.Interaction, text: str) -> bool:
    try:
        await interaction.edit_original_response(content=text[:2000], allowed_mentions=NO_MENTIONS)
        return True
    except discord.HTTPException as exc:  # e.g. the interaction token expired after 15 minutes
        log.debug("cannot edit the reindex message: %s", exc)
        return False
