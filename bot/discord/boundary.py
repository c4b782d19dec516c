"""The one error boundary: every error of a command, a button or a mention ends here as one line for the user
(and, when unexpected, a log record with its context)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from ..core.errors import error_reply
from ..features.host import RefusedCheck
from ..features.messages import NO_MENTIONS, reply_to, text_message

log = logging.getLogger(__name__)


def user_message(error: BaseException) -> tuple[str, bool]:
    """(text for the user, unexpected?) for any error reaching the boundary."""
    error = _unwrap(error)
    if isinstance(error, RefusedCheck):
        return str(error.refusal), False
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works only in a server.", False
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {max(1, round(error.retry_after))} s.", False
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here.", False
    if isinstance(error, app_commands.TransformerError):
        return "One of the options has a value I can't use; please check it.", False
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "This command is out of date; please try again in a minute.", False
    return error_reply(error)


def _unwrap(error: BaseException) -> BaseException:
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    return error


class DefnewsTree(app_commands.CommandTree):
    """Application command errors go to :func:`report_interaction_error`."""

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_interaction_error(interaction, error)


async def report_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user (privately, or in place of the "thinking…" message) what went wrong."""
    text, unexpected = user_message(error)
    if unexpected:
        cmd = interaction.command.qualified_name if interaction.command else (interaction.data or {}).get(
            "custom_id", interaction.type.name)
        log.error("unexpected error in %s (user %s, guild %s, channel %s)", cmd, interaction.user.id,
                  interaction.guild_id, interaction.channel_id, exc_info=_unwrap(error))
    try:
        if interaction.extras.get("thinking"):
            interaction.extras["thinking"] = False
            await interaction.edit_original_response(content=text, embeds=[], view=None,
                                                     allowed_mentions=NO_MENTIONS)
        elif interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("could not tell user %s about an error: %s", interaction.user.id, exc)


async def report_message_error(message: discord.Message, error: BaseException) -> None:
    """Answer a mention that failed with what went wrong."""
    text, unexpected = user_message(error)
    if unexpected:
        log.error("unexpected error answering a mention (user %s, guild %s, channel %s)",
                  message.author.id, message.guild.id if message.guild else None, message.channel.id,
                  exc_info=error)
    try:
        await reply_to(message, text_message(text))
    except discord.HTTPException as send_exc:
        log.warning("could not reply to a mention in channel %s: %s", message.channel.id, send_exc)
