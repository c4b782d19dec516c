"""What the fake server records (requests, gateway frames, messages, interactions) and how tests wait."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class Notifier:
    """Lets coroutines wait until a predicate over server state becomes true."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake all waiters (they re-check their predicates)."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, probe: Callable[[], T], timeout: float, what: str = "condition") -> T:
        """Return the first truthy ``probe()`` result, re-checked on every notify; TimeoutError otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = probe()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fakediscord: timed out after {timeout}s waiting for {what}")
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


@dataclass
class RequestRecord:
    """One REST request the client made, and what the server answered."""

    method: str
    path: str  # below /api/v10, e.g. "/channels/123/messages"
    query: dict[str, str]
    json: Any  # parsed JSON body, or the parsed payload_json of a multipart body
    files: list[dict]  # multipart file parts: {"name", "filename", "content_type", "size", "data"}
    headers: dict[str, str]  # request headers, Authorization removed
    authorization: str | None  # "Bot <token>" -> "Bot ***" if correct, "invalid" if wrong, None if absent
    time: float  # event-loop time when received
    status: int | None = None
    response: Any = None

    def matches(self, method: str | None = None, path: str | re.Pattern | None = None) -> bool:
        """True if method (if given) equals and path (regex, full match) matches."""
        if method is not None and self.method != method.upper():
            return False
        return not (path is not None and not re.fullmatch(path, self.path))


@dataclass
class GatewayFrame:
    """One gateway payload, ``direction`` "recv" (client -> server) or "send" (server -> client)."""

    conn: int
    direction: str
    op: int | None
    t: str | None
    s: int | None
    d: Any
    time: float


@dataclass
class Fault:
    """An injected failure: the next ``remaining`` matching requests answer ``status``."""

    method: str | None
    path: str | Callable[[RequestRecord], bool]
    status: int
    remaining: int
    retry_after: float = 0.2
    is_global: bool = False
    body: dict | None = None
    hits: list[RequestRecord] = field(default_factory=list)

    def matches(self, record: RequestRecord) -> bool:
        if self.remaining <= 0:
            return False
        if callable(self.path):
            return bool(self.path(record))
        return record.matches(self.method, self.path)


@dataclass
class SentMessage:
    """A message the bot created or edited, with the payload it sent and the stored message."""

    via: str  # "channel", "interaction_response", "followup", "edit"
    payload: dict  # what the bot sent (JSON or payload_json)
    message: dict  # the stored message object as returned (live: later edits update it)
    request: RequestRecord

    @property
    def id(self) -> int:
        return int(self.message["id"])

    @property
    def content(self) -> str | None:
        return self.payload.get("content")

    @property
    def embeds(self) -> list[dict]:
        return self.payload.get("embeds") or []

    @property
    def components(self) -> list[dict]:
        return self.payload.get("components") or []

    @property
    def flags(self) -> int:
        return self.payload.get("flags") or 0

    @property
    def allowed_mentions(self) -> dict | None:
        return self.payload.get("allowed_mentions")


class InteractionHandle:
    """A pushed interaction; tests await the bot's callback, followups and original-response edits."""

    def __init__(self, payload: dict, pushed_at: float, deadline: float, notifier: Notifier) -> None:
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.pushed_at = pushed_at
        self.deadline = deadline
        self._notifier = notifier
        self.callback_attempts: list[RequestRecord] = []  # every POST .../callback, accepted or not
        self.response: dict | None = None  # the accepted callback body {"type": ..., "data": ...}
        self.response_time: float | None = None
        self.original: dict | None = None  # the original response message (live)
        self.followups: list[SentMessage] = []
        self.edits: list[SentMessage] = []  # PATCHes of @original or followup messages
        self.deleted: list[int] = []

    @property
    def acknowledged(self) -> bool:
        return self.response is not None

    @property
    def response_type(self) -> int | None:
        return None if self.response is None else self.response["type"]

    @property
    def response_delay(self) -> float | None:
        """Seconds between push and the accepted callback."""
        return None if self.response_time is None else self.response_time - self.pushed_at

    @property
    def rejected_callbacks(self) -> list[RequestRecord]:
        return [r for r in self.callback_attempts if r.status is not None and r.status >= 300]

    async def wait_response(self, timeout: float = 5.0) -> dict:
        """Wait for the accepted interaction callback; returns its body ({"type", "data"})."""
        return await self._notifier.wait_for(
            lambda: self.response, timeout, f"callback of interaction {self.id}"
        )

    async def wait_callback_attempt(self, count: int = 1, timeout: float = 5.0) -> RequestRecord:
        """Wait until ``count`` callback requests (accepted or rejected) were answered; returns the last."""

        def probe() -> RequestRecord | None:
            done = [r for r in self.callback_attempts if r.status is not None]
            return done[count - 1] if len(done) >= count else None

        return await self._notifier.wait_for(probe, timeout, f"{count} callback attempt(s) on {self.id}")

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[SentMessage]:
        """Wait until at least ``count`` followup messages were sent; returns all so far."""
        return await self._notifier.wait_for(
            lambda: list(self.followups) if len(self.followups) >= count else None,
            timeout,
            f"{count} followup(s) of interaction {self.id}",
        )

    async def wait_followup(self, timeout: float = 5.0) -> SentMessage:
        """Wait for the first followup message."""
        return (await self.wait_followups(1, timeout))[0]

    async def wait_edits(self, count: int = 1, timeout: float = 5.0) -> list[SentMessage]:
        """Wait until at least ``count`` edits of the original response / followups were made."""
        return await self._notifier.wait_for(
            lambda: list(self.edits) if len(self.edits) >= count else None,
            timeout,
            f"{count} edit(s) of interaction {self.id}",
        )

    async def wait_reply(self, timeout: float = 5.0) -> dict:
        """Wait for visible reply content: the original message once it's not loading anymore."""

        def probe() -> dict | None:
            msg = self.original
            if msg is not None and not (msg.get("flags", 0) & 128):
                return msg
            return None

        return await self._notifier.wait_for(probe, timeout, f"a visible reply to interaction {self.id}")

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.type} response_type={self.response_type}>"
