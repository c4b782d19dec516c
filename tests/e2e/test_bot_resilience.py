"""Rate limits, gateway trouble, slow retrieval and a wrong token, through the real client."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest

from tests.bot.cli.console import DEFNEWS
from tests.e2e.botkit import E2E_TOKEN, EXAMPLE_QUESTION, KHARE, TestEmbedder, embed_text

pytestmark = [pytest.mark.e2e]

WEBHOOK_POST = r"/webhooks/\d+/[^/]+"


async def test_rate_limited_followup_is_retried(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    fault = server.rate_limit_next(WEBHOOK_POST, method="POST", times=1, retry_after=0.3)
    handle, answer = await rig.ask(EXAMPLE_QUESTION)
    assert len(fault.hits) == 1 and fault.hits[0].status == 429
    posts = server.find_requests("POST", WEBHOOK_POST)
    assert [r.status for r in posts] == [429, 200]  # retried once, after the 429
    assert len(handle.followups) == 1 and KHARE in embed_text(answer)


async def test_gateway_close_4000_and_invalid_session_are_survived(make_rig) -> None:
    rig = await make_rig()
    bot = await rig.start()
    server = rig.server
    await rig.ask(EXAMPLE_QUESTION)

    await server.gateway_close(4000)  # resumable: the client RESUMEs on resume_gateway_url
    await server.wait_for_dispatch("RESUMED", timeout=10)
    assert server.connections[-1].path == "/resume-gateway"
    _, answer = await rig.ask(EXAMPLE_QUESTION, user="bob")
    assert KHARE in embed_text(answer)

    # op 9 d=false: the session is gone; discord.py waits ~5 s and IDENTIFYs afresh.
    await server.gateway_invalidate_session()
    await server.wait_for_dispatch("READY", count=2, timeout=20)
    _, answer = await rig.ask(EXAMPLE_QUESTION, user="carol")
    assert KHARE in embed_text(answer)

    assert server.identify_count == 2 and server.resume_count == 1
    assert not bot.runner.done() and not bot.is_closed()
    # Reconnects do not redo the one-time set-up (commands were registered once).
    puts = server.find_requests("PUT", rf"/applications/\d+/guilds/{server.guild_id}/commands")
    assert len(puts) == 1


async def test_slow_retrieval_is_acknowledged_in_time_and_never_blocks_the_heartbeat(make_rig, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="discord")
    embedder = TestEmbedder()
    rig = await make_rig(embedder=embedder, heartbeat_interval=250)  # Discord's deadline stays 3 s
    await rig.start()
    server = rig.server
    embedder.query_delay = 3.5  # longer than the interaction deadline

    handle = await server.push_interaction_command("ask", {"question": EXAMPLE_QUESTION})
    body = await handle.wait_response(timeout=5)
    assert body["type"] == 5 and handle.rejected_callbacks == []  # accepted, so within the 3 s deadline
    answer = await handle.wait_followup(timeout=15)
    assert KHARE in embed_text(answer)

    # The 3.5 s search ran in a worker thread: heartbeats went on meanwhile (~14 expected at 250 ms).
    started = embedder.query_calls[0]
    during = [t for t in server.heartbeats if started <= t <= started + embedder.query_delay]
    assert len(during) >= 4
    assert server.identify_count == 1 and len(server.connections) == 1  # no zombie reconnect
    assert not [r for r in caplog.records if "heartbeat blocked" in r.getMessage()]


async def defnews_run(rig, cwd, **env_overrides: str) -> asyncio.subprocess.Process:
    """The real ``defnews run`` console script with the rig's environment (nothing else of ours)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFNEWS_")}
    env.update(rig.env)
    env.update(env_overrides)
    argv = [*DEFNEWS, "run"]
    return await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


async def test_defnews_run_serves_and_stops_cleanly_on_sigterm(make_rig, tmp_path) -> None:
    rig = await make_rig()
    server = rig.server
    proc = await defnews_run(rig, tmp_path)
    seen: list[str] = []
    try:
        while not any("connected to Discord" in line for line in seen):  # logged once READY (INFO level)
            line = await asyncio.wait_for(proc.stderr.readline(), 60)
            assert line, f"defnews run ended before it was ready: {seen}"
            seen.append(line.decode())
        handle = await server.push_interaction_command("ask", {"question": EXAMPLE_QUESTION}, timeout=30)
        assert (await handle.wait_response(timeout=10))["type"] == 5
        answer = await handle.wait_followup(timeout=15)
        assert KHARE in embed_text(answer)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    log = "".join(seen) + err.decode()
    assert proc.returncode == 0, log
    assert "Traceback" not in log and E2E_TOKEN.split(".")[-1] not in log + out.decode()
    # The client closed the gateway itself (discord.py's close frame says 4000 when a receive is pending:
    # aiohttp hands the close to the reading task, which closes with 4000).
    assert server.connections[-1].closed and not server.connections[-1].server_closed


async def test_wrong_token_exits_with_one_clear_line(make_rig, tmp_path) -> None:
    """The real ``defnews run`` console script, against the local server, with a token it rejects."""
    rig = await make_rig()
    server = rig.server
    wrong = "MTk4NjIyNDgzNDcxOTI1MjQ4.Gx7eZq.not-the-right-token-5d1e"
    proc = await defnews_run(rig, tmp_path, DEFNEWS_DISCORD_TOKEN=wrong)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    lines = [ln for ln in err.decode().splitlines() if ln.strip()]
    assert proc.returncode != 0
    assert len(lines) == 1, lines
    assert lines[0].startswith("defnews: error: ") and "token" in lines[0]
    assert "Traceback" not in err.decode() and out == b""
    assert wrong.split(".")[-1] not in err.decode() and E2E_TOKEN not in err.decode()
    # It really asked the local server, and got a 401.
    login = server.find_requests("GET", "/users/@me")
    assert [(r.status, r.authorization) for r in login] == [(401, "invalid")]


async def test_sigterm_while_connecting_exits_cleanly(make_rig, tmp_path) -> None:
    """A stop request before READY (gateway silent) ends `defnews run` with exit 0, no traceback."""
    rig = await make_rig()
    server = rig.server
    accepted = asyncio.Event()

    async def silent(reader, writer):  # accepts the websocket's TCP connection and never answers
        accepted.set()
        await reader.read()
        writer.close()

    silent_server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = silent_server.sockets[0].getsockname()[1]
    try:
        proc = await defnews_run(rig, tmp_path, DEFNEWS_DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/gateway")
        await asyncio.wait_for(accepted.wait(), 60)  # logged in over REST, now waiting for the gateway
        assert server.find_requests("GET", "/users/@me")
        proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        silent_server.close()
    assert proc.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
