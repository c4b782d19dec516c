"""Domain errors of the index library. Each carries a one-line, user-facing message."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path


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


class IndexFolderError(DefnewsError):
    """The index folder cannot be created, read or written: a missing or uncreatable parent, a file where a
    folder is wanted, no permission, a read-only file system, a full disk."""


_CHOOSE = "choose another index folder (--index-dir or DEFNEWS_INDEX_DIR)"
# SQLite reports these without an errno: the closest one, for the same message as an OSError's.
_SQLITE_ERRNO = {"SQLITE_FULL": errno.ENOSPC, "SQLITE_READONLY": errno.EROFS, "SQLITE_PERM": errno.EACCES,
                 "SQLITE_CANTOPEN": errno.EACCES}


def _file_in_the_way(path: Path) -> Path | None:
    """The first existing non-folder on the way to ``path`` (``path`` itself included)."""
    for p in [*reversed(path.parents), path]:
        if p.exists() and not p.is_dir():
            return p
    return None


def folder_error(exc: BaseException, folder: Path, *, action: str = "write in") -> IndexFolderError:
    """The one-line error for an OSError (or a SQLite error) met while using the index folder ``folder``:
    what is wrong, with which path, and what to do about it. ``action``: "write in" or "read"."""
    folder = Path(folder)
    sqlite_name = getattr(exc, "sqlite_errorname", "")
    code = getattr(exc, "errno", None) or next(
        (c for name, c in _SQLITE_ERRNO.items() if sqlite_name.startswith(name)), 0)
    if code in (errno.EACCES, errno.EROFS):  # SQLite says "read-only" for both
        code = errno.EROFS if _read_only_fs(folder) else errno.EACCES
    blocker = _file_in_the_way(folder) if code in (errno.EEXIST, errno.ENOTDIR, errno.ENOENT) else None
    if blocker is not None:
        return IndexFolderError(f"{blocker} is a file, not a folder: {_CHOOSE}, or move the file away")
    if code == errno.ENOENT:
        return IndexFolderError(f"cannot create the index folder {folder} (no such file or directory): {_CHOOSE}")
    if code in (errno.EACCES, errno.EPERM):
        what = f"create the index folder {folder}" if action == "write in" and not folder.exists() else \
            f"{action} {folder}"
        return IndexFolderError(f"no permission to {what}: {_CHOOSE}, or give this user access to it")
    if code == errno.EROFS:
        return IndexFolderError(f"{folder} is on a read-only file system: {_CHOOSE} on a writable one")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return IndexFolderError(f"no space left on the device of {folder}: free some space and run the command "
                                "again (the index in use is unchanged)")
    reason = getattr(exc, "strerror", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    return IndexFolderError(f"cannot {action} the index folder {folder} ({reason})")


def _read_only_fs(folder: Path) -> bool:
    for p in [folder, *folder.parents]:
        try:
            return bool(os.statvfs(p).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


_FOLDER_ERRNOS = frozenset({errno.ENOENT, errno.EEXIST, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS,
                            errno.ENOSPC, errno.EDQUOT})


def _about(exc: OSError, folder: Path) -> bool:
    """True when ``exc`` is about the index folder: a path inside it, or no path and a folder-like errno."""
    name = exc.filename
    if name is None:
        return exc.errno in _FOLDER_ERRNOS
    path = Path(os.fsdecode(name)).absolute()
    folder = folder.absolute()
    return path == folder or folder in path.parents or path in folder.parents


@contextlib.contextmanager
def folder_errors(folder: Path, *, action: str = "write in") -> Iterator[None]:
    """Turn OSErrors about the index folder ``folder`` (and SQLite's operational errors, which are always
    about a database in it) into one :class:`IndexFolderError` line; other errors pass unchanged."""
    try:
        yield
    except OSError as exc:
        if not _about(exc, Path(folder)):
            raise
        raise folder_error(exc, folder, action=action) from exc
    except sqlite3.OperationalError as exc:
        raise folder_error(exc, folder, action=action) from exc
