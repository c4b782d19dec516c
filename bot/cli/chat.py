"""``defnews chat``: the bot's answers in the terminal (the same feature logic as on Discord)."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TextIO

from index.errors import DefnewsError
from index.models import EVENT_TYPES, Query

from ..core.errors import InvalidInputError
from ..core.wiring import build_service
from ..features.ask.logic import AnswerReply
from ..features.ask.terminal import render_terminal
from ..features.catalog import Features, build_features
from ..features.digest.terminal import render_digest_terminal
from ..features.events.logic import EventsQuery
from ..features.events.terminal import render_events_terminal
from ..features.info.terminal import render_sources_terminal, render_stats_terminal
from .context import ensure_index, settings_of

CHAT_HELP = """Type a question, or one of:
  /more              the next results of the last question
  /english           the last answer again, each result led by its English answer line
  /sources           what is indexed
  /stats             index statistics
  /digest [SINCE] [SECTION]   articles published since SINCE (12h, 7d, 2w or 2025-07-01; default 7d)
  /events [SINCE [UNTIL]] [TYPE]   meetings, visits, exercises... (TYPE: courtesy_call, visit, ...)
  /quit              leave (or Ctrl-D)"""


class ChatSession:
    """The terminal version of the bot: each input line -> the text the bot would answer."""

    def __init__(self, features: Features, *, color: bool = False) -> None:
        self.features = features
        self.color = color
        self._last: tuple[Query, int] | None = None  # the last question and the offset of its next page
        self._shown: AnswerReply | None = None  # the last page shown (for /english)

    def handle(self, line: str) -> str | None:
        """The reply to one line ("" for nothing to show, None to leave)."""
        line = line.strip()
        if not line:
            return ""
        try:
            if line.startswith("/"):
                cmd, _, rest = line.partition(" ")
                return self._command(cmd.lower(), rest.strip())
            query = self.features.ask.parse(line)
            reply = self.features.ask.answer(query, 0)
            self._last, self._shown = (query, len(reply.items)), reply
            return render_terminal(reply, color=self.color)
        except DefnewsError as exc:
            return f"error: {exc}"

    def _command(self, cmd: str, rest: str) -> str | None:
        f = self.features
        if cmd in ("/quit", "/exit", "/q"):
            return None
        if cmd in ("/help", "/?"):
            return CHAT_HELP
        if cmd == "/more":
            if self._last is None:
                return "Ask a question first."
            query, offset = self._last
            reply = f.ask.answer(query, offset)
            if not reply.items:
                return "No more results."
            self._last, self._shown = (query, offset + len(reply.items)), reply
            return render_terminal(reply, color=self.color)
        if cmd == "/english":
            if self._shown is None:
                return "Ask a question first."
            return render_terminal(replace(self._shown, english=True), color=self.color)
        if cmd == "/sources":
            return render_sources_terminal(f.info.sources_reply())
        if cmd == "/stats":
            return render_stats_terminal(f.info.stats_reply())
        if cmd == "/digest":
            since, _, section = rest.partition(" ")
            start, end = f.digest.period(since or None)
            return render_digest_terminal(f.digest.digest(start, end, section.strip() or None))
        if cmd == "/events":
            return render_events_terminal(f.events.list(_events_query(f, rest)))
        return f"Unknown command {cmd}. " + CHAT_HELP


def _events_query(f: Features, rest: str) -> EventsQuery:
    """``/events [SINCE [UNTIL]] [TYPE]``: a word that names an event type is the type, the others the days."""
    words = rest.split()
    types = [w for w in words if w.lower() in EVENT_TYPES]
    days = [w for w in words if w not in types]
    if len(types) > 1 or len(days) > 2:
        raise InvalidInputError("use /events [SINCE [UNTIL]] [TYPE], e.g. /events 2025-07-01 2025-07-31 visit")
    since, until = [*days, None, None][:2]
    return f.events.parse(since, until, types[0] if types else None)


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


def cmd_chat(args) -> int:
    settings = settings_of(args)
    service = build_service(settings.index)
    ensure_index(service, args.quiet)
    interactive = sys.stdin.isatty()
    color = {"always": True, "never": False}.get(args.color, sys.stdout.isatty())
    session = ChatSession(build_features(settings, service, None), color=color)
    if interactive:
        print("defnews chat — ask about the indexed defence news. /help for commands, /quit to leave.")
    chat_loop(session, sys.stdin, sys.stdout, prompt="defnews> " if interactive else "")
    return 0
