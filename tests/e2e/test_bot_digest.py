"""/digest (moderators only) and the scheduled digest, through the real client and ``start_bot``."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.botkit import EPHEMERAL, limit_errors

pytestmark = [pytest.mark.e2e]

TOKYO = ZoneInfo("Asia/Tokyo")
MEETINGS = "Meetings and visits"
LINK = re.compile(r"\]\((https?://[^)\s]+)\)")


def linked_urls(posts) -> list[str]:
    """The articles linked in the section embeds (not in "Meetings and visits", which links their sources)."""
    return [u for p in posts for e in p.embeds if not (e.get("title") or "").startswith(MEETINGS)
            for u in LINK.findall(e.get("description") or "")]


def urls_published(service, since: datetime, until: datetime) -> set[str]:
    """Worked out here from the index's articles (not with the bot's digest code)."""
    return {a.url for a in service.searcher.articles.values() if since <= a.published <= until}


def embed_chars(embed: dict) -> int:
    """Characters counted against Discord's 6000-per-message embed total."""
    fields = sum(len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields") or [])
    return len(embed.get("title") or "") + len(embed.get("description") or "") + len(
        (embed.get("footer") or {}).get("text") or ""
    ) + fields


async def test_digest_by_moderator_posts_within_every_limit(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    handle = await server.push_interaction_command(
        "digest", {"since": "2024-01-01", "channel": "news"}, user="bob"  # bob has the Moderator role
    )
    body = await handle.wait_response()
    assert body["type"] == 5 and body["data"]["flags"] & EPHEMERAL  # private "thinking…"
    done = await handle.wait_followup(timeout=15)
    posts = rig.channel_posts("news")
    expected = urls_published(rig.service, datetime(2024, 1, 1, tzinfo=TOKYO), rig.clock())
    assert f"Posted the digest of {len(expected)} article(s)" in done.content
    assert done.flags & EPHEMERAL

    assert len(posts) >= 2  # the corpus does not fit one message: the digest is split
    assert posts[0].content.startswith(f"Defence news digest: {len(expected)} articles")
    for post in posts:
        assert post.request.status == 200
        assert limit_errors(post.payload) == {}
        assert len(post.embeds) <= 10
        assert sum(embed_chars(e) for e in post.embeds) <= 6000
    urls = linked_urls(posts)
    assert len(urls) == len(set(urls)) and set(urls) == expected  # every article once
    # The period's meetings and visits come first, in English, with the courtesy call of 4 July.
    meetings = posts[0].embeds[0]
    assert meetings["title"].startswith(MEETINGS)
    call = next(b for b in meetings["description"].split("\n\n") if b.startswith("**2025-07-04 · Courtesy call**"))
    assert "Atul Khare" in call and "khare" in call
    # Each article leads with its English title (DEFNEWS_DIGEST_LANGUAGE=en), the Japanese one beside it.
    khare = next(b for p in posts for e in p.embeds if not e["title"].startswith(MEETINGS)
                 for b in e["description"].split("\n\n") if "khare" in b)
    assert khare.startswith("**[Khare") and khare.splitlines()[1].startswith("*国連のカレ")


async def test_digest_by_member_is_refused_privately_and_posts_nothing(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    # Discord hides the command from members without Manage Messages; a server admin may show it anyway.
    with pytest.raises(PermissionError):
        await server.push_interaction_command("digest", {"channel": "news"}, user="alice")
    handle = await server.push_interaction_command(
        "digest", {"channel": "news"}, user="alice", enforce_permissions=False
    )
    text = await rig.refused(handle)
    assert "Only moderators" in text
    await server.wait_for_request(method="POST", path=r"/interactions/\d+/[^/]+/callback")
    assert rig.channel_posts() == []
    assert handle.followups == []


async def test_scheduled_digest_fires_once_and_not_again_after_restart(make_rig) -> None:
    rig = await make_rig()
    news = rig.server.channel_id("news")
    rig.setenv(DIGEST_CHANNEL_ID=str(news), DIGEST_SCHEDULE="mon 09:00")  # time zone: Asia/Tokyo (default)
    rig.clock.set(datetime(2025, 7, 21, 8, 59, tzinfo=TOKYO))  # Monday, a minute before the slot
    await rig.start()
    server = rig.server
    await server.wait_for(lambda: len(rig.sleeps) >= 3, timeout=5, what="the scheduler waiting")
    assert rig.channel_posts() == []

    rig.clock.set(datetime(2025, 7, 21, 9, 0, 5, tzinfo=TOKYO))
    first = await server.wait_for_sent(lambda s: s.via == "channel", timeout=10)
    assert first.message["channel_id"] == str(news)
    week = urls_published(rig.service, datetime(2025, 7, 14, 9, 0, tzinfo=TOKYO), rig.clock())
    assert first.content.startswith(f"Defence news digest: {len(week)} articles")
    await server.wait_for(lambda: rig.bot.scheduler.posted == 1, timeout=5, what="the digest to be saved")
    posted = len(rig.channel_posts())
    assert set(linked_urls(rig.channel_posts())) == week

    # Restart half a minute later: the slot was posted, so nothing is posted again.
    await rig.stop()
    rig.clock.advance(seconds=30)
    rig.sleeps.clear()
    await rig.start()
    await server.wait_for(lambda: len(rig.sleeps) >= 3, timeout=5, what="the restarted scheduler waiting")
    assert len(rig.channel_posts()) == posted

    assert rig.bot.state.digest_last(news) == datetime(2025, 7, 21, 9, 0, 5, tzinfo=TOKYO)  # persisted

    # Down over the next Monday's slot: the restarted bot posts the missed digest (the week since the last).
    await rig.stop()
    mark = len(server.sent)
    rig.clock.set(datetime(2025, 7, 28, 9, 30, tzinfo=TOKYO))
    await rig.start()
    second = await server.wait_for_sent(lambda s: s.via == "channel", since=mark, timeout=10)
    later = urls_published(rig.service, datetime(2025, 7, 21, 9, 0, 5, tzinfo=TOKYO), rig.clock())
    assert later and second.content.startswith(f"Defence news digest: {len(later)} article")
    await server.wait_for(lambda: rig.bot.scheduler.posted == 1, timeout=5, what="the digest to be saved")
    assert set(linked_urls(rig.channel_posts(since=mark))) == later
