"""index.errors: the one-line folder errors (what is wrong, with which path, what to do)."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from index.errors import IndexFolderError, folder_error, folder_errors

CHOOSE = "choose another index folder (--index-dir or DEFNEWS_INDEX_DIR)"


def _oserror(code: int, path: Path | None = None) -> OSError:
    return OSError(code, os.strerror(code), None if path is None else str(path))


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.ENOSPC, "no space left on the device of {d}: free some space and run the command again "
                       "(the index in use is unchanged)"),
        (errno.EDQUOT, "no space left on the device of {d}"),
        (errno.EACCES, f"no permission to write in {{d}}: {CHOOSE}, or give this user access to it"),
        (errno.EPERM, "no permission to write in {d}"),
        (errno.EROFS, "no permission to write in {d}"),  # SQLite's "read-only" on a writable file system
        (errno.EIO, "cannot write in the index folder {d} (Input/output error)"),
    ],
)
def test_each_cause_has_its_line(tmp_path, code, message):
    err = folder_error(_oserror(code, tmp_path / "x"), tmp_path)
    assert isinstance(err, IndexFolderError) and str(err).startswith(message.format(d=tmp_path))
    assert "\n" not in str(err)


def test_a_folder_that_is_not_there_yet(tmp_path):
    missing = tmp_path / "new"
    assert str(folder_error(_oserror(errno.EACCES, missing), missing)).startswith(
        f"no permission to create the index folder {missing}: {CHOOSE}")
    assert str(folder_error(_oserror(errno.ENOENT, missing), missing)) == (
        f"cannot create the index folder {missing} (no such file or directory): {CHOOSE}")


def test_the_file_in_the_way_is_named(tmp_path):
    (tmp_path / "afile").write_text("x")
    for code in (errno.EEXIST, errno.ENOTDIR, errno.ENOENT):
        err = folder_error(_oserror(code), tmp_path / "afile" / "a" / "b")
        assert str(err) == f"{tmp_path / 'afile'} is a file, not a folder: {CHOOSE}, or move the file away"


def test_sqlite_errors_are_read_by_their_name(tmp_path):
    (tmp_path / "db").mkdir()
    with pytest.raises(sqlite3.OperationalError) as info:  # a real one: SQLite cannot open a folder
        sqlite3.connect(tmp_path / "db").execute("CREATE TABLE t (x)")
    assert info.value.sqlite_errorname.startswith("SQLITE_CANTOPEN")
    assert str(folder_error(info.value, tmp_path)).startswith(f"no permission to write in {tmp_path}")


def test_only_errors_about_the_folder_are_translated(tmp_path):
    with pytest.raises(IndexFolderError, match="is a file, not a folder"), folder_errors(tmp_path / "f"):
        (tmp_path / "f").write_text("x")
        (tmp_path / "f" / "sub").mkdir()
    with pytest.raises(IndexFolderError, match="no space left"), folder_errors(tmp_path):
        raise _oserror(errno.ENOSPC)  # as a write() reports it: no file name
    with pytest.raises(FileNotFoundError), folder_errors(tmp_path / "index"):
        (tmp_path / "elsewhere" / "model.bin").read_bytes()  # not the index folder's business
    with pytest.raises(IndexFolderError, match="cannot read the index folder"), \
            folder_errors(tmp_path, action="read"):
        raise sqlite3.OperationalError("database is locked")
