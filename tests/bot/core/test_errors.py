"""The one mapping from an error to what the user is told."""

from __future__ import annotations

from bot.core.errors import APOLOGY, CooldownRefused, error_reply
from index.errors import IndexMissingError
from index.service import ReindexBusyError


def test_error_replies():
    assert error_reply(ReindexBusyError("x"))[0].startswith("A reindex is already running")
    assert error_reply(IndexMissingError("there is no index yet")) == ("There is no index yet", False)
    assert error_reply(CooldownRefused(3.2)) == ("You are asking too fast: try again in 3 s.", False)
    text, unexpected = error_reply(KeyError("secret internals"))
    assert unexpected and text == APOLOGY and "secret" not in text
