"""Run the real defnews bot against FakeDiscord, the way ``defnews run`` does.

``BotRig.start()`` builds Settings from ``DEFNEWS_*`` environment variables (API base and gateway URL point at
the local server), wires the service with ``bot.core.wiring.build_service`` and brings the bot up with
``bot.discord.connect.start_bot`` — the function ``run_bot`` (``defnews run``) uses. Only the clock, the scheduler's
sleep and (for the tests that need delays or gates) the embedder are injected.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import EmbedderWrapper
from index.embedding.fake import HashEmbedder
from tests.fakediscord import FakeDiscord, InteractionHandle, SentMessage
from tests.fakediscord.validation import validate_message

E2E_TOKEN = "MTk4NjIyNDgzNDcxOTI1MjQ4.Gx7eZq.e2e-secret-token-3f9a1c77b2d04e58"
EPHEMERAL = 1 << 6
KHARE = "khare"  # the UN official's article: .../un-operational-support-usg-khare-visit
EXAMPLE_QUESTION = "who visited MOD on July 4"

# The sample corpus runs to 24 July 2025; "now" is the next day, 12:00 in Tokyo.
NOW = datetime(2025, 7, 25, 3, 0, tzinfo=UTC)

# Message-creating or -editing REST calls (their payloads must never ping anyone).
MESSAGE_PATHS = (
    r"/channels/\d+/messages(/\d+)?",
    r"/interactions/\d+/[^/]+/callback",
    r"/webhooks/\d+/[^/]+(/messages/[^/]+)?",
)


class FakeClock:
    """The bot's wall clock (``clock=`` of ``start_bot``): fixed until a test moves it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when.astimezone(UTC)

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


class TestEmbedder(EmbedderWrapper):
    """HashEmbedder(256) (same model id as the sample index) with optional delays and gates.

    ``query_delay`` sleeps in ``embed_query`` (slow retrieval); ``query_gate`` / ``passage_gate`` block until
    the test sets them (armed with ``hold_queries()`` / ``hold_passages()``). Gates wait at most 30 s so that
    a failing test cannot hang the worker threads.
    """

    __test__ = False

    def __init__(self) -> None:
        super().__init__(HashEmbedder(256))
        self.query_delay = 0.0
        self.query_gate: threading.Event | None = None
        self.passage_gate: threading.Event | None = None
        self.queries_waiting = 0
        self.passages_waiting = 0
        self.query_calls: list[float] = []  # monotonic start times
        self.query_error: Exception | None = None  # raised by embed_query (an unexpected failure)

    def hold_queries(self) -> threading.Event:
        self.query_gate = threading.Event()
        return self.query_gate

    def hold_passages(self) -> threading.Event:
        self.passage_gate = threading.Event()
        return self.passage_gate

    def release_all(self) -> None:
        for gate in (self.query_gate, self.passage_gate):
            if gate is not None:
                gate.set()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        gate = self.passage_gate
        if gate is not None and texts:
            self.passages_waiting += 1
            gate.wait(30)
            self.passages_waiting -= 1
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.query_calls.append(time.monotonic())
        gate = self.query_gate
        if gate is not None:
            self.queries_waiting += 1
            gate.wait(30)
            self.queries_waiting -= 1
        if self.query_error is not None:
            raise self.query_error
        if self.query_delay:
            time.sleep(self.query_delay)  # blocking, as a slow model would be (in the worker thread)
        return self.inner.embed_query(text)


