"""The Discord token never shows up in CLI output, logs, error messages or the settings' repr.

Every command runs with DEFNEWS_DISCORD_TOKEN set to a known value, debug logging on, and then again with
invalid settings (including the token pasted into the wrong variable); everything printed or logged, and
every exception message in the chain of a settings error, is scanned for the token.
"""

from __future__ import annotations

import json
import logging
import traceback

import pytest

from bot import cli
from bot.core.settings import load_settings
from index.errors import ConfigError

from .conftest import SAMPLE_JSONL, cli_env, run_cli

TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.known-test-token_do-not-use_0123456789abcdef"
PIECES = (TOKEN, TOKEN.split(".")[0], TOKEN.split(".")[-1])  # no part of it either


def _assert_clean(*texts: str) -> None:
    for text in texts:
        for piece in PIECES:
            assert piece not in text


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("DEFNEWS_DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DEFNEWS_EMBEDDER", "hash")
    monkeypatch.setenv("DEFNEWS_INDEX_DIR", str(tmp_path / "index"))
    return tmp_path


def test_settings_repr_and_dumps_hide_the_token(env):
    settings = load_settings()
    token = settings.discord.discord_token
    assert token is not None and token.get_secret_value() == TOKEN
    _assert_clean(repr(settings), str(settings), str(settings.model_dump()), settings.model_dump_json(),
                  repr(token), str(token), f"{token}")


COMMANDS = [
    ["stats"],  # no index yet: an error
    ["sources"],
    ["sources", "--json"],
    ["ingest", str(SAMPLE_JSONL), "--json"],
    ["ingest", str(SAMPLE_JSONL)],
    ["ask", "護衛艦の進水式", "--json"],
    ["ask", "護衛艦の進水式"],
    ["ask", ""],
    ["stats"],
    ["stats", "--json"],
    ["reindex", "--json"],
    ["ingest", "/no/such/file.jsonl"],
]


def test_cli_commands_never_print_or_log_the_token(env, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    outputs = []
    for args in COMMANDS:
        rc = cli.main([*args, "-v"])
        out, err = capsys.readouterr()
        outputs.append((args, rc, out, err))
        _assert_clean(out, err)
    _assert_clean(caplog.text)
    stats = [out for args, rc, out, _ in outputs if args == ["stats", "--json"] and rc == 0]
    assert stats and json.loads(stats[0])["articles"]  # the commands really ran


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFNEWS_INDEX_TYPE", "bogus"),
        ("DEFNEWS_EMBEDDER", "word2vec"),
        ("DEFNEWS_DISCORD_GUILD_ID", TOKEN),  # the token pasted into the wrong variable
        ("DEFNEWS_MAX_QUESTION_CHARS", TOKEN),
        ("DEFNEWS_DISCORD_API_BASE", TOKEN),
        ("DEFNEWS_LOG_LEVEL", TOKEN),
    ],
)
def test_invalid_settings_never_show_the_token(env, monkeypatch, capsys, caplog, name, value):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(name, value)
    rc = cli.main(["stats", "-v"])
    out, err = capsys.readouterr()
    assert rc != 0 and name in err
    _assert_clean(out, err, caplog.text)
    with pytest.raises(ConfigError) as info:
        load_settings()
    _assert_clean(str(info.value))


@pytest.mark.parametrize("name", ["DEFNEWS_DISCORD_GUILD_ID", "DEFNEWS_DISCORD_API_BASE"])
def test_a_settings_error_traceback_never_shows_the_token(env, monkeypatch, name):
    """Should anything ever log a settings error with its traceback, the chain must be clean too."""
    monkeypatch.setenv(name, TOKEN)
    with pytest.raises(ConfigError) as info:
        load_settings()
    _assert_clean("".join(traceback.format_exception(info.value)))


def test_a_real_process_with_debug_logging_never_shows_the_token(tmp_path):
    env = cli_env(DEFNEWS_DISCORD_TOKEN=TOKEN, DEFNEWS_INDEX_DIR=str(tmp_path / "index"))
    for args in (["ingest", str(SAMPLE_JSONL), "-v"], ["stats", "--json", "-v"], ["ask", "護衛艦", "-v"]):
        proc = run_cli(args, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        _assert_clean(proc.stdout, proc.stderr)
    bad = run_cli(["stats"], env={**env, "DEFNEWS_DISCORD_GUILD_ID": TOKEN}, cwd=tmp_path)
    assert bad.returncode != 0 and "DEFNEWS_DISCORD_GUILD_ID" in bad.stderr
    _assert_clean(bad.stdout, bad.stderr)
