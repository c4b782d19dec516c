"""The fake Discord "world": snowflakes, users, a guild with channels/roles/members, permissions (a second
guild is a sibling World sharing the application, the users and the snowflakes).

Everything here builds plain JSON-able dicts shaped like Discord API v10 payloads.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)

# Gateway intents.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Application flags: the three privileged intents enabled for an unverified bot.
APP_FLAG_GATEWAY_PRESENCE_LIMITED = 1 << 13
APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15
APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19
APP_FLAG_APPLICATION_COMMAND_BADGE = 1 << 23
DEFAULT_APPLICATION_FLAGS = (
    APP_FLAG_GATEWAY_PRESENCE_LIMITED
    | APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED
    | APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED
    | APP_FLAG_APPLICATION_COMMAND_BADGE
)

# Channel types.
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4


class Snowflakes:
    """Monotonic Discord-style snowflake generator (timestamp << 22 | worker | increment)."""

    def __init__(self, worker: int = 1) -> None:
        self._worker = worker & 0x3FF
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (self._worker << 12) | (next(self._counter) & 0xFFF)
        # Guarantee strictly increasing ids even if the clock steps back.
        self._last = max(value, self._last + 1)
        return self._last


def iso_now() -> str:
    """Current UTC time in Discord's ISO-8601 format."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def user_payload(user_id: int, username: str, *, bot: bool = False, global_name: str | None = None) -> dict:
    """A Discord user object."""
    return {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": global_name if global_name is not None else (None if bot else username.title()),
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
    }


