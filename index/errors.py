"""Domain errors of the index library. Each carries a one-line, user-facing message."""

from __future__ import annotations


class DefnewsError(Exception):
    """Base class: ``str(err)`` is a clear one-line message for the user."""


class IndexMissingError(DefnewsError):
    """There is no index in the configured folder yet."""


class IndexCorruptError(DefnewsError):
    """Files of the index are damaged or inconsistent."""


class IndexMismatchError(DefnewsError):
    """The index was built with another model, dimension or schema."""


class InvalidQueryError(DefnewsError):
    """An empty or over-long question."""


class SourceError(DefnewsError):
    """A source cannot be read (missing file, bad sources file)."""


class ConfigError(DefnewsError):
    """Invalid configuration."""


class StoreUnavailableError(DefnewsError):
    """The configured store (a database) cannot be reached or used as configured."""
