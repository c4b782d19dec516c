"""A local Discord-compatible server (REST API v10 + gateway) for end-to-end tests of discord.py bots.

Usage::

    async with FakeDiscord(token="t0ken", heartbeat_interval=1000) as server:
        with server.patch_discord():          # point discord.py's Route.BASE / DEFAULT_GATEWAY here
            async with running_client(bot, server.token):
                await bot.tree.sync(guild=discord.Object(server.guild_id))
                handle = await server.push_interaction_command("ask", {"query": "..."})
                response = await handle.wait_response()       # {"type": 5, ...}
                followup = await handle.wait_followup()       # SentMessage (payload + stored message)

Loopback only. See README.md beside this file for the full API.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import json
import logging
import math
import re
import secrets
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .records import (
    Fault,
    GatewayFrame,
    InteractionHandle,
    Notifier,
    RequestRecord,
    SentMessage,
)
from .validation import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    is_empty_message,
    validate_commands,
    validate_message,
)
from .world import (
    ADMINISTRATOR,
    DEFAULT_BOT_PERMISSIONS,
    DM,
    GUILD_CATEGORY,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    MANAGE_MESSAGES,
    PRIVILEGED_INTENTS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    World,
    iso_now,
)

_log = logging.getLogger(__name__)

INTERACTION_TOKEN_TTL = 15 * 60.0
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
MENTION_USER_RE = re.compile(r"<@!?(\d+)>")
MENTION_ROLE_RE = re.compile(r"<@&(\d+)>")


class ApiError(Exception):
    """An error answer in Discord's JSON error format."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


def invalid_form_body(errors: dict) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", errors)


@dataclass
class _Session:
    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    events: list[dict] = field(default_factory=list)  # full dispatch frames, for RESUME replay
    conn: _Conn | None = None
    valid: bool = True


@dataclass
class _Conn:
    id: int
    ws: web.WebSocketResponse
    path: str
    query: dict[str, str]
    compressor: Any  # zlib compressobj for zlib-stream, else None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    session: _Session | None = None
    ready: bool = False  # READY/RESUMED sent: dispatches may flow
    closed: bool = False
    server_closed: bool = False
    close_code: int | None = None


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true")


