"""Permission levels against the access settings, the per-user cooldown and the search gate."""

from __future__ import annotations

import pytest

from bot.core.errors import BusyRefused, CooldownRefused, PermissionRefused
from bot.core.permissions import Actor, Cooldown, Level, SearchGate, allowed, require

from ..conftest import make_settings


def test_permission_levels(tmp_path):
    s = make_settings(tmp_path, moderator_role_ids=[10], maintainer_user_ids=[1], maintainer_role_ids=[20]).access
    nobody = Actor(5)
    assert allowed(nobody, Level.EVERYONE, s)
    assert not allowed(nobody, Level.MODERATOR, s) and not allowed(nobody, Level.MAINTAINER, s)
    assert allowed(Actor(5, manage_messages=True), Level.MODERATOR, s)
    assert not allowed(Actor(5, manage_messages=True), Level.MAINTAINER, s)  # Manage Messages is not enough
    assert allowed(Actor(5, frozenset({10})), Level.MODERATOR, s)
    assert not allowed(Actor(5, frozenset({10})), Level.MAINTAINER, s)
    for maint in (Actor(1), Actor(5, frozenset({20})), Actor(5, is_owner=True)):
        assert allowed(maint, Level.MAINTAINER, s) and allowed(maint, Level.MODERATOR, s)
    with pytest.raises(PermissionRefused, match="Only maintainers"):
        require(nobody, Level.MAINTAINER, s)
    with pytest.raises(PermissionRefused, match="Only moderators"):
        require(nobody, Level.MODERATOR, s)


def test_cooldown_is_per_user_and_sliding():
    t = [0.0]
    cd = Cooldown(rate=2, per=10, clock=lambda: t[0])
    cd.check(1)
    cd.check(1)
    with pytest.raises(CooldownRefused) as err:
        cd.check(1)
    assert err.value.retry_after == pytest.approx(10) and "try again in 10 s" in str(err.value)
    cd.check(2)  # another user is not affected
    t[0] = 9.0
    assert cd.retry_after(1) == pytest.approx(1)
    t[0] = 10.5
    cd.check(1)  # the first use has left the window
    assert Cooldown(1, 0).retry_after(1) == 0 and Cooldown(1, 0).retry_after(1) == 0  # disabled


def test_search_gate_refuses_beyond_its_bound():
    gate = SearchGate(2)
    with gate, gate:
        with pytest.raises(BusyRefused), gate:
            pass
        assert gate.active == 2
    assert gate.active == 0
