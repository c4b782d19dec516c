"""What a feature's Discord side needs of the client it runs in: the features, the declarative permission
check, the ``section`` option's autocomplete.

The slash commands are built before the bot is set up (``defnews sync`` never sets it up), so handlers find
the feature logic at run time on ``interaction.client``:

- ``features``: the :class:`bot.features.catalog.Features` (None until set up) — see :func:`features_of`;
- ``settings``: the :class:`bot.core.settings.Settings` (the check below reads its ``access`` section);
- ``service``: the IndexService (None for ``defnews sync``);
- ``await actor_of(interaction)``: the :class:`bot.core.permissions.Actor` behind an interaction;
- ``await report_interaction_error(interaction, error)``: the error boundary, for buttons;
- ``reindex_task`` / ``progress_interval``: the running reindex and how often its message is edited.

``bot.discord.client.DefnewsBot`` is that client.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from index.errors import DefnewsError

from ..core.errors import PermissionRefused, Refusal
from ..core.permissions import Level, require

log = logging.getLogger(__name__)


def features_of(client):
    """The client's features; a one-line DefnewsError while it is still starting."""
    features = getattr(client, "features", None)
    if features is None:
        raise DefnewsError("The bot is still starting; try again in a moment.")
    return features


class RefusedCheck(app_commands.CheckFailure):
    """A permission check refused: carries the domain refusal for the error boundary."""

    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal
        super().__init__(str(refusal))


def requires(level: Level):
    """Declarative permission: a Discord default (hides the command) plus a check at run time."""

    def decorator(func):
        if level is Level.MODERATOR:
            func = app_commands.default_permissions(manage_messages=True)(func)
        elif level is Level.MAINTAINER:
            func = app_commands.default_permissions(manage_guild=True)(func)

        async def predicate(interaction: discord.Interaction) -> bool:
            client = interaction.client
            actor = await client.actor_of(interaction)
            try:
                require(actor, level, client.settings.access)
            except PermissionRefused as exc:
                log.info("refused /%s to user %s", getattr(interaction.command, "name", "?"), interaction.user.id)
                raise RefusedCheck(exc) from None
            return True

        return app_commands.check(predicate)(func)

    return decorator


async def section_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete of a ``section`` option: the sections containing what was typed (none while starting)."""
    features = getattr(interaction.client, "features", None)
    if features is None:
        return []
    sections = await asyncio.to_thread(features.service.sections)
    cur = (current or "").lower()
    return [app_commands.Choice(name=s[:100], value=s[:100]) for s in sections if cur in s.lower()][:25]