class FakeDiscord:
    """Local fake of Discord's REST API v10 and gateway, recording everything a discord.py client does.

    Parameters:
        token: the only bot token accepted (REST ``Authorization: Bot <token>`` and gateway IDENTIFY/RESUME).
        heartbeat_interval: HELLO heartbeat interval in milliseconds (Discord: 41250).
        interaction_deadline: seconds after push within which the first callback must arrive (Discord: 3).
        allowed_intents: privileged intents the application may use (bitmask); ``None`` allows all.
            Asking for a privileged intent outside it closes the gateway with 4014.
        echo_bot_messages: dispatch MESSAGE_CREATE/UPDATE for the bot's own (non-ephemeral) messages, as
            Discord does.
        shard_count: the shards GET /gateway/bot recommends. A session that IDENTIFYs with ``shard``
            [id, count] gets READY, GUILD_CREATE and every guild's events only for the guilds it owns
            (``(guild_id >> 22) % count == id``), and the events without a guild (DMs) only on shard 0.
    """

    def __init__(
        self,
        token: str = "fake-bot-token",
        *,
        heartbeat_interval: int = 41250,
        interaction_deadline: float = 3.0,
        application_id: int | None = None,
        owner_id: int | None = None,
        guild_id: int | None = None,
        bot_name: str = "defnews",
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        allowed_intents: int | None = None,
        echo_bot_messages: bool = True,
        locale: str = "ja",
        shard_count: int = 1,
    ) -> None:
        self.token = token
        self.shard_count = shard_count
        self.heartbeat_interval = heartbeat_interval
        self.interaction_deadline = interaction_deadline
        self.allowed_intents = allowed_intents
        self.echo_bot_messages = echo_bot_messages
        self.ack_heartbeats = True  # set False to simulate a zombied connection
        self.world = World.build(
            application_id=application_id,
            owner_id=owner_id,
            guild_id=guild_id,
            bot_name=bot_name,
            bot_permissions=bot_permissions,
            locale=locale,
        )
        self.guilds: dict[int, World] = {self.world.guild_id: self.world}  # add_guild() adds more
        # Records.
        self.requests: list[RequestRecord] = []
        self.unhandled_requests: list[RequestRecord] = []
        self.frames: list[GatewayFrame] = []
        self.heartbeats: list[float] = []
        self.sent: list[SentMessage] = []  # messages the bot created (channel, interaction, followup)
        self.edits: list[SentMessage] = []  # edits of the bot's messages
        self.messages: dict[int, dict] = {}  # every message in the world, by id (live)
        self.interactions: dict[int, InteractionHandle] = {}
        self.faults: list[Fault] = []
        self.global_commands: dict[tuple[int, str], dict] = {}
        self.guild_commands: dict[int, dict[tuple[int, str], dict]] = {}
        self.sessions: list[_Session] = []
        self.connections: list[_Conn] = []
        self._tokens: dict[str, InteractionHandle] = {}
        self._interaction_messages: dict[int, InteractionHandle] = {}
        self._conn_ids = 0
        self._notifier: Notifier | None = None
        self._runner: web.AppRunner | None = None
        self._ws_tasks: set[asyncio.Task] = set()
        self.port: int | None = None
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeDiscord:
        """Bind to an ephemeral port on 127.0.0.1 and start serving."""
        self._notifier = Notifier()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest_entry)
        app.router.add_get("/gateway", self._gateway_entry)
        app.router.add_get("/resume-gateway", self._gateway_entry)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        _log.debug("fake discord listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        """Close gateway connections and stop the server."""
        for conn in list(self.connections):
            if not conn.closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.ws.close(code=1001, message=b"server shutdown"), 2)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (also returned by GET /gateway/bot)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY (a distinct path so tests can see it was used)."""
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py (process-wide class attributes) at this server; restores them on exit."""
        import discord.gateway
        import discord.http
        import yarl

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # ------------------------------------------------------------------ world shortcuts

    @property
    def bot_user(self) -> dict:
        return self.world.bot_user

    @property
    def bot_id(self) -> int:
        return self.world.bot_id

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def guild_id(self) -> int:
        return self.world.guild_id

    def add_guild(
        self, name: str = "Second Watch", *, guild_id: int | None = None, on_shard: tuple[int, int] | None = None
    ) -> World:
        """Another guild the bot is in (same users; its own channels and roles): ``server.guilds[id]``.
        ``on_shard=(shard_id, shard_count)`` picks an id whose events go to that shard."""
        if guild_id is None and on_shard is not None:
            shard_id, count = on_shard
            ms = self.world.ids.next() >> 22
            guild_id = (ms + (shard_id - ms) % count) << 22  # (no generated snowflake has all low bits 0)
        world = self.world.sibling(guild_id=guild_id, guild_name=name)
        self.guilds[world.guild_id] = world
        return world

    def guild_world(self, guild_id: int | str | None) -> World:
        """The World of a guild (the first guild's for None)."""
        if guild_id is None:
            return self.world
        try:
            return self.guilds[int(guild_id)]
        except KeyError:
            raise ApiError(404, 10004, "Unknown Guild") from None

    def _channel_world(self, channel_id: int | str) -> World:
        """The World whose guild has the channel (the first guild's for DM channels and unknown ids)."""
        cid = int(channel_id)
        return next((w for w in self.guilds.values() if cid in w.channels), self.world)

    @staticmethod
    def shard_of(guild_id: int, shard_count: int) -> int:
        """The shard that receives a guild's events (Discord's formula)."""
        return (int(guild_id) >> 22) % shard_count

    def _owns(self, session: _Session, guild_id: Any) -> bool:
        """Whether ``session`` receives the events of ``guild_id`` (None: DMs and other guild-less events)."""
        if session.shard is None:
            return True
        shard_id, count = session.shard
        return shard_id == 0 if guild_id is None else self.shard_of(int(guild_id), count) == shard_id

    def user(self, ref: int | str | dict) -> dict:
        """User dict by id or username ("owner", "alice", "bob", or added ones)."""
        return self.world.user(ref)

    def channel(self, ref: int | str | dict) -> dict:
        """Channel dict by id or name ("general", "news", "readonly", "Voice")."""
        return self.world.channel(ref)

    def channel_id(self, ref: int | str | dict) -> int:
        return int(self.world.channel(ref)["id"])

    # ------------------------------------------------------------------ waiting helpers

    def _notify(self) -> None:
        if self._notifier is not None:
            self._notifier.notify()

    @property
    def notifier(self) -> Notifier:
        assert self._notifier is not None, "server not started"
        return self._notifier

    async def wait_for(self, probe: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
        """Wait until ``probe()`` returns something truthy (re-checked whenever anything is recorded)."""
        return await self.notifier.wait_for(probe, timeout, what)

    async def wait_for_request(
        self,
        predicate: Callable[[RequestRecord], bool] | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> RequestRecord:
        """First answered request (index >= ``since``) matching method/path regex/predicate."""

        def probe() -> RequestRecord | None:
            for rec in self.requests[since:]:
                if rec.status is None or not rec.matches(method, path):
                    continue
                if predicate is None or predicate(rec):
                    return rec
            return None

        return await self.wait_for(probe, timeout, f"request {method or ''} {path or ''}")

    def find_requests(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        """All recorded requests matching method and path regex."""
        return [r for r in self.requests if r.matches(method, path)]

    async def wait_for_frame(
        self, predicate: Callable[[GatewayFrame], bool], *, since: int = 0, timeout: float = 5.0
    ) -> GatewayFrame:
        """First gateway frame (index >= ``since``) matching the predicate."""
        return await self.wait_for(
            lambda: next((f for f in self.frames[since:] if predicate(f)), None), timeout, "gateway frame"
        )

    async def wait_for_sent(
        self, predicate: Callable[[SentMessage], bool] | None = None, *, since: int = 0, timeout: float = 5.0
    ) -> SentMessage:
        """First message the bot created (index >= ``since`` in ``server.sent``) matching the predicate."""
        return await self.wait_for(
            lambda: next((s for s in self.sent[since:] if predicate is None or predicate(s)), None),
            timeout,
            "a message from the bot",
        )

    def frames_received(self, op: int) -> list[GatewayFrame]:
        """Frames with ``op`` the client sent."""
        return [f for f in self.frames if f.direction == "recv" and f.op == op]

    @property
    def identify_count(self) -> int:
        return len(self.frames_received(2))

    @property
    def resume_count(self) -> int:
        return len(self.frames_received(6))

    def dispatches_sent(self, event: str) -> list[GatewayFrame]:
        return [f for f in self.frames if f.direction == "send" and f.t == event]

    async def wait_for_dispatch(self, event: str, count: int = 1, timeout: float = 5.0) -> GatewayFrame:
        """Wait until the server sent the ``count``-th dispatch of ``event`` (e.g. "READY", "RESUMED")."""
        return await self.wait_for(
            lambda: (lambda fs: fs[count - 1] if len(fs) >= count else None)(self.dispatches_sent(event)),
            timeout,
            f"{count} {event} dispatch(es)",
        )

    def live_session(self) -> _Session | None:
        """The session with an open, ready connection, if any."""
        for s in reversed(self.sessions):
            if s.valid and s.conn is not None and s.conn.ready and not s.conn.closed:
                return s
        return None

    async def wait_for_session(self, timeout: float = 5.0) -> _Session:
        return await self.wait_for(self.live_session, timeout, "a live gateway session")

    # ------------------------------------------------------------------ fault injection

    def inject_fault(
        self,
        path: str | Callable[[RequestRecord], bool],
        *,
        method: str | None = None,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.2,
        is_global: bool = False,
        body: dict | None = None,
    ) -> Fault:
        """Make the next ``times`` requests matching ``path`` (regex on the path below /api/v10, or a
        predicate over RequestRecord) and ``method`` answer ``status`` (429 rate limit or a 5xx)."""
        fault = Fault(
            method=method.upper() if method else None,
            path=path,
            status=status,
            remaining=times,
            retry_after=retry_after,
            is_global=is_global,
            body=body,
        )
        self.faults.append(fault)
        return fault

    def rate_limit_next(
        self, path: str, *, method: str | None = None, times: int = 1, retry_after: float = 0.2
    ) -> Fault:
        """Shortcut: the next ``times`` matching requests get a 429."""
        return self.inject_fault(path, method=method, status=429, times=times, retry_after=retry_after)

    def fail_next(self, path: str, *, method: str | None = None, status: int = 500, times: int = 1) -> Fault:
        """Shortcut: the next ``times`` matching requests get a 5xx."""
        return self.inject_fault(path, method=method, status=status, times=times)

    # ------------------------------------------------------------------ HTTP plumbing

    def _ratelimit_headers(self, bucket: str) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "4",
            "X-RateLimit-Reset": f"{time.time() + 1.0:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": bucket,
        }

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # Exactly "application/json": discord.py compares the header verbatim (no charset allowed).
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(body=json.dumps(data).encode(), status=status, headers=hdrs)

    async def _parse_body(self, request: web.Request) -> tuple[Any, list[dict]]:
        files: list[dict] = []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    data = await part.read(decode=False)  # type: ignore[union-attr]
                    files.append(
                        {
                            "name": part.name,
                            "filename": part.filename,  # type: ignore[union-attr]
                            "content_type": part.headers.get("Content-Type"),
                            "size": len(data),
                            "data": data,
                        }
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None

    async def _rest_entry(self, request: web.Request) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        received = loop.time()
        path = "/" + request.match_info["tail"]
        auth = request.headers.get("Authorization")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        record = RequestRecord(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=None,
            files=[],
            headers=headers,
            authorization=None if auth is None else ("Bot ***" if auth == f"Bot {self.token}" else "invalid"),
            time=received,
        )
        self.requests.append(record)
        try:
            record.json, record.files = await self._parse_body(request)
            response = await self._route(record)
        except ApiError as exc:
            response = self._json(exc.body, exc.status)
        except Exception as exc:  # a bug in the fake: answer 500 but make it visible
            _log.exception("fakediscord internal error on %s %s", request.method, path)
            response = self._json({"message": f"fakediscord internal error: {exc!r}", "code": 0}, 500)
        record.status = response.status
        if isinstance(response, web.Response) and response.body:
            with contextlib.suppress(ValueError, TypeError):
                record.response = json.loads(response.body)  # type: ignore[arg-type]
        self._notify()
        return response

    async def _route(self, record: RequestRecord) -> web.Response:
        for method, pattern, handler, needs_auth, template in self._routes:
            if method != record.method:
                continue
            m = pattern.fullmatch(record.path)
            if m is None:
                continue
            if needs_auth and record.authorization != "Bot ***":
                raise ApiError(401, 0, "401: Unauthorized")
            fault = next((f for f in self.faults if f.matches(record)), None)
            if fault is not None:
                return self._fault_response(fault, record, template)
            result = await handler(record, *m.groups())
            bucket = hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]
            if isinstance(result, web.Response):
                result.headers.update(self._ratelimit_headers(bucket))
                return result
            if result is None:
                return web.Response(status=204, headers=self._ratelimit_headers(bucket))
            return self._json(result, 200, self._ratelimit_headers(bucket))
        self.unhandled_requests.append(record)
        _log.warning("fakediscord: unhandled route %s %s", record.method, record.path)
        raise ApiError(404, 0, "404: Not Found")

    def _fault_response(self, fault: Fault, record: RequestRecord, template: str) -> web.Response:
        fault.remaining -= 1
        fault.hits.append(record)
        if fault.status == 429:
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
            }
            bucket = hashlib.sha1(f"{record.method} {template}".encode()).hexdigest()[:16]
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, math.ceil(fault.retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Bucket": bucket,
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            return self._json(body, 429, headers)
        reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(
            fault.status, "Server Error"
        )
        return self._json(fault.body or {"message": f"{fault.status}: {reason}", "code": 0}, fault.status)

    def _build_routes(self) -> list[tuple[str, re.Pattern, Callable, bool, str]]:
        table: list[tuple[str, str, Callable, bool]] = [
            ("GET", "/users/@me", self._get_me, True),
            ("GET", "/users/{id}", self._get_user, True),
            ("POST", "/users/@me/channels", self._create_dm, True),
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/applications/@me", self._get_application, True),
            ("GET", "/applications/{id}/commands", self._get_commands, True),
            ("PUT", "/applications/{id}/commands", self._put_commands, True),
            ("POST", "/applications/{id}/commands", self._post_command, True),
            ("GET", "/applications/{id}/commands/{id}", self._get_command, True),
            ("DELETE", "/applications/{id}/commands/{id}", self._delete_command, True),
            ("GET", "/applications/{id}/guilds/{id}/commands", self._get_guild_commands, True),
            ("PUT", "/applications/{id}/guilds/{id}/commands", self._put_guild_commands, True),
            ("POST", "/applications/{id}/guilds/{id}/commands", self._post_guild_command, True),
            (
                "GET",
                "/applications/{id}/guilds/{id}/commands/permissions",
                self._get_command_permissions,
                True,
            ),
            ("POST", "/interactions/{id}/{token}/callback", self._interaction_callback, False),
            ("POST", "/webhooks/{id}/{token}", self._webhook_execute, False),
            ("GET", "/webhooks/{id}/{token}/messages/{mid}", self._webhook_get_message, False),
            ("PATCH", "/webhooks/{id}/{token}/messages/{mid}", self._webhook_edit_message, False),
            ("DELETE", "/webhooks/{id}/{token}/messages/{mid}", self._webhook_delete_message, False),
            ("GET", "/channels/{id}", self._get_channel, True),
            ("GET", "/channels/{id}/messages", self._get_messages, True),
            ("POST", "/channels/{id}/messages", self._post_message, True),
            ("GET", "/channels/{id}/messages/{id}", self._get_message, True),
            ("PATCH", "/channels/{id}/messages/{id}", self._patch_message, True),
            ("DELETE", "/channels/{id}/messages/{id}", self._delete_message, True),
            ("POST", "/channels/{id}/typing", self._typing, True),
            ("PUT", "/channels/{id}/messages/{id}/reactions/{token}/@me", self._add_reaction, True),
            ("DELETE", "/channels/{id}/messages/{id}/reactions/{token}/@me", self._remove_reaction, True),
            ("GET", "/guilds/{id}", self._get_guild, True),
            ("GET", "/guilds/{id}/channels", self._get_guild_channels, True),
            ("GET", "/guilds/{id}/roles", self._get_guild_roles, True),
            ("GET", "/guilds/{id}/members/{id}", self._get_member, True),
        ]
        routes = []
        for method, template, handler, auth in table:
            regex = re.escape(template)
            regex = regex.replace(re.escape("{id}"), r"(\d+)").replace(re.escape("{token}"), r"([^/]+)")
            regex = regex.replace(re.escape("{mid}"), r"(@original|\d+)")
            routes.append((method, re.compile(regex), handler, auth, template))
        return routes

    # ------------------------------------------------------------------ REST: users, gateway, application

    async def _get_me(self, rec: RequestRecord) -> dict:
        return {
            **self.world.bot_user,
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

    async def _get_user(self, rec: RequestRecord, user_id: str) -> dict:
        try:
            return self.world.user(int(user_id))
        except KeyError:
            raise ApiError(404, 10013, "Unknown User") from None

    async def _create_dm(self, rec: RequestRecord) -> dict:
        rid = int((rec.json or {}).get("recipient_id", 0))
        if rid not in self.world.users:
            raise ApiError(400, 50007, "Cannot send messages to this user")
        return self.world.dm_channel(rid)

    async def _get_gateway(self, rec: RequestRecord) -> dict:
        return {"url": self.gateway_url}

    async def _get_gateway_bot(self, rec: RequestRecord) -> dict:
        return {
            "url": self.gateway_url,
            "shards": self.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14400000,
                "max_concurrency": 1,
            },
        }

    async def _get_application(self, rec: RequestRecord) -> dict:
        return self.world.application_payload()

    # ------------------------------------------------------------------ REST: application commands

    def _check_app(self, app_id: str) -> None:
        if int(app_id) != self.application_id:
            raise ApiError(403, 50001, "Missing Access")

    def _command_store(self, guild_id: str | None) -> dict[tuple[int, str], dict]:
        if guild_id is None:
            return self.global_commands
        if int(guild_id) not in self.guilds:
            raise ApiError(403, 50001, "Missing Access")
        return self.guild_commands.setdefault(int(guild_id), {})

    def _store_command(self, store: dict, cmd: dict, guild_id: str | None) -> dict:
        key = (cmd.get("type", 1), cmd["name"])
        old = store.get(key)
        dmp = cmd.get("default_member_permissions")
        data = {
            "id": old["id"] if old else str(self.world.ids.next()),
            "application_id": str(self.application_id),
            "version": str(self.world.ids.next()),
            "type": cmd.get("type", 1),
            "name": cmd["name"],
            "name_localizations": cmd.get("name_localizations"),
            "description": cmd.get("description", ""),
            "description_localizations": cmd.get("description_localizations"),
            "options": copy.deepcopy(cmd.get("options") or []),
            "default_member_permissions": None if dmp is None else str(dmp),
            "nsfw": cmd.get("nsfw", False),
        }
        if guild_id is None:
            data["dm_permission"] = cmd.get("dm_permission", True)
            data["contexts"] = cmd.get("contexts")
            data["integration_types"] = cmd.get("integration_types") or [0]
        else:
            data["guild_id"] = str(guild_id)
        store[key] = data
        return data

    async def _bulk_overwrite(self, rec: RequestRecord, app_id: str, guild_id: str | None) -> list[dict]:
        self._check_app(app_id)
        store = self._command_store(guild_id)
        errors = validate_commands(rec.json)
        if errors:
            raise invalid_form_body(errors)
        old = dict(store)
        store.clear()
        out = []
        for cmd in rec.json:
            if (cmd.get("type", 1), cmd["name"]) in old:
                store[(cmd.get("type", 1), cmd["name"])] = old[(cmd.get("type", 1), cmd["name"])]
            out.append(self._store_command(store, cmd, guild_id))
        return out

    async def _get_commands(self, rec: RequestRecord, app_id: str) -> list[dict]:
        self._check_app(app_id)
        return list(self.global_commands.values())

    async def _put_commands(self, rec: RequestRecord, app_id: str) -> list[dict]:
        return await self._bulk_overwrite(rec, app_id, None)

    async def _post_command(self, rec: RequestRecord, app_id: str) -> dict:
        self._check_app(app_id)
        errors = validate_commands([rec.json])
        if errors:
            raise invalid_form_body(errors.get("0", errors))
        return self._store_command(self.global_commands, rec.json, None)

    async def _get_command(self, rec: RequestRecord, app_id: str, cmd_id: str) -> dict:
        self._check_app(app_id)
        for cmd in self.global_commands.values():
            if cmd["id"] == cmd_id:
                return cmd
        raise ApiError(404, 10063, "Unknown application command")

    async def _delete_command(self, rec: RequestRecord, app_id: str, cmd_id: str) -> None:
        self._check_app(app_id)
        for key, cmd in list(self.global_commands.items()):
            if cmd["id"] == cmd_id:
                del self.global_commands[key]
                return None
        raise ApiError(404, 10063, "Unknown application command")

    async def _get_guild_commands(self, rec: RequestRecord, app_id: str, guild_id: str) -> list[dict]:
        self._check_app(app_id)
        return list(self._command_store(guild_id).values())

    async def _put_guild_commands(self, rec: RequestRecord, app_id: str, guild_id: str) -> list[dict]:
        return await self._bulk_overwrite(rec, app_id, guild_id)

    async def _post_guild_command(self, rec: RequestRecord, app_id: str, guild_id: str) -> dict:
        self._check_app(app_id)
        store = self._command_store(guild_id)
        errors = validate_commands([rec.json])
        if errors:
            raise invalid_form_body(errors.get("0", errors))
        return self._store_command(store, rec.json, guild_id)

    async def _get_command_permissions(self, rec: RequestRecord, app_id: str, guild_id: str) -> list:
        self._check_app(app_id)
        return []

    def commands(self, guild_id: int | None = None) -> list[dict]:
        """Currently registered commands: global (``guild_id=None``) or for a guild."""
        if guild_id is None:
            return list(self.global_commands.values())
        return list(self.guild_commands.get(int(guild_id), {}).values())

    def find_command(self, name: str, guild_id: int | None = None, command_type: int = 1) -> dict | None:
        """A registered command by name: the guild's first (if ``guild_id``), then global."""
        if guild_id is not None:
            cmd = self.guild_commands.get(int(guild_id), {}).get((command_type, name))
            if cmd is not None:
                return cmd
        return self.global_commands.get((command_type, name))

    # ------------------------------------------------------------------ messages (shared)

    def _mentions(
        self, content: str, allowed: dict | None, guild: bool
    ) -> tuple[list[dict], list[str], bool]:
        """Users/roles/everyone actually pinged by ``content`` under ``allowed_mentions``."""
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        allowed_users = set((allowed or {}).get("users") or [])
        allowed_roles = set((allowed or {}).get("roles") or [])
        users, roles = [], []
        for uid in dict.fromkeys(MENTION_USER_RE.findall(content)):
            if int(uid) in self.world.users and ("users" in parse or uid in allowed_users):
                users.append(self.world.users[int(uid)])
        if guild:
            for rid in dict.fromkeys(MENTION_ROLE_RE.findall(content)):
                if int(rid) in self.world.roles and ("roles" in parse or rid in allowed_roles):
                    roles.append(rid)
        everyone = guild and "everyone" in parse and ("@everyone" in content or "@here" in content)
        return users, roles, everyone

    def _components_with_ids(self, components: list[dict]) -> list[dict]:
        out = copy.deepcopy(components)
        counter = 0

        def walk(items: list[dict]) -> None:
            nonlocal counter
            for comp in items:
                counter += 1
                comp.setdefault("id", counter)
                walk(comp.get("components") or [])

        walk(out)
        return out

    def _apply_content(self, msg: dict, payload: dict, files: list[dict]) -> None:
        """Apply content/embeds/components/attachments/flags/allowed_mentions of a payload to a message."""
        guild = msg.get("guild_id") is not None
        if "content" in payload:
            msg["content"] = payload["content"] or ""
        if "embeds" in payload:
            msg["embeds"] = [
                {"type": "rich", "content_scan_version": 0, **e}
                for e in copy.deepcopy(payload["embeds"] or [])
            ]
        if "components" in payload:
            msg["components"] = self._components_with_ids(payload["components"] or [])
        if "attachments" in payload or files:
            attachments = []
            for f in files:
                aid = self.world.ids.next()
                url = f"{self.base_url}/attachments/{msg['channel_id']}/{aid}/{f['filename']}"
                attachments.append(
                    {
                        "id": str(aid),
                        "filename": f["filename"],
                        "size": f["size"],
                        "url": url,
                        "proxy_url": url,
                        "content_type": f["content_type"],
                    }
                )
            keep = {str(a.get("id")) for a in payload.get("attachments") or []}
            msg["attachments"] = [a for a in msg.get("attachments", []) if a["id"] in keep] + attachments
        if "flags" in payload and payload["flags"] is not None:
            sticky = msg.get("flags", 0) & (FLAG_EPHEMERAL | (1 << 15))
            allowed = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS
            msg["flags"] = sticky | (payload["flags"] & allowed)
        if any(k in payload for k in ("content", "allowed_mentions")):
            users, roles, everyone = self._mentions(msg["content"], payload.get("allowed_mentions"), guild)
            ref_author = (msg.get("referenced_message") or {}).get("author")
            am = payload.get("allowed_mentions")
            replied_user = True if am is None else bool(am.get("replied_user"))
            if ref_author and replied_user and all(u["id"] != ref_author["id"] for u in users):
                users.append(ref_author)
            msg["mentions"], msg["mention_roles"], msg["mention_everyone"] = users, roles, everyone

    def _new_message(
        self,
        *,
        channel_id: int,
        author: dict,
        payload: dict,
        files: list[dict],
        flags: int = 0,
        msg_type: int = 0,
        extra: dict | None = None,
    ) -> dict:
        world = self._channel_world(channel_id)
        guild = channel_id in world.channels
        msg: dict[str, Any] = {
            "id": str(self.world.ids.next()),
            "type": msg_type,
            "channel_id": str(channel_id),
            "author": author,
            "content": "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "flags": flags,
        }
        if guild:
            msg["guild_id"] = str(world.guild_id)
        if payload.get("nonce") is not None:
            msg["nonce"] = payload["nonce"]
        msg.update(extra or {})
        self._apply_content(msg, {"content": "", **payload}, files)
        self.messages[int(msg["id"])] = msg
        return msg

    def _gateway_message(self, msg: dict) -> dict:
        data = copy.deepcopy(msg)
        if data.get("guild_id") is not None:
            world = self.guild_world(data["guild_id"])
            data["member"] = world.member_payload(int(data["author"]["id"]), with_user=False)
        return data

    async def _echo(self, event: str, msg: dict) -> None:
        if self.echo_bot_messages and not msg.get("flags", 0) & FLAG_EPHEMERAL:
            await self.dispatch(event, self._gateway_message(msg))

    def _validate_create(self, payload: dict, files: list[dict]) -> None:
        errors = validate_message(payload)
        if errors:
            raise invalid_form_body(errors)
        if is_empty_message(payload, len(files)):
            raise ApiError(400, 50006, "Cannot send an empty message")

    def _validate_edit(self, payload: dict) -> None:
        errors = validate_message(payload, partial=True)
        if errors:
            raise invalid_form_body(errors)

    # ------------------------------------------------------------------ REST: channels & messages

    def _get_channel_or_404(self, channel_id: str) -> dict:
        try:
            return self._channel_world(channel_id).channel(int(channel_id))
        except KeyError:
            raise ApiError(404, 10003, "Unknown Channel") from None

    def _get_message_or_404(self, channel_id: str, message_id: str) -> dict:
        self._get_channel_or_404(channel_id)
        msg = self.messages.get(int(message_id))
        if msg is None or msg["channel_id"] != channel_id:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def _bot_perms(self, channel: dict) -> int:
        if channel["type"] == DM:
            return VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY
        return self._channel_world(channel["id"]).channel_permissions(self.bot_id, int(channel["id"]))

    async def _get_channel(self, rec: RequestRecord, channel_id: str) -> dict:
        channel = self._get_channel_or_404(channel_id)
        if not self._bot_perms(channel) & VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        return channel

    async def _get_messages(self, rec: RequestRecord, channel_id: str) -> list[dict]:
        self._get_channel_or_404(channel_id)
        limit = int(rec.query.get("limit", 50))
        msgs = [m for m in self.messages.values() if m["channel_id"] == channel_id]
        return sorted(msgs, key=lambda m: int(m["id"]), reverse=True)[:limit]

    async def _get_message(self, rec: RequestRecord, channel_id: str, message_id: str) -> dict:
        return self._get_message_or_404(channel_id, message_id)

    async def _post_message(self, rec: RequestRecord, channel_id: str) -> dict:
        channel = self._get_channel_or_404(channel_id)
        perms = self._bot_perms(channel)
        if not perms & VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        if channel["type"] == GUILD_CATEGORY:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if not perms & SEND_MESSAGES:
            raise ApiError(403, 50013, "Missing Permissions")
        payload = rec.json or {}
        self._validate_create(payload, rec.files)
        extra: dict[str, Any] = {}
        msg_type = 0
        ref = payload.get("message_reference")
        if ref is not None:
            target = self.messages.get(int(ref.get("message_id", 0)))
            if target is None or target["channel_id"] != channel_id:
                if ref.get("fail_if_not_exists", True):
                    raise invalid_form_body(
                        {
                            "message_reference": {
                                "_errors": [
                                    {
                                        "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                        "message": "Unknown message",
                                    }
                                ]
                            }
                        }
                    )
            else:
                if not perms & READ_MESSAGE_HISTORY:
                    raise ApiError(403, 50013, "Missing Permissions")
                msg_type = 19
                extra["message_reference"] = {
                    "type": 0,
                    "message_id": target["id"],
                    "channel_id": channel_id,
                    **({"guild_id": target["guild_id"]} if target.get("guild_id") else {}),
                }
                extra["referenced_message"] = copy.deepcopy(target)
        msg = self._new_message(
            channel_id=int(channel_id),
            author=self.world.bot_user,
            payload=payload,
            files=rec.files,
            flags=(payload.get("flags") or 0) & (FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS),
            msg_type=msg_type,
            extra=extra,
        )
        self.sent.append(SentMessage("channel", payload, msg, rec))
        await self._echo("MESSAGE_CREATE", msg)
        return msg

    async def _patch_message(self, rec: RequestRecord, channel_id: str, message_id: str) -> dict:
        msg = self._get_message_or_404(channel_id, message_id)
        if msg["author"]["id"] != self.bot_user["id"]:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        payload = rec.json or {}
        self._validate_edit(payload)
        return await self._edit(msg, payload, rec, None)

    async def _edit(
        self, msg: dict, payload: dict, rec: RequestRecord, handle: InteractionHandle | None
    ) -> dict:
        self._apply_content(msg, payload, rec.files)
        if msg.get("flags", 0) & FLAG_LOADING:
            msg["flags"] &= ~FLAG_LOADING
        msg["edited_timestamp"] = iso_now()
        sm = SentMessage("edit", payload, msg, rec)
        self.edits.append(sm)
        if handle is not None:
            handle.edits.append(sm)
        await self._echo("MESSAGE_UPDATE", msg)
        return msg

    async def _delete_message(self, rec: RequestRecord, channel_id: str, message_id: str) -> None:
        msg = self._get_message_or_404(channel_id, message_id)
        channel = self.world.channel(int(channel_id))
        if msg["author"]["id"] != self.bot_user["id"] and not self._bot_perms(channel) & MANAGE_MESSAGES:
            raise ApiError(403, 50013, "Missing Permissions")
        await self._remove_message(msg)
        return None

    async def _remove_message(self, msg: dict) -> None:
        self.messages.pop(int(msg["id"]), None)
        data = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if msg.get("guild_id"):
            data["guild_id"] = msg["guild_id"]
        if not msg.get("flags", 0) & FLAG_EPHEMERAL:
            await self.dispatch("MESSAGE_DELETE", data)

    async def _typing(self, rec: RequestRecord, channel_id: str) -> None:
        self._get_channel_or_404(channel_id)
        return None

    async def _add_reaction(self, rec: RequestRecord, channel_id: str, message_id: str, emoji: str) -> None:
        msg = self._get_message_or_404(channel_id, message_id)
        reactions = msg.setdefault("reactions", [])
        for r in reactions:
            if r["emoji"]["name"] == emoji:
                r["me"] = True
                r["count"] += 1
                return None
        reactions.append({"emoji": {"id": None, "name": emoji}, "count": 1, "me": True})
        return None

    async def _remove_reaction(
        self, rec: RequestRecord, channel_id: str, message_id: str, emoji: str
    ) -> None:
        msg = self._get_message_or_404(channel_id, message_id)
        msg["reactions"] = [r for r in msg.get("reactions", []) if r["emoji"]["name"] != emoji]
        return None

    # ------------------------------------------------------------------ REST: guild

    async def _get_guild(self, rec: RequestRecord, guild_id: str) -> dict:
        data = self.guild_world(guild_id).guild_payload(include_members=False)
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "lazy",
        ):
            data.pop(key, None)
        return data

    async def _get_guild_channels(self, rec: RequestRecord, guild_id: str) -> list[dict]:
        return list(self.guild_world(guild_id).channels.values())

    async def _get_guild_roles(self, rec: RequestRecord, guild_id: str) -> list[dict]:
        return list(self.guild_world(guild_id).roles.values())

    async def _get_member(self, rec: RequestRecord, guild_id: str, user_id: str) -> dict:
        world = self.guild_world(guild_id)
        if int(user_id) not in world.members:
            raise ApiError(404, 10007, "Unknown Member")
        return world.member_payload(int(user_id))

    # ------------------------------------------------------------------ REST: interactions & webhooks

    async def _interaction_callback(self, rec: RequestRecord, interaction_id: str, token: str) -> Any:
        handle = self.interactions.get(int(interaction_id))
        if handle is None or handle.token != token:
            raise ApiError(404, 10062, "Unknown interaction")
        handle.callback_attempts.append(rec)
        if handle.acknowledged:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if rec.time - handle.pushed_at > handle.deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        body = rec.json or {}
        cb_type = body.get("type")
        data = body.get("data") or {}
        is_component = handle.type in (3, 5)
        valid_types = {4: (2, 3, 5), 5: (2, 3, 5), 6: (3, 5), 7: (3, 5), 8: (4,), 9: (2, 3), 1: (1,)}
        if cb_type not in valid_types or handle.type not in valid_types[cb_type]:
            raise invalid_form_body(
                {
                    "type": {
                        "_errors": [{"code": "INTERACTION_RESPONSE_TYPE_INVALID", "message": "Invalid type."}]
                    }
                }
            )
        message: dict | None = None
        if cb_type == 4:
            self._validate_create(data, rec.files)
            message = self._interaction_message(handle, data, rec.files, flags=(data.get("flags") or 0))
            handle.original = message
            self.sent.append(SentMessage("interaction_response", data, message, rec))
            await self._echo("MESSAGE_CREATE", message)
        elif cb_type == 5:
            flags = FLAG_LOADING | ((data.get("flags") or 0) & FLAG_EPHEMERAL)
            message = self._interaction_message(handle, {}, [], flags=flags)
            handle.original = message
            await self._echo("MESSAGE_CREATE", message)
        elif cb_type in (6, 7):
            message = self.messages.get(int(handle.payload["message"]["id"]))
            handle.original = message
            if cb_type == 7 and message is not None:
                self._validate_edit(data)
                await self._edit(message, data, rec, handle)
        elif cb_type == 8:
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise invalid_form_body(
                    {
                        "data": {
                            "choices": {
                                "_errors": [
                                    {
                                        "code": "BASE_TYPE_MAX_LENGTH",
                                        "message": "Must be 25 or fewer in length.",
                                    }
                                ]
                            }
                        }
                    }
                )
        if message is not None and not is_component and cb_type in (4, 5):
            self._interaction_messages[int(message["id"])] = handle
        handle.response = copy.deepcopy(body)
        handle.response_time = rec.time
        if not _truthy(rec.query.get("with_response")):
            return None
        result: dict[str, Any] = {
            "interaction": {
                "id": str(handle.id),
                "type": handle.type,
                "response_message_loading": cb_type == 5,
                "response_message_ephemeral": bool(message and message.get("flags", 0) & FLAG_EPHEMERAL),
            },
            "resource": {"type": cb_type},
        }
        if message is not None and cb_type in (4, 5, 7):
            result["interaction"]["response_message_id"] = message["id"]
            if cb_type in (4, 7):
                result["resource"]["message"] = message
        return result

    def _interaction_message(
        self, handle: InteractionHandle, payload: dict, files: list[dict], flags: int
    ) -> dict:
        p = handle.payload
        user = p["member"]["user"] if "member" in p else p["user"]
        meta: dict[str, Any] = {
            "id": p["id"],
            "type": p["type"],
            "user": user,
            "authorizing_integration_owners": p["authorizing_integration_owners"],
        }
        extra: dict[str, Any] = {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "interaction_metadata": meta,
        }
        msg_type = 0
        if p["type"] == 2:
            meta["name"] = p["data"]["name"]
            meta["command_type"] = p["data"].get("type", 1)
            extra["interaction"] = {"id": p["id"], "type": 2, "name": p["data"]["name"], "user": user}
            msg_type = 20
        elif p["type"] == 3:
            meta["interacted_message_id"] = p["message"]["id"]
        allowed = (
            FLAG_EPHEMERAL | FLAG_LOADING | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | (1 << 15)
        )
        return self._new_message(
            channel_id=int(p["channel_id"]),
            author=self.world.bot_user,
            payload=payload,
            files=files,
            flags=flags & allowed,
            msg_type=msg_type,
            extra=extra,
        )

    def _webhook_handle(self, rec: RequestRecord, app_id: str, token: str) -> InteractionHandle:
        handle = self._tokens.get(token)
        if int(app_id) != self.application_id or handle is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        if rec.time - handle.pushed_at > INTERACTION_TOKEN_TTL:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if not handle.acknowledged:
            raise ApiError(404, 10015, "Unknown Webhook")
        return handle

    def _webhook_message(self, handle: InteractionHandle, message_id: str) -> dict:
        if message_id == "@original":
            if handle.original is None:
                raise ApiError(404, 10008, "Unknown Message")
            return handle.original
        msg = self.messages.get(int(message_id))
        if msg is None or self._interaction_messages.get(int(message_id)) is not handle:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def _webhook_execute(self, rec: RequestRecord, app_id: str, token: str) -> Any:
        handle = self._webhook_handle(rec, app_id, token)
        payload = rec.json or {}
        self._validate_create(payload, rec.files)
        original = handle.original
        if handle.response_type == 5 and original is not None and original.get("flags", 0) & FLAG_LOADING:
            # Discord: the first followup after a deferred response replaces the "thinking" message.
            self._apply_content(original, payload, rec.files)
            original["flags"] &= ~FLAG_LOADING
            msg = original
            event = "MESSAGE_UPDATE"
        else:
            flags = (payload.get("flags") or 0) & (
                FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS
            )
            msg = self._interaction_message(handle, payload, rec.files, flags=flags)
            event = "MESSAGE_CREATE"
        self._interaction_messages[int(msg["id"])] = handle
        sm = SentMessage("followup", payload, msg, rec)
        handle.followups.append(sm)
        self.sent.append(sm)
        await self._echo(event, msg)
        return msg if _truthy(rec.query.get("wait")) else None

    async def _webhook_get_message(
        self, rec: RequestRecord, app_id: str, token: str, message_id: str
    ) -> dict:
        handle = self._webhook_handle(rec, app_id, token)
        return self._webhook_message(handle, message_id)

    async def _webhook_edit_message(
        self, rec: RequestRecord, app_id: str, token: str, message_id: str
    ) -> dict:
        handle = self._webhook_handle(rec, app_id, token)
        msg = self._webhook_message(handle, message_id)
        payload = rec.json or {}
        self._validate_edit(payload)
        return await self._edit(msg, payload, rec, handle)

    async def _webhook_delete_message(
        self, rec: RequestRecord, app_id: str, token: str, message_id: str
    ) -> None:
        handle = self._webhook_handle(rec, app_id, token)
        msg = self._webhook_message(handle, message_id)
        handle.deleted.append(int(msg["id"]))
        await self._remove_message(msg)
        return None

    # ------------------------------------------------------------------ gateway

    async def _gateway_entry(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoclose=True, autoping=True)
        await ws.prepare(request)
        self._conn_ids += 1
        query = dict(request.query)
        compress = query.get("compress")
        compressor = zlib.compressobj() if compress == "zlib-stream" else None
        conn = _Conn(id=self._conn_ids, ws=ws, path=request.path, query=query, compressor=compressor)
        self.connections.append(conn)
        self._notify()
        try:
            # zstd-stream (asked for when ``zstandard`` is importable) is answered with plain text frames,
            # which discord.py accepts too; only zlib-stream is really compressed.
            if query.get("encoding", "json") != "json":
                await ws.close(code=4002, message=b"fakediscord supports encoding=json only")
                return ws
            await self._send(
                conn, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval}, "s": None, "t": None}
            )
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await self._close(conn, 4002, "Error while decoding payload.")
                    break
                self._record_frame(conn, "recv", payload)
                await self._handle_op(conn, payload)
        finally:
            conn.closed = True
            if conn.close_code is None:
                conn.close_code = ws.close_code
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if not conn.server_closed and ws.close_code in (1000, 1001):
                    session.valid = False  # a clean client close ends the session, as on Discord
            self._notify()
        return ws

    def _record_frame(self, conn: _Conn, direction: str, payload: dict) -> None:
        loop = asyncio.get_running_loop()
        self.frames.append(
            GatewayFrame(
                conn=conn.id,
                direction=direction,
                op=payload.get("op"),
                t=payload.get("t"),
                s=payload.get("s"),
                d=payload.get("d"),
                time=loop.time(),
            )
        )
        self._notify()

    async def _send(self, conn: _Conn, payload: dict) -> bool:
        if conn.closed or conn.server_closed or conn.ws.closed:
            return False  # dispatches stay buffered in the session for RESUME
        async with conn.lock:
            text = json.dumps(payload)
            try:
                if conn.compressor is not None:
                    data = conn.compressor.compress(text.encode()) + conn.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await conn.ws.send_bytes(data)
                else:
                    await conn.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return False
            self._record_frame(conn, "send", payload)
        return True

    async def _close(self, conn: _Conn, code: int, reason: str) -> None:
        conn.server_closed = True
        conn.close_code = code
        if not conn.closed and not conn.ws.closed:
            # Don't block the caller on the closing handshake (the reader task completes it).
            task = asyncio.ensure_future(conn.ws.close(code=code, message=reason.encode()))
            self._ws_tasks.add(task)
            task.add_done_callback(self._ws_tasks.discard)

    async def _handle_op(self, conn: _Conn, payload: dict) -> None:
        op = payload.get("op")
        d = payload.get("d")
        if op == 1:
            self.heartbeats.append(asyncio.get_running_loop().time())
            if self.ack_heartbeats:
                await self._send(conn, {"op": 11, "d": None, "s": None, "t": None})
            return
        if op == 2:
            await self._identify(conn, d or {})
            return
        if op == 6:
            await self._resume(conn, d or {})
            return
        if conn.session is None:
            await self._close(conn, 4003, "Not authenticated.")
            return
        if op in (3, 4):  # presence / voice state: recorded only
            return
        if op == 8:
            await self._request_members(conn, d or {})
            return
        await self._close(conn, 4001, "Unknown opcode.")

    async def _identify(self, conn: _Conn, d: dict) -> None:
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated.")
            return
        if d.get("token") != self.token:
            await self._close(conn, 4004, "Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await self._close(conn, 4013, "Invalid intent(s).")
            return
        if self.allowed_intents is not None and intents & PRIVILEGED_INTENTS & ~self.allowed_intents:
            await self._close(conn, 4014, "Disallowed intent(s).")
            return
        shard = d.get("shard")
        if shard is not None and not (
            isinstance(shard, list) and len(shard) == 2 and all(isinstance(x, int) for x in shard)
            and 0 <= shard[0] < shard[1]
        ):
            await self._close(conn, 4010, "Invalid shard.")
            return
        session = _Session(id=secrets.token_hex(16), intents=intents, shard=shard)
        for old in self.sessions:
            if old.conn is None:
                old.valid = False
        self.sessions.append(session)
        conn.session = session
        session.conn = conn
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**self.world.bot_user, "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds if self._owns(session, g)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": self.world.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["japan"],
            "user_settings": {},
            "auth": {},
            "_trace": ['["fakediscord",{"micros":0}]'],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        conn.ready = True
        await self._dispatch_to(session, "READY", ready)
        for guild_id, world in self.guilds.items():
            if self._owns(session, guild_id):
                guild = world.guild_payload(include_members=bool(intents & INTENT_GUILD_MEMBERS))
                await self._dispatch_to(session, "GUILD_CREATE", guild)

    async def _resume(self, conn: _Conn, d: dict) -> None:
        if d.get("token") != self.token:
            await self._close(conn, 4004, "Authentication failed.")
            return
        session = next((s for s in self.sessions if s.id == d.get("session_id")), None)
        seq = d.get("seq")
        if session is None or not session.valid or (seq is not None and seq > session.seq):
            await self._send(conn, {"op": 9, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            old = session.conn
            old.session = None
            await self._close(old, 4000, "Session resumed elsewhere.")
        conn.session = session
        session.conn = conn
        for frame in session.events:
            if seq is None or frame["s"] > seq:
                await self._send(conn, frame)
        conn.ready = True
        await self._dispatch_to(session, "RESUMED", {"_trace": ['["fakediscord",{"micros":0}]']})

    async def _request_members(self, conn: _Conn, d: dict) -> None:
        world = self.guilds.get(int(d.get("guild_id") or 0), self.world)
        members = [world.member_payload(uid) for uid in world.members]
        user_ids = d.get("user_ids")
        if user_ids:
            wanted = {str(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m["user"]["id"] in wanted]
        query = d.get("query")
        if query:
            members = [m for m in members if m["user"]["username"].startswith(query)]
        chunk = {
            "guild_id": str(d.get("guild_id")),
            "members": members[: d.get("limit") or None],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        assert conn.session is not None
        await self._dispatch_to(conn.session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _dispatch_to(self, session: _Session, event: str, data: dict) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        conn = session.conn
        if conn is not None and conn.ready:
            await self._send(conn, frame)

    def _wants(self, session: _Session, event: str, data: dict) -> dict | None:
        """Apply intents: drop events the session didn't ask for, blank message content without the intent."""
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"):
            return data
        in_guild = data.get("guild_id") is not None
        needed = INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES
        if not session.intents & needed:
            return None
        if event == "MESSAGE_DELETE" or session.intents & INTENT_MESSAGE_CONTENT or not in_guild:
            return data
        author = data.get("author", {}).get("id")
        mentioned = any(u["id"] == self.bot_user["id"] for u in data.get("mentions", []))
        if author == self.bot_user["id"] or mentioned:
            return data
        blanked = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        blanked.pop("poll", None)
        return blanked

    async def dispatch(self, event: str, data: dict) -> int:
        """Dispatch an event to every valid session that owns its guild (buffered for RESUME if disconnected).

        Returns the number of sessions it was queued for.
        """
        n = 0
        for session in self.sessions:
            if not session.valid or not self._owns(session, data.get("guild_id")):
                continue
            filtered = self._wants(session, event, data)
            if filtered is None:
                continue
            await self._dispatch_to(session, event, copy.deepcopy(filtered))
            n += 1
        return n

    # ------------------------------------------------------------------ gateway controls

    def _live_conn(self) -> _Conn:
        session = self.live_session()
        if session is None or session.conn is None:
            raise RuntimeError("fakediscord: no live gateway connection")
        return session.conn

    async def gateway_close(self, code: int = 4000, reason: str = "Unknown error.") -> None:
        """Close the live gateway connection with ``code`` (4000: client should RESUME)."""
        await self._close(self._live_conn(), code, reason)

    async def gateway_reconnect(self) -> None:
        """Send op 7 RECONNECT on the live connection."""
        await self._send(self._live_conn(), {"op": 7, "d": None, "s": None, "t": None})

    async def gateway_invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (``d=resumable``); a non-resumable session is dropped server-side."""
        conn = self._live_conn()
        if not resumable and conn.session is not None:
            conn.session.valid = False
        await self._send(conn, {"op": 9, "d": resumable, "s": None, "t": None})

    async def gateway_request_heartbeat(self) -> None:
        """Send op 1 HEARTBEAT (server asks the client to heartbeat now)."""
        await self._send(self._live_conn(), {"op": 1, "d": None, "s": None, "t": None})

    # ------------------------------------------------------------------ pushes (user actions)

    def _new_token(self) -> str:
        return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)

    async def _require_session(self, timeout: float) -> None:
        if not any(s.valid for s in self.sessions):
            await self.wait_for(
                lambda: any(s.valid for s in self.sessions), timeout, "an identified gateway session"
            )

    def _resolve_roles(self, roles: list[int | str] | None, world: World | None = None) -> list[int] | None:
        if roles is None:
            return None
        return [int((world or self.world).role(r)["id"]) for r in roles]

    def _interaction_base(
        self,
        itype: int,
        *,
        user: int | str | dict,
        roles: list[int | str] | None,
        member_permissions: int | None,
        channel: int | str | dict | None,
        locale: str | None,
        dm: bool,
        guild_id: int | None = None,
    ) -> tuple[dict, int]:
        """Common INTERACTION_CREATE fields (in guild ``guild_id``, default the first); returns (payload, member
        permissions)."""
        w = self.guild_world(guild_id)
        u = self.world.user(user)
        uid = int(u["id"])
        payload: dict[str, Any] = {
            "id": str(self.world.ids.next()),
            "application_id": str(self.application_id),
            "type": itype,
            "token": self._new_token(),
            "version": 1,
            "locale": locale or self.world.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if dm:
            ch = self.world.dm_channel(uid)
            perms = member_permissions if member_permissions is not None else 0
            payload.update(
                {
                    "channel_id": ch["id"],
                    "channel": ch,
                    "user": u,
                    "app_permissions": str(VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY),
                    "authorizing_integration_owners": {"0": str(self.guild_id)},
                    "context": 1,
                }
            )
            return payload, perms
        ch = w.channel(channel if channel is not None else "general")
        cid = int(ch["id"])
        role_ids = self._resolve_roles(roles, w)
        if member_permissions is None:
            member_permissions = w.channel_permissions(uid, cid, role_ids)
        member = w.member_payload(uid, roles=role_ids)
        member["permissions"] = str(member_permissions)
        payload.update(
            {
                "guild_id": str(w.guild_id),
                "guild": {"id": str(w.guild_id), "locale": w.locale, "features": []},
                "guild_locale": w.locale,
                "channel_id": ch["id"],
                "channel": {**ch, "permissions": str(member_permissions)},
                "member": member,
                "app_permissions": str(w.channel_permissions(self.bot_id, cid)),
                "authorizing_integration_owners": {"0": str(w.guild_id)},
                "context": 0,
            }
        )
        return payload, member_permissions

    async def _push_interaction(self, payload: dict, timeout: float) -> InteractionHandle:
        await self._require_session(timeout)
        loop = asyncio.get_running_loop()
        handle = InteractionHandle(payload, loop.time(), self.interaction_deadline, self.notifier)
        self.interactions[handle.id] = handle
        self._tokens[handle.token] = handle
        handle.pushed_at = loop.time()
        await self.dispatch("INTERACTION_CREATE", payload)
        self._notify()
        return handle

    def _build_options(
        self, cmd: dict, path: list[str], values: dict[str, Any], resolved: dict
    ) -> list[dict]:
        """Typed interaction options for ``values`` following the command's registered option schema."""
        defs = cmd.get("options") or []
        root: list[dict] = []
        target = root
        for sub in path:
            sdef = next((o for o in defs if o["name"] == sub and o["type"] in (1, 2)), None)
            if sdef is None:
                raise ValueError(f"command {cmd['name']!r} has no subcommand {sub!r}")
            node = {"type": sdef["type"], "name": sub, "options": []}
            target.append(node)
            target = node["options"]
            defs = sdef.get("options") or []
        if any(o["type"] in (1, 2) for o in defs):
            raise ValueError(f"command {cmd['name']!r} needs a subcommand (pass 'name sub' as the name)")
        by_name = {o["name"]: o for o in defs}
        for name in values:
            if name not in by_name:
                raise ValueError(f"command {cmd['name']!r} has no option {name!r} (has {sorted(by_name)})")
        for odef in defs:
            name = odef["name"]
            if name not in values:
                if odef.get("required"):
                    raise ValueError(
                        f"required option {name!r} missing; Discord's client would not send this"
                    )
                continue
            target.append(self._typed_option(odef, values[name], resolved))
        return root

    def _typed_option(self, odef: dict, value: Any, resolved: dict) -> dict:
        otype, name = odef["type"], odef["name"]
        out: dict[str, Any] = {"type": otype, "name": name}
        if otype == 3:
            if not isinstance(value, str):
                raise ValueError(f"option {name!r} is a string option, got {value!r}")
            if odef.get("min_length") is not None and len(value) < odef["min_length"]:
                raise ValueError(f"option {name!r} shorter than min_length")
            if odef.get("max_length") is not None and len(value) > odef["max_length"]:
                raise ValueError(f"option {name!r} longer than max_length")
            if len(value) > 6000:
                raise ValueError(f"option {name!r} too long for Discord")
        elif otype == 4:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"option {name!r} is an integer option, got {value!r}")
        elif otype == 10:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ValueError(f"option {name!r} is a number option, got {value!r}")
        elif otype == 5:
            if not isinstance(value, bool):
                raise ValueError(f"option {name!r} is a boolean option, got {value!r}")
        elif otype == 7:
            ch = self.world.channel(value)
            if odef.get("channel_types") and ch["type"] not in odef["channel_types"]:
                raise ValueError(f"channel {ch['name']!r} not allowed for option {name!r}")
            perms = self.world.channel_permissions(self.bot_id, int(ch["id"]))
            resolved.setdefault("channels", {})[ch["id"]] = {
                "id": ch["id"],
                "name": ch["name"],
                "type": ch["type"],
                "permissions": str(perms),
                "parent_id": ch.get("parent_id"),
                "guild_id": ch.get("guild_id"),
                "flags": 0,
                **({"topic": ch.get("topic"), "nsfw": ch.get("nsfw", False)} if ch["type"] == 0 else {}),
            }
            value = ch["id"]
        elif otype == 9:
            try:
                value = self._resolve_user_option(value, resolved)
            except KeyError:
                value = self._resolve_role_option(value, resolved)
        elif otype == 6:
            value = self._resolve_user_option(value, resolved)
        elif otype == 8:
            value = self._resolve_role_option(value, resolved)
        elif otype == 11:
            raise ValueError("attachment options are not supported by fakediscord")
        choices = odef.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(f"option {name!r} value {value!r} is not one of the registered choices")
        for bound, ok in (("min_value", lambda v, b: v >= b), ("max_value", lambda v, b: v <= b)):
            if odef.get(bound) is not None and otype in (4, 10) and not ok(value, odef[bound]):
                raise ValueError(f"option {name!r} violates {bound}")
        out["value"] = value
        return out

    def _resolve_user_option(self, value: Any, resolved: dict) -> str:
        u = self.world.user(value)
        resolved.setdefault("users", {})[u["id"]] = u
        if int(u["id"]) in self.world.members:
            m = self.world.member_payload(int(u["id"]), with_user=False)
            m["permissions"] = str(self.world.base_permissions(int(u["id"])))
            resolved.setdefault("members", {})[u["id"]] = m
        return u["id"]

    def _resolve_role_option(self, value: Any, resolved: dict) -> str:
        r = self.world.role(value)
        resolved.setdefault("roles", {})[r["id"]] = r
        return r["id"]

    async def push_interaction_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: int | str | dict = "alice",
        member_permissions: int | None = None,
        roles: list[int | str] | None = None,
        guild_id: int | None = None,
        channel_id: int | str | None = None,
        locale: str | None = None,
        dm: bool = False,
        enforce_permissions: bool = True,
        raw_options: list[dict] | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Simulate a user running slash command ``name`` ("cmd" or "cmd sub" / "cmd group sub").

        ``options`` maps option names to Python values, typed by the command's *synced* schema (channels
        by id or name, users by id or username, roles by id or name). The command must have been synced
        (guild first, then global), like on Discord. With ``enforce_permissions`` the user must satisfy the
        command's ``default_member_permissions`` (Discord's client hides it otherwise). Returns a handle to
        await the bot's callback/followups.
        """
        parts = name.split()
        gid = None if dm else (guild_id or self.guild_id)
        cmd = self.find_command(parts[0], gid)
        if cmd is None:
            raise LookupError(f"slash command {parts[0]!r} is not synced (global or guild {gid})")
        if dm and cmd.get("contexts") is not None and 1 not in cmd["contexts"]:
            raise PermissionError(f"command {parts[0]!r} is not available in DMs")
        payload, perms = self._interaction_base(
            2,
            user=user,
            roles=roles,
            member_permissions=member_permissions,
            channel=channel_id,
            locale=locale,
            dm=dm,
            guild_id=gid,
        )
        if enforce_permissions and not dm and cmd.get("default_member_permissions") is not None:
            required = int(cmd["default_member_permissions"])
            if not perms & ADMINISTRATOR and (required == 0 or perms & required != required):
                raise PermissionError(
                    f"user lacks default_member_permissions={required} for {parts[0]!r}; Discord hides the command"
                )
        resolved: dict[str, Any] = {}
        opts = (
            raw_options
            if raw_options is not None
            else self._build_options(cmd, parts[1:], options or {}, resolved)
        )
        data: dict[str, Any] = {"id": cmd["id"], "name": parts[0], "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        payload["data"] = data
        return await self._push_interaction(payload, timeout)

    async def push_autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: int | str | dict = "alice",
        channel_id: int | str | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Simulate typing in autocomplete option ``focused`` (type 4 interaction; answer is callback type 8)."""
        parts = name.split()
        cmd = self.find_command(parts[0], self.guild_id)
        if cmd is None:
            raise LookupError(f"slash command {parts[0]!r} is not synced")
        payload, _ = self._interaction_base(
            4, user=user, roles=None, member_permissions=None, channel=channel_id, locale=None, dm=False
        )
        defs = cmd.get("options") or []
        for sub in parts[1:]:
            defs = next(o for o in defs if o["name"] == sub).get("options") or []
        opts = []
        for odef in defs:
            if odef["name"] in options:
                opt = {"type": odef["type"], "name": odef["name"], "value": options[odef["name"]]}
                if odef["name"] == focused:
                    opt["focused"] = True
                opts.append(opt)
        root: list[dict] = opts
        for sub in reversed(parts[1:]):
            root = [{"type": 1, "name": sub, "options": root}]
        payload["data"] = {"id": cmd["id"], "name": parts[0], "type": 1, "options": root}
        if "guild_id" in cmd:
            payload["data"]["guild_id"] = cmd["guild_id"]
        return await self._push_interaction(payload, timeout)

    @staticmethod
    def _find_component(components: list[dict], custom_id: str) -> dict | None:
        for comp in components:
            if comp.get("custom_id") == custom_id:
                return comp
            found = FakeDiscord._find_component(comp.get("components") or [], custom_id)
            if found is not None:
                return found
            if comp.get("accessory"):
                found = FakeDiscord._find_component([comp["accessory"]], custom_id)
                if found is not None:
                    return found
        return None

    async def push_component_click(
        self,
        message: int | str | dict | SentMessage,
        custom_id: str,
        *,
        user: int | str | dict = "alice",
        values: list[str] | None = None,
        roles: list[int | str] | None = None,
        member_permissions: int | None = None,
        locale: str | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Simulate a user clicking button ``custom_id`` (or choosing ``values`` in a select) on a bot message."""
        if isinstance(message, SentMessage):
            mid = message.id
        elif isinstance(message, dict):
            mid = int(message["id"])
        else:
            mid = int(message)
        msg = self.messages.get(mid)
        if msg is None:
            raise LookupError(f"unknown message {mid}")
        if msg["author"]["id"] != self.bot_user["id"]:
            raise ValueError("components can only be clicked on the bot's own messages")
        comp = self._find_component(msg.get("components") or [], custom_id)
        if comp is None:
            raise ValueError(f"message {mid} has no component with custom_id {custom_id!r}")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; Discord's client cannot click it")
        dm = msg.get("guild_id") is None
        payload, _ = self._interaction_base(
            3,
            user=user,
            roles=roles,
            member_permissions=member_permissions,
            channel=None if dm else int(msg["channel_id"]),
            locale=locale,
            dm=dm,
        )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"]}
        if "id" in comp:
            data["id"] = comp["id"]
        if comp["type"] in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
        payload["data"] = data
        payload["message"] = copy.deepcopy(msg)
        return await self._push_interaction(payload, timeout)

    async def push_message(
        self,
        content: str,
        *,
        author: int | str | dict = "alice",
        channel: int | str | None = None,
        mention_bot: bool = True,
        reference: int | dict | None = None,
        dm: bool = False,
        timeout: float = 5.0,
    ) -> dict:
        """Simulate a user posting ``content`` (by default in #general, mentioning the bot).

        Returns the stored message dict (dispatched as MESSAGE_CREATE).
        """
        await self._require_session(timeout)
        u = self.world.user(author)
        if (
            mention_bot
            and not dm
            and f"<@{self.bot_id}>" not in content
            and f"<@!{self.bot_id}>" not in content
        ):
            content = f"<@{self.bot_id}> {content}"
        ch = (
            self.world.dm_channel(int(u["id"]))
            if dm
            else self.world.channel(channel if channel is not None else "general")
        )
        extra: dict[str, Any] = {}
        msg_type = 0
        if reference is not None:
            target = self.messages[int(reference["id"]) if isinstance(reference, dict) else int(reference)]
            msg_type = 19
            extra["message_reference"] = {
                "type": 0,
                "message_id": target["id"],
                "channel_id": target["channel_id"],
            }
            extra["referenced_message"] = copy.deepcopy(target)
        msg = self._new_message(
            channel_id=int(ch["id"]),
            author=u,
            payload={"content": content},
            files=[],
            msg_type=msg_type,
            extra=extra,
        )
        await self.dispatch("MESSAGE_CREATE", self._gateway_message(msg))
        self._notify()
        return msg

    # ------------------------------------------------------------------ summaries

    def bot_messages(self, channel: int | str | None = None) -> list[SentMessage]:
        """Messages the bot created (optionally in one channel)."""
        if channel is None:
            return list(self.sent)
        cid = str(self.channel_id(channel))
        return [s for s in self.sent if s.message["channel_id"] == cid]
