"""Two ``defnews run`` processes of one bot, on shards 0 and 1 of two, against one PostgreSQL: each answers
in its own guild, the scheduled digest is posted once, and only the process told to sync registers commands."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta

import pytest

from tests.bot.cli.console import DEFNEWS
from tests.e2e.botkit import E2E_TOKEN, EXAMPLE_QUESTION, KHARE, embed_text
from tests.e2e.test_bot_resilience import defnews_run
from tests.fakediscord import FakeDiscord

pytestmark = [pytest.mark.e2e]


async def _until_ready(proc: asyncio.subprocess.Process, lines: list[str]) -> str:
    """Read the process's log until its "connected to Discord" line; returns that line."""
    while True:
        raw = await asyncio.wait_for(proc.stderr.readline(), 60)
        assert raw, f"defnews run ended before it was ready: {lines}"
        lines.append(raw.decode())
        if "connected to Discord" in lines[-1]:
            return lines[-1]


def _build_index_and_state(news_channel: int) -> None:
    """The sample index written into the database (as an ingest machine would), and a last digest two days
    ago in the shared bot state, so that the daily slot is due as soon as the bots start."""
    from bot.core.settings import load_settings
    from bot.core.wiring import build_service, build_state

    settings = load_settings(env_file=None)
    build_service(settings.index).reindex()
    state = build_state(settings)
    state.set_digest_last(news_channel, datetime.now(UTC) - timedelta(days=2))
    state.close()


async def test_two_processes_split_the_shards_and_share_one_database(make_rig, pg_url, tmp_path, monkeypatch):
    rig = await make_rig(shard_count=2)
    server: FakeDiscord = rig.server
    first = FakeDiscord.shard_of(server.guild_id, 2)
    second = server.add_guild("Second Watch", on_shard=(1 - first, 2))
    owner = {server.guild_id: first, second.guild_id: 1 - first}
    news = server.channel_id("news")
    rig.setenv(STORE_URL=pg_url, SHARD_COUNT="2", DIGEST_CHANNEL_ID=str(news), DIGEST_SCHEDULE="daily 00:00",
               DIGEST_TIMEZONE="UTC", ASK_COOLDOWN_RATE="2", ASK_COOLDOWN_SECONDS="600")
    await asyncio.to_thread(_build_index_and_state, news)

    sync = await asyncio.create_subprocess_exec(  # global commands, once (both guilds see them)
        *DEFNEWS, "sync", env=_env(rig), cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(sync.communicate(), 60)
    assert sync.returncode == 0 and out.decode().startswith("synced "), err.decode()

    # The first post to #news waits 2.5 s for a rate limit: a window in which the other process reaches the
    # slot too (without the claim in the database, both post: checked by removing the claim).
    slow = server.rate_limit_next(rf"/channels/{news}/messages", method="POST", retry_after=2.5)
    procs = [await defnews_run(rig, tmp_path, DEFNEWS_SHARD_IDS="0", DEFNEWS_SYNC_COMMANDS="true"),
             await defnews_run(rig, tmp_path, DEFNEWS_SHARD_IDS="1", DEFNEWS_SYNC_COMMANDS="false")]
    logs: list[list[str]] = [[], []]
    try:
        ready = await asyncio.gather(*(_until_ready(p, log) for p, log in zip(procs, logs, strict=True)))
        for shard, line in enumerate(ready):  # each process is in the one guild of its shard
            assert f"in 1 guild(s) (shards {shard} of 2)" in line, line
        for guild in (server.guild_id, second.guild_id):
            handle = await server.push_interaction_command("ask", {"question": EXAMPLE_QUESTION}, guild_id=guild,
                                                           timeout=30)
            answer = await handle.wait_followup(timeout=20)
            assert KHARE in embed_text(answer)
            sent_on = {server.connections[f.conn - 1].session.shard[0] for f in server.dispatches_sent(
                "INTERACTION_CREATE") if f.d["id"] == str(handle.id)}
            assert sent_on == {owner[guild]}  # only the process that owns the guild got it, and it answered
        # the cooldown (2 questions in 10 minutes) is counted in the database: alice asked once of each
        # process, so her third question is refused, though this process has seen only one of hers
        handle = await server.push_interaction_command("ask", {"question": EXAMPLE_QUESTION},
                                                       guild_id=server.guild_id, timeout=30)
        assert "too fast" in await rig.refused(handle, timeout=20)
        await server.wait_for(lambda: _digests(server, news), timeout=20, what="the scheduled digest")
        assert len(slow.hits) == 1
        loop = asyncio.get_running_loop()  # (until the rate-limited post has been retried, whoever made it)
        await server.wait_for(lambda: loop.time() > slow.hits[0].time + 3.5, timeout=10, what="the retry")
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        results = [await asyncio.wait_for(p.communicate(), 30) for p in procs]
    text = ["".join(log) + err.decode() for log, (_out, err) in zip(logs, results, strict=True)]
    assert [p.returncode for p in procs] == [0, 0], text
    assert all("Traceback" not in t and E2E_TOKEN.split(".")[-1] not in t for t in text)

    assert len(_digests(server, news)) == 1  # posted once, by one of the two
    assert sorted("posted the scheduled digest" in t for t in text) == [False, True]
    # (whether the other process tried and lost the claim, or read the new time first, depends on timing:
    # the race itself is tested in tests/bot/core/test_pgstate.py and tests/bot/features/digest)
    # commands: the global sync above, and the guild sync of the one process told to sync
    puts = server.find_requests("PUT", rf"/applications/\d+/guilds/{server.guild_id}/commands")
    assert len(puts) == 1 and not server.find_requests("PUT", rf"/applications/\d+/guilds/{second.guild_id}/commands")
    assert "synced" in text[0] and "synced" not in text[1]
    # one state: both questions were counted in the database
    monkeypatch.setenv("DEFNEWS_STORE_URL", pg_url)
    from bot.core.settings import load_settings
    from bot.core.wiring import build_state

    state = build_state(load_settings(env_file=None))
    assert state.counter("queries_served") == 2
    state.close()


def _env(rig) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFNEWS_")}
    env.update(rig.env)
    return env


def _digests(server: FakeDiscord, channel: int) -> list:
    """The digests posted in ``channel`` (each starts with a message whose content is its heading)."""
    return [s for s in server.sent if s.via == "channel" and s.message["channel_id"] == str(channel)
            and s.message.get("content")]
