"""``defnews chat``, ``defnews run`` and ``defnews sync`` (registered into the CLI by ``bot.cli``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from typing import TextIO

from index.errors import DefnewsError

log = logging.getLogger(__name__)

CHAT_HELP = """Type a question, or one of:
  /more              the next results of the last question
  /sources           what is indexed
  /stats             index statistics
  /digest [SINCE] [SECTION]   articles published since SINCE (12h, 7d, 2w or 2025-07-01; default 7d)
  /quit              leave (or Ctrl-D)"""


class ChatSession:
    """The terminal version of the bot: each input line -> the text the bot would answer."""

    def __init__(self, core, *, color: bool = False) -> None:
        self.core = core
        self.color = color
        self._last = None  # (AskParams, next offset)

    def handle(self, line: str) -> str | None:
        """The reply to one line ("" for nothing to show, None to leave)."""
        from .digest import render_digest_terminal
        from .replies import render_sources_terminal, render_stats_terminal, render_terminal

        line = line.strip()
        if not line:
            return ""
        try:
            if line.startswith("/"):
                cmd, _, rest = line.partition(" ")
                cmd = cmd.lower()
                if cmd in ("/quit", "/exit", "/q"):
                    return None
                if cmd in ("/help", "/?"):
                    return CHAT_HELP
                if cmd == "/more":
                    if self._last is None:
                        return "Ask a question first."
                    params, offset = self._last
                    reply = self.core.answer(params, offset)
                    if not reply.items:
                        return "No more results."
                    self._last = (params, offset + len(reply.items))
                    return render_terminal(reply, color=self.color)
                if cmd == "/sources":
                    return render_sources_terminal(self.core.sources_reply())
                if cmd == "/stats":
                    return render_stats_terminal(self.core.stats_reply())
                if cmd == "/digest":
                    since, _, section = rest.strip().partition(" ")
                    start, end = self.core.digest_period(since or None)
                    return render_digest_terminal(self.core.digest(start, end, section.strip() or None))
                return f"Unknown command {cmd}. " + CHAT_HELP
            params = self.core.parse_ask(line)
            reply = self.core.answer(params, 0)
            self._last = (params, len(reply.items))
            return render_terminal(reply, color=self.color)
        except DefnewsError as exc:
            return f"error: {exc}"


def chat_loop(session: ChatSession, stdin: TextIO, stdout: TextIO, *, prompt: str = "") -> None:
    while True:
        if prompt:
            stdout.write(prompt)
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        out = session.handle(line)
        if out is None:
            break
        if out:
            stdout.write(out + "\n\n")
            stdout.flush()


def _settings_and_logging(args):
    """Settings, and our loggers at DEFNEWS_LOG_LEVEL (discord.py's only once connected: see ``_connected``)."""
    from .cli import _settings

    settings = _settings(args)
    if not getattr(args, "verbose", False):
        for name in ("bot", "index"):
            logging.getLogger(name).setLevel(settings.log_level)
    return settings


def _connected(settings) -> None:
    """After login, discord.py's own messages (reconnects, resumes) go to the log too."""
    logging.getLogger("discord").setLevel(settings.log_level)


def cmd_chat(args) -> int:
    from .app import build_service
    from .cli import _ensure_index, _settings
    from .commands import Core

    settings = _settings(args)
    service = build_service(settings)
    _ensure_index(service, args.quiet)
    interactive = sys.stdin.isatty()
    color = {"always": True, "never": False}.get(args.color, sys.stdout.isatty())
    session = ChatSession(Core(settings, service, None), color=color)
    if interactive:
        print("defnews chat — ask about the indexed defence news. /help for commands, /quit to leave.")
    chat_loop(session, sys.stdin, sys.stdout, prompt="defnews> " if interactive else "")
    return 0


def cmd_run(args) -> int:
    from .app import build_service
    from .cli import _ensure_index
    from .client import require_token, run_bot

    settings = _settings_and_logging(args)
    require_token(settings)  # a missing token fails before any index work
    service = build_service(settings)
    _ensure_index(service, args.quiet)
    asyncio.run(run_bot(settings, service, on_ready=lambda: _connected(settings)))
    return 0


def cmd_sync(args) -> int:
    from .client import sync_commands

    settings = _settings_and_logging(args)
    guild = args.guild
    n = asyncio.run(sync_commands(settings, guild_id=guild))
    where = f"guild {guild}" if guild else "globally (may take up to an hour to show everywhere)"
    print(f"synced {n} commands {where}")
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("chat", parents=[common], help="the bot's answers in the terminal")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help="emphasise matched terms in bold (default: when writing to a terminal)")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("run", parents=[common], help="start the Discord bot (builds the index first if needed)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sync", parents=[common], help="register the slash commands globally (or in --guild) and exit")
    p.add_argument("--guild", type=int, default=None, help="sync to this guild only (development)")
    p.set_defaults(func=cmd_sync)


COMMANDS: list[Callable] = [register]
