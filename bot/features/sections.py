"""The index's sections as command options: checked before searching, offered while typing."""

from __future__ import annotations

import asyncio

from discord import app_commands

from index.service import IndexService

from ..core.errors import InvalidInputError


def check_section(service: IndexService, section: str | None) -> None:
    """InvalidInputError (listing the sections) when ``section`` is not one of the live index's."""
    if section and section not in service.sections():
        known = ", ".join(service.sections()) or "none"
        raise InvalidInputError(f"There is no section {section!r}; the sections are: {known}.")


async def section_choices(client, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete: the sections containing what was typed (none while the bot is starting)."""
    features = getattr(client, "features", None)
    if features is None:
        return []
    sections = await asyncio.to_thread(features.service.sections)
    cur = (current or "").lower()
    return [app_commands.Choice(name=s[:100], value=s[:100]) for s in sections if cur in s.lower()][:25]
