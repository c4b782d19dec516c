"""Abuse resistance through the real client: no pings, length and cooldown limits, the search bound, secrets."""

from __future__ import annotations

import json
import logging

import pytest

from tests.e2e.botkit import (
    E2E_TOKEN,
    EXAMPLE_QUESTION,
    KHARE,
    TestEmbedder,
    custom_ids,
    embed_text,
    message_payloads,
)

pytestmark = [pytest.mark.e2e]


def assert_pings_nobody(rig) -> int:
    """Every payload with content or embeds says "ping nobody", and nothing the bot stored pinged anyone."""
    n = 0
    for rec, payload in message_payloads(rig.server):
        am = payload.get("allowed_mentions")
        assert am is not None, f"{rec.method} {rec.path} has no allowed_mentions"
        assert am.get("parse") == [] and not am.get("users") and not am.get("roles"), (rec.path, am)
        assert not am.get("replied_user"), (rec.path, am)
        n += 1
    bot_id = rig.server.bot_user["id"]
    for msg in rig.server.messages.values():
        if msg["author"]["id"] == bot_id:
            assert (msg["mention_everyone"], msg["mention_roles"], msg["mentions"]) == (False, [], []), msg
    return n


async def test_everyone_and_role_mentions_in_questions_ping_nobody(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    role = server.world.moderator_role_id
    bob = server.user("bob")["id"]
    question = f"@everyone @here <@&{role}> <@{bob}> {EXAMPLE_QUESTION}"

    _, answer = await rig.ask(question)  # echoed in the embed title
    assert "@everyone" in answer.embeds[0]["title"] and KHARE in embed_text(answer)
    # An option echoed in plain message content (the unknown-section refusal).
    handle = await server.push_interaction_command("ask", {"question": question, "section": f"@everyone <@&{role}>"})
    assert "@everyone" in await rig.refused(handle)
    # A mention question (a reply to the asker), and a refused over-long one.
    await server.push_message(question, author="alice", channel="general")
    await server.push_message("@everyone " + "x" * 400, author="bob", channel="general")
    await server.wait_for(lambda: len(rig.channel_posts()) >= 2, timeout=10, what="two mention replies")
    assert any("longer than" in (p.content or "") for p in rig.channel_posts())
    # "More results" and feedback on the answer.
    more = custom_ids(answer)[0]
    click = await server.push_component_click(answer, more, user="alice")
    up = custom_ids((await click.wait_edits(1, timeout=10))[0])[3]
    click = await server.push_component_click(answer, up, user="bob")
    await click.wait_response()

    assert assert_pings_nobody(rig) >= 6


async def test_question_length_and_cooldown_limits(make_rig) -> None:
    rig = await make_rig()
    rig.setenv(ASK_COOLDOWN_RATE="2", ASK_COOLDOWN_SECONDS="60", MAX_QUESTION_CHARS="120")
    await rig.start()
    server = rig.server

    long_q = "防衛省の発表 " * 30  # 209 characters after normalisation
    handle = await server.push_interaction_command("ask", {"question": long_q})
    assert "longer than 120 characters (209)" in await rig.refused(handle)

    await rig.ask(EXAMPLE_QUESTION, user="alice")
    await rig.ask("Mogami-class frigate launch", user="alice")
    handle = await server.push_interaction_command("ask", {"question": "Talisman Sabre"}, user="alice")
    assert "too fast" in await rig.refused(handle)
    assert handle.followups == []
    # The cooldown is per user: bob may still ask.
    _, answer = await rig.ask("Talisman Sabre", user="bob")
    assert answer.embeds
    # Mentions share the limits.
    await server.push_message("NATO summit", author="alice", channel="general")
    reply = await server.wait_for_sent(lambda s: s.via == "channel", timeout=10)
    assert "too fast" in reply.content and not reply.embeds
    # Refused questions were neither answered nor logged.
    assert rig.bot.state.counter("queries_served") == 3


async def test_concurrent_searches_are_bounded(make_rig) -> None:
    embedder = TestEmbedder()
    rig = await make_rig(embedder=embedder)
    rig.setenv(MAX_CONCURRENT_SEARCHES="1")
    await rig.start()
    server = rig.server
    gate = embedder.hold_queries()
    first = await server.push_interaction_command("ask", {"question": EXAMPLE_QUESTION}, user="alice")
    assert (await first.wait_response())["type"] == 5
    await server.wait_for(lambda: embedder.queries_waiting, timeout=10, what="the first search running")

    second = await server.push_interaction_command("ask", {"question": "NATO summit"}, user="bob")
    assert "too many questions at once" in await rig.refused(second)
    await server.push_message("NATO summit", author="carol", channel="general")
    reply = await server.wait_for_sent(lambda s: s.via == "channel", timeout=10)
    assert "too many questions at once" in reply.content

    gate.set()
    answer = await first.wait_followup(timeout=10)
    assert KHARE in embed_text(answer)
    # The slot is free again.
    _, answer = await rig.ask("NATO summit", user="bob")
    assert answer.embeds


async def test_token_never_appears_in_logs_replies_or_stats(make_rig, caplog) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, discord.py's included
    embedder = TestEmbedder()
    rig = await make_rig(embedder=embedder)
    await rig.start()
    server = rig.server

    await rig.ask(EXAMPLE_QUESTION)
    server.rate_limit_next(r"/webhooks/\d+/[^/]+", method="POST", times=1, retry_after=0.2)
    await rig.ask("Talisman Sabre", user="bob")
    await server.push_message(EXAMPLE_QUESTION, author="carol", channel="general")
    await server.wait_for_sent(lambda s: s.via == "channel", timeout=10)
    # An unexpected failure: logged with its traceback, the user gets an apology.
    embedder.query_error = RuntimeError("embedding backend crashed")
    handle = await server.push_interaction_command("ask", {"question": "F-35 deployment"}, user="owner")
    await handle.wait_response()
    apology = (await handle.wait_edits(1, timeout=10))[0]
    assert "went wrong" in apology.content
    embedder.query_error = None
    # /stats (the application owner is a maintainer).
    handle = await server.push_interaction_command("stats", {}, user="owner")
    stats = await handle.wait_followup(timeout=10)
    assert "defnews statistics" in embed_text(stats)
    # A gateway resume (the RESUME payload carries the token).
    await server.gateway_close(4000)
    await server.wait_for_dispatch("RESUMED", timeout=10)

    secret = E2E_TOKEN.split(".")[-1]
    assert any(r.name.startswith("discord") and r.levelno == logging.DEBUG for r in caplog.records)
    assert any(r.exc_info for r in caplog.records if r.name.startswith("bot"))  # the traceback was logged
    text = caplog.text + "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    assert secret not in text
    for rec in server.requests:
        assert secret not in json.dumps([rec.path, rec.query, rec.json, rec.headers, rec.response], default=str)
    for sent in [*server.sent, *server.edits]:
        assert secret not in json.dumps(sent.payload, ensure_ascii=False)
    assert secret not in embed_text(stats)
