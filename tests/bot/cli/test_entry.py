"""The parser, the exit codes, and commands that fail before doing any work."""

from __future__ import annotations

import subprocess
import sys

from bot.cli.entry import build_parser, main


def test_parser_has_the_bot_commands():
    parser = build_parser()
    assert parser.parse_args(["run"]).func.__name__ == "cmd_run"
    assert parser.parse_args(["sync", "--guild", "42"]).guild == 42
    assert parser.parse_args(["chat", "--color", "never"]).color == "never"
    events = parser.parse_args(["events", "--since", "7d", "--until", "2025-07-31", "--type", "visit", "--json"])
    assert events.func.__name__ == "cmd_events" and (events.since, events.until, events.type) == (
        "7d", "2025-07-31", "visit") and events.json
    assert parser.parse_args(["ask", "誰が来た", "--english"]).english


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
