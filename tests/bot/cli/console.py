"""The real ``defnews`` console script, run as a subprocess (shared by the CLI tests).

The script is looked up next to the running interpreter first (``.venv/bin/defnews`` beside
``.venv/bin/python``: found whatever PATH says, so CI runs these tests), then on PATH; a checkout that is not
installed runs the same entry point as ``python -m bot.cli``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def console_script() -> list[str]:
    beside = Path(sys.executable).parent / "defnews"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("defnews")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


DEFNEWS = console_script()


def cli_env(env: dict | None = None, index_dir: Path | None = None) -> dict[str, str]:
    """The environment without the developer's DEFNEWS_* settings, with the hash embedder."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("DEFNEWS_")}
    full.update({"DEFNEWS_EMBEDDER": "hash", **(env or {})})
    if index_dir is not None:
        full["DEFNEWS_INDEX_DIR"] = str(index_dir)
    return full


def run(*args: str, env: dict | None = None, index_dir: Path | None = None, check: bool = True, timeout=300,
        prefix: tuple[str, ...] = (), cwd: Path | None = None, stdin: str | None = None):
    """``defnews ARGS`` (after ``prefix``, e.g. a privilege-dropping wrapper); AssertionError if it fails and
    ``check``."""
    proc = subprocess.run([*prefix, *DEFNEWS, *args], capture_output=True, text=True, env=cli_env(env, index_dir),
                          timeout=timeout, cwd=cwd, input=stdin)
    if check and proc.returncode != 0:
        raise AssertionError(f"defnews {args} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def assert_one_line_error(proc, code: int = 2) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("defnews: error: ")
    return lines[0]