@dataclass
class World:
    """The state of the fake Discord: one application/bot, a few users, one guild."""

    ids: Snowflakes
    application_id: int
    bot_user: dict
    owner: dict
    users: dict[int, dict]
    guild_id: int
    guild_name: str
    locale: str
    roles: dict[int, dict]
    channels: dict[int, dict]
    members: dict[int, dict]  # user id -> {"roles": [...], "joined_at": ..., "nick": ...}
    bot_role_id: int
    moderator_role_id: int
    application_flags: int = DEFAULT_APPLICATION_FLAGS
    dm_channels: dict[int, dict] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        application_id: int | None = None,
        bot_name: str = "defnews",
        owner_id: int | None = None,
        guild_id: int | None = None,
        guild_name: str = "Defence Watch",
        locale: str = "ja",
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        application_flags: int = DEFAULT_APPLICATION_FLAGS,
        ids: Snowflakes | None = None,
        users: dict[int, dict] | None = None,
    ) -> World:
        """Create the default world: guild "Defence Watch" with #general, #news, #readonly, a voice channel.

        ``ids`` and ``users`` (with the application's bot, ``owner``, ``alice`` and ``bob``): those of another
        World, for a second guild of the same application (see :meth:`sibling`)."""
        ids = ids or Snowflakes()
        app_id = application_id or ids.next()
        owner_id = owner_id or ids.next()
        guild_id = guild_id or ids.next()
        if users is None:
            bot_user = user_payload(app_id, bot_name, bot=True)  # bot user id == application id, as on Discord
            owner = user_payload(owner_id, "owner")
            alice = user_payload(ids.next(), "alice")
            bob = user_payload(ids.next(), "bob")
            users = {int(u["id"]): u for u in (bot_user, owner, alice, bob)}
        else:
            bot_user, owner = users[app_id], users[owner_id]
            alice, bob = (next(u for u in users.values() if u["username"] == name) for name in ("alice", "bob"))

        def role(role_id: int, name: str, perms: int, position: int, **extra: Any) -> dict:
            return {
                "id": str(role_id),
                "name": name,
                "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False,
                "icon": None,
                "unicode_emoji": None,
                "position": position,
                "permissions": str(perms),
                "managed": False,
                "mentionable": False,
                "flags": 0,
                **extra,
            }

        bot_role_id, mod_role_id = ids.next(), ids.next()
        roles = {
            guild_id: role(guild_id, "@everyone", everyone_permissions, 0),
            mod_role_id: role(mod_role_id, "Moderator", MANAGE_GUILD | MANAGE_MESSAGES, 1),
            bot_role_id: role(
                bot_role_id, bot_name, bot_permissions, 2, managed=True, tags={"bot_id": str(app_id)}
            ),
        }

        category_id = ids.next()

        def channel(ch_id: int, name: str, ch_type: int, position: int, **extra: Any) -> dict:
            data = {
                "id": str(ch_id),
                "type": ch_type,
                "guild_id": str(guild_id),
                "name": name,
                "position": position,
                "permission_overwrites": [],
                "flags": 0,
                "parent_id": str(category_id) if ch_type != GUILD_CATEGORY else None,
            }
            if ch_type == GUILD_TEXT:
                data.update({"topic": None, "nsfw": False, "last_message_id": None, "rate_limit_per_user": 0})
            elif ch_type == GUILD_VOICE:
                data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None, "nsfw": False})
            data.update(extra)
            return data

        readonly_id = ids.next()
        channels = {
            category_id: channel(category_id, "Text Channels", GUILD_CATEGORY, 0),
            (general := ids.next()): channel(general, "general", GUILD_TEXT, 1),
            (news := ids.next()): channel(news, "news", GUILD_TEXT, 2, topic="Defence news feed"),
            readonly_id: channel(
                readonly_id,
                "readonly",
                GUILD_TEXT,
                3,
                permission_overwrites=[
                    {"id": str(guild_id), "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)},
                    {"id": str(bot_role_id), "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)},
                ],
            ),
            (voice := ids.next()): channel(voice, "Voice", GUILD_VOICE, 4),
        }
        joined = iso_now()
        members = {
            app_id: {"roles": [str(bot_role_id)], "joined_at": joined, "nick": None},
            owner_id: {"roles": [], "joined_at": joined, "nick": None},
            int(alice["id"]): {"roles": [], "joined_at": joined, "nick": None},
            int(bob["id"]): {"roles": [str(mod_role_id)], "joined_at": joined, "nick": None},
        }
        return cls(
            ids=ids,
            application_id=app_id,
            bot_user=bot_user,
            owner=owner,
            users=users,
            guild_id=guild_id,
            guild_name=guild_name,
            locale=locale,
            roles=roles,
            channels=channels,
            members=members,
            bot_role_id=bot_role_id,
            moderator_role_id=mod_role_id,
            application_flags=application_flags,
        )

    def sibling(self, *, guild_id: int | None = None, guild_name: str = "Second Watch") -> World:
        """Another guild of the same application: the same bot, owner, users (``alice``, ``bob`` as members,
        ``bob`` a Moderator there too), snowflakes and DM channels; its own channels and roles."""
        world = World.build(
            application_id=self.application_id, owner_id=int(self.owner["id"]), guild_id=guild_id,
            guild_name=guild_name, locale=self.locale, application_flags=self.application_flags, ids=self.ids,
            users=self.users,
        )
        world.dm_channels = self.dm_channels
        return world

    # ----------------------------------------------------------------- lookups

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    def user(self, ref: int | str | dict) -> dict:
        """Find a user by id, username or user dict."""
        if isinstance(ref, dict):
            return ref
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return self.users[int(ref)]
        for u in self.users.values():
            if u["username"] == ref:
                return u
        raise KeyError(f"unknown user {ref!r}")

    def add_user(self, username: str, *, roles: list[int] | None = None, bot: bool = False) -> dict:
        """Add a guild member; returns the user dict."""
        u = user_payload(self.ids.next(), username, bot=bot)
        self.users[int(u["id"])] = u
        self.members[int(u["id"])] = {
            "roles": [str(r) for r in roles or []],
            "joined_at": iso_now(),
            "nick": None,
        }
        return u

    def channel(self, ref: int | str | dict) -> dict:
        """Find a guild or DM channel by id or name."""
        if isinstance(ref, dict):
            return ref
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            cid = int(ref)
            if cid in self.channels:
                return self.channels[cid]
            return self.dm_channels[cid]
        for c in self.channels.values():
            if c["name"] == ref.lstrip("#"):
                return c
        raise KeyError(f"unknown channel {ref!r}")

    def role(self, ref: int | str) -> dict:
        """Find a role by id or name."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return self.roles[int(ref)]
        for r in self.roles.values():
            if r["name"] == ref:
                return r
        raise KeyError(f"unknown role {ref!r}")

    def set_bot_permissions(self, permissions: int) -> None:
        """Change the bot's managed role permissions (takes effect for new payloads)."""
        self.roles[self.bot_role_id]["permissions"] = str(permissions)

    # ----------------------------------------------------------------- payloads

    def member_payload(self, user_id: int, *, roles: list[int] | None = None, with_user: bool = True) -> dict:
        """A guild member object (optionally with explicit role ids)."""
        info = self.members.get(user_id, {"roles": [], "joined_at": iso_now(), "nick": None})
        data = {
            "roles": [str(r) for r in roles] if roles is not None else list(info["roles"]),
            "joined_at": info["joined_at"],
            "nick": info["nick"],
            "avatar": None,
            "banner": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.users[user_id]
        return data

    def guild_payload(self, *, include_members: bool) -> dict:
        """Full GUILD_CREATE payload."""
        member_ids = list(self.members) if include_members else [self.bot_id]
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": self.owner["id"],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "features": [],
            "application_id": None,
            "widget_enabled": False,
            "incidents_data": None,
            "roles": list(self.roles.values()),
            "emojis": [],
            "stickers": [],
            "joined_at": self.members[self.bot_id]["joined_at"],
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [self.member_payload(uid) for uid in member_ids],
            "channels": [{k: v for k, v in c.items() if k != "guild_id"} for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def application_payload(self) -> dict:
        """GET /oauth2/applications/@me."""
        return {
            "id": str(self.application_id),
            "name": self.bot_user["username"],
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.application_flags,
            "owner": self.owner,
            "team": None,
            "bot": self.bot_user,
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "tags": [],
            "approximate_guild_count": 1,
            "integration_types_config": {"0": {}},
        }

    def dm_channel(self, user_id: int) -> dict:
        """Get or create the DM channel with a user."""
        for c in self.dm_channels.values():
            if c["recipients"][0]["id"] == str(user_id):
                return c
        cid = self.ids.next()
        data = {
            "id": str(cid),
            "type": DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": [self.users[user_id]],
        }
        self.dm_channels[cid] = data
        return data

    # ----------------------------------------------------------------- permissions

    def base_permissions(self, user_id: int, roles: list[int] | None = None) -> int:
        """Guild-level permissions of a member."""
        if str(user_id) == self.owner["id"]:
            return ALL_PERMISSIONS
        role_ids = (
            roles if roles is not None else [int(r) for r in self.members.get(user_id, {}).get("roles", [])]
        )
        perms = int(self.roles[self.guild_id]["permissions"])
        for rid in role_ids:
            if rid in self.roles:
                perms |= int(self.roles[rid]["permissions"])
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def channel_permissions(self, user_id: int, channel_id: int, roles: list[int] | None = None) -> int:
        """Discord's permission algorithm: base permissions, then @everyone/role/member overwrites."""
        perms = self.base_permissions(user_id, roles)
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        channel = self.channels.get(channel_id)
        if channel is None:
            return perms
        role_ids = (
            roles if roles is not None else [int(r) for r in self.members.get(user_id, {}).get("roles", [])]
        )
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        everyone = overwrites.get(self.guild_id)
        if everyone:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for rid in role_ids:
            o = overwrites.get(rid)
            if o and o["type"] == 0:
                allow |= int(o["allow"])
                deny |= int(o["deny"])
        perms = (perms & ~deny) | allow
        member_ow = overwrites.get(user_id)
        if member_ow and member_ow["type"] == 1:
            perms = (perms & ~int(member_ow["deny"])) | int(member_ow["allow"])
        if not perms & VIEW_CHANNEL:
            return 0
        return perms
