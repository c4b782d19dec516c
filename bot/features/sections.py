"""The index's sections as a command option: checked before anything is searched."""

from __future__ import annotations

from index.service import IndexService

from ..core.errors import InvalidInputError


def check_section(service: IndexService, section: str | None) -> None:
    """InvalidInputError (listing the sections) when ``section`` is not one of the live index's."""
    if section and section not in service.sections():
        known = ", ".join(service.sections()) or "none"
        raise InvalidInputError(f"There is no section {section!r}; the sections are: {known}.")
