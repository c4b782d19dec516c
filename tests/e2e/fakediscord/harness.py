"""Run a discord.py client against a FakeDiscord inside a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any


@contextlib.asynccontextmanager
async def running_client(client: Any, token: str, *, timeout: float = 10.0) -> AsyncIterator[Any]:
    """Start ``client.start(token)`` in a task, wait until it is ready, yield it, then close it.

    Raises whatever ``start`` raised if the client dies before becoming ready (e.g. LoginFailure), and
    TimeoutError if it never becomes ready. ``discord.Client.wait_until_ready`` can't be used before login,
    hence the polling.
    """
    task = asyncio.create_task(client.start(token), name="fakediscord-client")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while not client.is_ready():
            if task.done():
                task.result()  # re-raise the client's failure
                raise RuntimeError("discord client stopped before becoming ready")
            if loop.time() > deadline:
                raise TimeoutError(f"discord client not ready after {timeout}s")
            await asyncio.sleep(0.01)
        yield client
    finally:
        if not client.is_closed():
            await client.close()
        if not task.done():
            try:
                await asyncio.wait_for(task, 5.0)
            except (asyncio.CancelledError, TimeoutError):
                task.cancel()
            except Exception:  # the client's own failure after ready: already visible in logs
                pass
        elif not task.cancelled():
            task.exception()  # mark retrieved
