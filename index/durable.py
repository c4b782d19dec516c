"""Durable writes: a file is replaced whole or not at all (temp file, flush, fsync, rename, fsync the
folder), checksums, and the writers' lock.

Why each step: the data must reach the disk before the rename makes it visible (fsync of the file), and
the rename itself must reach the disk before anyone relies on it (fsync of the folder). A crash between
any two steps leaves the old content or the new, never a mix.

Test-only fault injection: when ``DEFNEWS_TEST_CRASH_AT`` is set, :func:`fault_point` kills the process
with SIGKILL at the named step (or the N-th step reached); ``DEFNEWS_TEST_CRASH_TRACE=<file>`` appends
every step reached to that file. Both are inert unless set and are never set in production.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import signal
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from .errors import DefnewsError, folder_errors

_STALE_TMP_SECONDS = 600


# --------------------------------------------------------------------------- test-only fault injection

CRASH_ENV = "DEFNEWS_TEST_CRASH_AT"  # test-only: "<step>" or "<n>" (the n-th step reached) -> SIGKILL
CRASH_TRACE_ENV = "DEFNEWS_TEST_CRASH_TRACE"  # test-only: append "<n> <step>" per step reached to this file
_fault_steps = 0


def fault_point(step: str) -> None:
    """A point where a crash must leave the index intact. Inert unless a test sets DEFNEWS_TEST_CRASH_*."""
    target = os.environ.get(CRASH_ENV)
    trace = os.environ.get(CRASH_TRACE_ENV)
    if not target and not trace:
        return
    global _fault_steps
    _fault_steps += 1
    if trace:
        with open(trace, "a", encoding="utf-8") as fh:
            fh.write(f"{_fault_steps} {step}\n")
    if target and target in (step, str(_fault_steps)):
        os.kill(os.getpid(), signal.SIGKILL)


# --------------------------------------------------------------------------- durable file helpers


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_temps(path: Path) -> None:
    """Remove temp files of ``path`` left by a crashed writer (old enough not to be another writer's)."""
    now = time.time()
    for old in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > _STALE_TMP_SECONDS:
                old.unlink()


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new content."""
    _remove_stale_temps(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    step = f"atomic:{path.name}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data[: len(data) // 2])
            fault_point(f"{step}:partial")
            fh.write(data[len(data) // 2 :])
            fh.flush()
            os.fsync(fh.fileno())
        fault_point(f"{step}:written")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fault_point(f"{step}:replaced")
    fsync_dir(path.parent)
    fault_point(f"{step}:synced")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _open_lock_file(index_dir: Path):
    with folder_errors(index_dir):
        index_dir.mkdir(parents=True, exist_ok=True)
        return open(index_dir / ".lock", "a+")


def ensure_index_folder(index_dir: Path) -> None:
    """Create the index folder, or raise IndexFolderError (one line: the path, what is wrong, what to do)
    when it cannot be created or written: a file in the way, no permission, a read-only file system."""
    _open_lock_file(index_dir).close()
    with folder_errors(index_dir):  # the lock file may be writable in a folder that is not: try a new file
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=index_dir)
        os.close(fd)
        os.unlink(probe)


@contextlib.contextmanager
def writer_lock(index_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Exclusive lock for processes that write the index (ingest, reindex); creates the folder like
    :func:`ensure_index_folder`."""
    with _open_lock_file(index_dir) as fh:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fh.fileno(), flags)
        except BlockingIOError as exc:
            raise DefnewsError(f"another process is writing the index in {index_dir}") from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


