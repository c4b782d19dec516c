"""DefnewsBot: its commands' permissions, mentions and a set-up that happens once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.discord.boundary import user_message
from bot.features.host import RefusedCheck

from ..standins import Interaction, check_sent


async def test_permission_check_runs_at_run_time(bot):
    check = bot.tree.get_command("reindex").checks[0]
    with pytest.raises(RefusedCheck) as err:
        await check(Interaction(bot, user_id=5, manage=True))
    assert user_message(err.value) == ("Only maintainers can use this command.", False)
    assert await check(Interaction(bot, user_id=1))
    assert await check(Interaction(bot, user_id=999))  # the application owner
    digest_check = bot.tree.get_command("digest").checks[0]
    assert await digest_check(Interaction(bot, user_id=5, manage=True))
    assert await digest_check(Interaction(bot, user_id=5, roles=[10]))
    with pytest.raises(RefusedCheck):
        await digest_check(Interaction(bot, user_id=5))
    assert bot.tree.get_command("digest").default_permissions.manage_messages
    assert bot.tree.get_command("stats").default_permissions.manage_guild
    assert bot.tree.get_command("ask").checks == [] and bot.tree.get_command("sources").checks == []


async def test_mentions_are_answered_and_ping_nobody(bot):
    bot._connection.user = SimpleNamespace(id=777)
    replies: list = []

    class Message:
        author = SimpleNamespace(bot=False, id=5)
        raw_mentions = (777,)
        guild = None
        channel = SimpleNamespace(id=555)

        def __init__(self, content):
            self.content = content

        async def reply(self, content=None, **kw):
            replies.append((content, {"content": content, **kw}))

    await bot.on_message(Message("<@777> @everyone who visited MOD on July 4?"))
    (_content, kw), = replies
    check_sent(kw)
    assert kw["mention_author"] is False and "view" in kw
    assert kw["embeds"][0].title == "Q: @everyone who visited MOD on July 4?"
    replies.clear()
    await bot.on_message(Message("<@777>"))
    assert "Ask me a question" in replies[0][1]["content"]
    replies.clear()
    await bot.on_message(Message("<@777> " + "x" * 400))
    assert "longer than 300" in replies[0][1]["content"]
    replies.clear()
    m = Message("no mention")
    m.raw_mentions = []
    await bot.on_message(m)
    assert replies == []


async def test_setup_is_done_once(bot, monkeypatch):
    calls = []
    monkeypatch.setattr(bot, "add_dynamic_items", lambda *items: calls.append(items))
    bot.features = None
    await bot.setup_hook()
    await bot.setup_hook()  # e.g. a second login on the same client: nothing is repeated
    assert len(calls) == 1 and bot.features is not None


async def test_the_shards_and_the_sync_come_from_the_settings(tmp_path):
    import discord

    from bot.discord.client import DefnewsBot

    from ..conftest import make_settings

    bot = DefnewsBot(make_settings(tmp_path), None, background=False)
    assert isinstance(bot, discord.AutoShardedClient) and bot.shard_count is None and bot.shard_ids is None
    assert bot.sync_on_start  # (never logged in: nothing to close)
    bot = DefnewsBot(make_settings(tmp_path, shard_count=4, shard_ids="2,3", sync_commands=False), None)
    assert (bot.shard_count, bot.shard_ids, bot.sync_on_start) == (4, [2, 3], False)
