"""Who may do what (levels, checked against the access settings) and how often (cooldown, search gate)."""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .errors import BusyRefused, CooldownRefused, PermissionRefused
from .settings import AccessSettings


class Level(enum.IntEnum):
    EVERYONE = 0
    MODERATOR = 1
    MAINTAINER = 2


LEVEL_NAMES = {Level.MODERATOR: "moderators", Level.MAINTAINER: "maintainers"}


@dataclass(frozen=True)
class Actor:
    """Who is asking, as far as permissions go."""

    user_id: int
    role_ids: frozenset[int] = frozenset()
    manage_messages: bool = False  # in the channel (administrators have every permission)
    is_owner: bool = False  # application owner or member of the owning team


def is_maintainer(actor: Actor, access: AccessSettings) -> bool:
    return (
        actor.is_owner
        or actor.user_id in access.maintainer_user_ids
        or bool(actor.role_ids & set(access.maintainer_role_ids))
    )


def is_moderator(actor: Actor, access: AccessSettings) -> bool:
    return actor.manage_messages or bool(actor.role_ids & set(access.moderator_role_ids)) or is_maintainer(
        actor, access
    )


def allowed(actor: Actor, level: Level, access: AccessSettings) -> bool:
    if level is Level.MAINTAINER:
        return is_maintainer(actor, access)
    if level is Level.MODERATOR:
        return is_moderator(actor, access)
    return True


def require(actor: Actor, level: Level, access: AccessSettings) -> None:
    if not allowed(actor, level, access):
        raise PermissionRefused(f"Only {LEVEL_NAMES[level]} can use this command.")


# --------------------------------------------------------------------------- rate limits


class Cooldown:
    """At most ``rate`` uses per ``per`` seconds per key (sliding window). ``per == 0`` disables it."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._uses: dict[int, deque[float]] = {}

    def retry_after(self, key: int) -> float:
        """0 if ``key`` may go ahead now (the use is counted), else the seconds to wait (not counted)."""
        if self.per <= 0:
            return 0.0
        now = self.clock()
        uses = self._uses.setdefault(key, deque())
        while uses and uses[0] <= now - self.per:
            uses.popleft()
        if len(uses) >= self.rate:
            return uses[0] + self.per - now
        uses.append(now)
        if len(self._uses) > 10_000:  # forget idle users
            for k in [k for k, d in self._uses.items() if not d or d[-1] <= now - self.per]:
                del self._uses[k]
        return 0.0

    def check(self, key: int) -> None:
        wait = self.retry_after(key)
        if wait > 0:
            raise CooldownRefused(wait)


class SearchGate:
    """Bounds concurrent searches; refuses (rather than queues) when full. Event-loop side only."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0

    def __enter__(self) -> SearchGate:
        if self.active >= self.limit:
            raise BusyRefused("I am answering too many questions at once; try again in a few seconds.")
        self.active += 1
        return self

    def __exit__(self, *exc) -> None:
        self.active -= 1
