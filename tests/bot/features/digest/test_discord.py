"""/digest and the scheduled digest, driven with stand-in interactions and channels."""

from __future__ import annotations

from datetime import timedelta

from bot.features.digest.discord import handle_digest, post_digest

from ...standins import Channel, Interaction, check_sent


async def test_digest_posts_to_the_channel_within_limits(bot):
    inter = Interaction(bot, manage=True)
    await handle_digest(inter, "2025-07-01", None, None)
    assert inter.response.calls == [("defer", True, True)]
    assert sum(len(kw.get("embeds") or []) for _, kw in inter.channel.sent) >= 3  # a few sections
    for _content, kw in inter.channel.sent:
        check_sent(kw)
    assert inter.channel.sent[0][1]["content"].startswith("Defence news digest")
    assert "Posted the digest" in inter.followup.sent[0][1]["content"]
    empty = Interaction(bot, manage=True)
    await handle_digest(empty, "12h", None, None)
    assert empty.channel.sent == [] and "No new articles" in empty.followup.sent[0][1]["content"]


async def test_scheduled_digest_posts_even_when_nothing_is_new(bot, clock):
    channel = Channel()
    bot.get_channel = lambda cid: channel if cid == 555 else None
    now = clock()
    await post_digest(bot, 555, now - timedelta(hours=1), now)
    assert channel.sent[0][1]["content"].startswith("No new articles")