@dataclass
class BotRig:
    """A FakeDiscord, the environment ``defnews run`` would see, and the bots started from it."""

    server: FakeDiscord
    index_dir: Path
    env: dict[str, str]
    clock: FakeClock
    embedder: TestEmbedder | None = None
    bots: list[Any] = field(default_factory=list)
    services: list[Any] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)  # delays the scheduler asked for
    monkeypatch: Any = None

    def setenv(self, **values: str) -> None:
        """Set ``DEFNEWS_<NAME>`` variables for the next ``start()`` (e.g. ``setenv(DIGEST_SCHEDULE=...)``)."""
        for name, value in values.items():
            key = f"DEFNEWS_{name.upper()}"
            self.env[key] = value
            self.monkeypatch.setenv(key, value)

    @property
    def bot(self) -> Any:
        return self.bots[-1]

    @property
    def service(self) -> Any:
        return self.services[-1]

    def settings(self):
        from bot.core.settings import load_settings

        return load_settings()

    async def _sleep(self, delay: float) -> None:
        """The scheduler's sleep: the fake clock only moves when the test moves it, so just poll it."""
        self.sleeps.append(delay)
        await asyncio.sleep(0.01)

    async def start(self, *, progress_interval: float | None = None) -> Any:
        """``start_bot(settings, build_service(settings), clock=...)``: log in, connect, wait until READY."""
        from bot.core.wiring import build_service
        from bot.discord.connect import start_bot

        settings = self.settings()
        service = build_service(settings.index, self.embedder)
        bot = await start_bot(settings, service, clock=self.clock, sleep=self._sleep, ready_timeout=20)
        if progress_interval is not None:
            bot.progress_interval = progress_interval
        self.bots.append(bot)
        self.services.append(service)
        return bot

    async def stop(self) -> None:
        """Close the newest bot, as SIGTERM does in ``run_bot``."""
        bot = self.bots[-1]
        await bot.close()
        if bot.runner is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(bot.runner, 5)

    async def close_all(self) -> None:
        if self.embedder is not None:
            self.embedder.release_all()
        for bot in self.bots:
            if not bot.is_closed():
                with contextlib.suppress(Exception):
                    await bot.close()
            if bot.runner is not None and not bot.runner.done():
                bot.runner.cancel()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await bot.runner

    # ------------------------------------------------------------------ acting as users

    async def ask(
        self, question: str, *, user: str = "alice", timeout: float = 10.0, **options: Any
    ) -> tuple[InteractionHandle, SentMessage]:
        """/ask as ``user``; returns the handle and the (first) followup."""
        handle = await self.server.push_interaction_command("ask", {"question": question, **options}, user=user)
        await handle.wait_response(timeout)
        return handle, await handle.wait_followup(timeout)

    async def refused(self, handle: InteractionHandle, timeout: float = 10.0) -> str:
        """The text of an ephemeral refusal (the interaction answered with type 4, flags 64)."""
        body = await handle.wait_response(timeout)
        assert body["type"] == 4, body
        assert body["data"]["flags"] & EPHEMERAL, body
        return body["data"]["content"]

    def channel_posts(self, channel: str | None = None, since: int = 0) -> list[SentMessage]:
        return [s for s in self.server.sent[since:] if s.via == "channel"
                and (channel is None or s.message["channel_id"] == str(self.server.channel_id(channel)))]

    def current_generation(self) -> str:
        return (self.index_dir / "CURRENT").read_text("utf-8").strip()

    def feedback_rows(self) -> list[tuple[int, int, int]]:
        """(query_id, user_id, vote) straight from the state database file (another connection)."""
        db = sqlite3.connect(f"file:{self.index_dir / 'bot-state.sqlite'}?mode=ro", uri=True)
        try:
            return db.execute("SELECT query_id, user_id, vote FROM feedback ORDER BY query_id, user_id").fetchall()
        finally:
            db.close()


def copy_index(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def embed_text(sent: SentMessage) -> str:
    """Everything visible in a message's embeds (title, description, fields, footer)."""
    parts: list[str] = []
    for e in sent.embeds:
        parts += [e.get("title") or "", e.get("description") or "", (e.get("footer") or {}).get("text") or ""]
        for f in e.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
    return "\n".join(parts)


def custom_ids(sent: SentMessage | dict) -> list[str]:
    comps = sent.components if isinstance(sent, SentMessage) else sent.get("components") or []
    out = []
    for row in comps:
        for c in row.get("components") or []:
            if c.get("custom_id"):
                out.append(c["custom_id"])
    return out


def message_payloads(server: FakeDiscord) -> Iterable[tuple[Any, dict]]:
    """(request, payload) for every request that created or edited a message with content or embeds."""
    import re

    for rec in server.requests:
        if rec.method not in ("POST", "PATCH") or not any(re.fullmatch(p, rec.path) for p in MESSAGE_PATHS):
            continue
        body = rec.json or {}
        payload = body.get("data") if rec.path.endswith("/callback") else body
        if payload and ("content" in payload or "embeds" in payload):
            yield rec, payload


def limit_errors(payload: dict) -> dict:
    """Discord's limits for a message payload (the fake server's own validator); {} when within them."""
    return validate_message(payload)
