"""The bot's own refusals, and the one mapping from any error to what the user is told."""

from __future__ import annotations

from index.errors import DefnewsError
from index.service import ReindexBusyError

APOLOGY = "Sorry, something went wrong on my side. The maintainers can find the details in the log."


class InvalidInputError(DefnewsError):
    """A command option the user typed cannot be understood (one-line message)."""


class Refusal(DefnewsError):
    """A request the bot declines (permissions, rate limits, busy). ``str`` is the user-facing line."""


class PermissionRefused(Refusal):
    pass


class CooldownRefused(Refusal):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"You are asking too fast: try again in {max(1, round(retry_after))} s.")


class BusyRefused(Refusal):
    pass


def error_reply(exc: BaseException) -> tuple[str, bool]:
    """What to tell the user about ``exc`` and whether it is unexpected (to be logged with context)."""
    if isinstance(exc, ReindexBusyError):
        return "A reindex is already running; wait for it to finish.", False
    if isinstance(exc, DefnewsError):
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else "That request could not be served."
        return (msg[:1].upper() + msg[1:])[:1900], False
    return APOLOGY, True
