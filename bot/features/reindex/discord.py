"""/reindex on Discord (maintainers): the run goes to a worker thread and its message shows the progress,
then the summary."""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio
import logging

import discord
from discord import app_commands

from index.errors import DefnewsError
from index.service import ReindexBusyError

from ...core.permissions import Level
from ..host import features_of, requires
from ..messages import NO_MENTIONS
from .logic import Reindexer, ReindexProgress

log = logging.getLogger(__name__)


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
