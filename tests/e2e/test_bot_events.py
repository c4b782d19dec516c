"""/events through the real discord.py client and ``start_bot``: registered with its type choices, answered
publicly within Discord's limits, pinging nobody."""

from __future__ import annotations

import re

import pytest

from index.models import EVENT_TYPES
from tests.e2e.botkit import EPHEMERAL, KHARE, limit_errors

pytestmark = [pytest.mark.e2e]


async def test_events_lists_the_courtesy_call_of_july_4(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    command = server.find_command("events", server.guild_id)
    options = {o["name"]: o for o in command["options"]}
    assert set(options) == {"since", "until", "type"} and not any(o.get("required") for o in options.values())
    assert [c["value"] for c in options["type"]["choices"]] == list(EVENT_TYPES)
    assert command.get("default_member_permissions") is None  # everyone, like /ask

    handle = await server.push_interaction_command(
        "events", {"since": "2025-07-01", "until": "2025-07-31", "type": "courtesy_call"}, user="alice")
    body = await handle.wait_response()
    assert body["type"] == 5 and not body.get("data", {}).get("flags", 0) & EPHEMERAL  # public "thinking…"
    answer = await handle.wait_followup(timeout=10)
    assert limit_errors(answer.payload) == {}
    assert answer.payload["allowed_mentions"]["parse"] == []
    embed = answer.embeds[0]
    assert embed["title"] == "Events: 2025-07-01 – 2025-07-31 · Courtesy call"
    blocks = embed["description"].split("\n\n")
    khare = next(b for b in blocks if KHARE in b)
    assert khare.startswith("**2025-07-04 · Courtesy call**") and "Atul Khare" in khare
    assert all(b.startswith("**2025-07-") and "Courtesy call" in b.splitlines()[0] for b in blocks)
    assert re.fullmatch(r"\d+ events?", embed["footer"]["text"])


async def test_events_refuses_bad_options_privately(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    handle = await rig.server.push_interaction_command("events", {"since": "2025-07-31", "until": "2025-07-01"},
                                                       user="bob")
    assert "`since` is after `until`" in await rig.refused(handle)
    assert handle.followups == []
