"""The parser, the exit codes, and commands that fail before doing any work."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys

import pytest

from bot.cli.entry import build_parser, main
from tests.conftest import SAMPLE_DIR

from .console import DEFNEWS, assert_one_line_error, cli_env, run


def test_parser_has_the_bot_commands():
    parser = build_parser()
    assert parser.parse_args(["run"]).func.__name__ == "cmd_run"
    assert parser.parse_args(["sync", "--guild", "42"]).guild == 42
    assert parser.parse_args(["chat", "--color", "never"]).color == "never"
    events = parser.parse_args(["events", "--since", "7d", "--until", "2025-07-31", "--type", "visit", "--json"])
    assert events.func.__name__ == "cmd_events" and (events.since, events.until, events.type) == (
        "7d", "2025-07-31", "visit") and events.json
    assert parser.parse_args(["ask", "誰が来た", "--english"]).english


def test_every_help_carries_one_example_and_the_main_help_the_exit_codes():
    parser = build_parser()
    main_help = parser.format_help()
    assert main_help.count("example:") == 1 and "exit codes:" in main_help and "  2  bad input" in main_help
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(commands) >= {"ingest", "ask", "digest", "reindex", "stats", "sources", "chat", "run", "sync"}
    for name, sub in commands.items():
        example = sub.format_help().split("example:\n", 1)[1].splitlines()[0]
        assert f"defnews {name}" in example, (name, example)


def test_run_without_token_is_one_line_and_non_zero(capsys, tmp_path):
    assert main(["run", "--index-dir", str(tmp_path / "idx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["defnews: error: DEFNEWS_DISCORD_TOKEN is not set: put the bot token in the environment or in .env"]
    assert not (tmp_path / "idx").exists()  # nothing was built before the token check


def test_help_loads_neither_discord_nor_the_index_and_only_run_and_sync_load_discord():
    code = ("import sys; from bot.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('discord', 'faiss', 'index.service') if m in sys.modules))\n"
            "import bot.cli.chat, bot.cli.index_commands\n"
            "print('discord' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-2:] == ["[]", "False"]


# --------------------------------------------------------------------------- folder and file problems
# Each is made real: a file in the way, a folder the process may not write (chmod; run as root, the command
# runs without the capabilities that override it), a read-only bind mount and a small tmpfs (in a private
# mount namespace, so nothing outlives the test).

SAMPLE_JSONL = str(SAMPLE_DIR / "articles.jsonl")


def _unprivileged() -> tuple[str, ...]:
    """A prefix that makes file permissions apply to the command even when the tests run as root."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")


def _in_mount_namespace(script: str, **kw) -> subprocess.CompletedProcess:
    """``sh -c script`` in a private mount namespace (as root, or as a user mapped to root)."""
    unshare = shutil.which("unshare")
    argv = [unshare, "--mount"] if os.geteuid() == 0 else [unshare, "--mount", "--map-root-user"]
    if unshare is None or subprocess.run([*argv, "true"], capture_output=True).returncode != 0:
        pytest.skip("no private mount namespace here (unshare is missing or not permitted)")
    return subprocess.run([*argv, "sh", "-c", script], capture_output=True, text=True, env=cli_env(), timeout=300)


def _defnews_sh(*args: str) -> str:
    return shlex.join([*DEFNEWS, *args])


def test_an_uncreatable_index_folder_is_one_line():
    line = assert_one_line_error(run("ask", "護衛艦", "-q", "--index-dir", "/proc/defnews-index", check=False))
    assert line.endswith("cannot create the index folder /proc/defnews-index (no such file or directory): "
                         "choose another index folder (--index-dir or DEFNEWS_INDEX_DIR)")


@pytest.mark.parametrize("args", [("ask", "護衛艦"), ("reindex", "--full"), ("stats",), ("ingest", SAMPLE_JSONL)])
@pytest.mark.parametrize("below", [False, True])
def test_a_file_where_the_index_folder_should_be(tmp_path, args, below):
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n")
    index_dir = afile / "sub" if below else afile
    line = assert_one_line_error(run(*args, "-q", index_dir=index_dir, check=False))
    assert f"{afile} is a file, not a folder: choose another index folder" in line
    assert "reindex --full" not in line  # a rebuild would not help
    assert afile.read_text() == "not a folder\n"


def test_a_folder_without_permission(tmp_path):
    parent = tmp_path / "parent"
    parent.mkdir()
    parent.chmod(0o555)
    as_user = _unprivileged()
    line = assert_one_line_error(run("reindex", "-q", index_dir=parent / "idx", prefix=as_user, check=False))
    assert f"no permission to create the index folder {parent / 'idx'}" in line
    parent.chmod(0o755)
    run("reindex", "-q", index_dir=parent / "idx")
    (parent / "idx").chmod(0o555)  # the lock file is still writable: the folder is not
    line = assert_one_line_error(run("ingest", SAMPLE_JSONL, index_dir=parent / "idx", prefix=as_user,
                                     check=False))
    assert f"no permission to write in {parent / 'idx'}" in line
    assert run("ask", "護衛艦", "--json", index_dir=parent / "idx", prefix=as_user).returncode == 0  # reading is fine
    (parent / "idx").chmod(0)
    line = assert_one_line_error(run("ask", "護衛艦", index_dir=parent / "idx", prefix=as_user, check=False))
    assert f"no permission to read {parent / 'idx'}" in line
    (parent / "idx").chmod(0o755)


def test_an_index_on_a_read_only_file_system_answers_and_refuses_writes(tmp_path):
    idx = tmp_path / "idx"
    run("reindex", "-q", index_dir=idx)
    d = shlex.quote(str(idx))
    proc = _in_mount_namespace(
        f"mount --bind {d} {d} && mount -o remount,bind,ro {d} && "
        f"{_defnews_sh('ask', '護衛艦の進水', '--json', '--index-dir', str(idx))} && "
        f"{_defnews_sh('reindex', '--index-dir', str(idx))}"
    )
    assert json.loads(proc.stdout.splitlines()[0])["results"]  # read-only: still answers
    line = assert_one_line_error(proc)
    assert line.endswith(f"{idx} is on a read-only file system: choose another index folder "
                         "(--index-dir or DEFNEWS_INDEX_DIR) on a writable one")


@pytest.mark.parametrize("size", ["40k", "200k", "600k"])  # full while creating the cache, filling it, writing FAISS
def test_a_full_disk_is_one_line_and_sets_nothing_aside(tmp_path, size):
    disk = tmp_path / "disk"
    disk.mkdir()
    d = shlex.quote(str(disk))
    proc = _in_mount_namespace(
        f"mount -t tmpfs -o size={size} tmpfs {d} && "
        f"{_defnews_sh('reindex', '-q', '--index-dir', str(disk / 'idx'))}; rc=$?; ls -a {d}/idx; exit $rc"
    )
    line = assert_one_line_error(proc)
    assert line.endswith(f"no space left on the device of {disk / 'idx'}: free some space and run the command "
                         "again (the index in use is unchanged)")
    left = proc.stdout.split()
    assert "CURRENT" not in left and not [f for f in left if ".corrupt-" in f]  # the cache is not "damaged"
