"""Run a discord.py client against a FakeDiscord inside a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any


class ClientCrashed(RuntimeError):
    """The discord.py client task ended with an exception while the test was running."""


@contextlib.asynccontextmanager
async def running_client(client: Any, token: str, *, timeout: float = 10.0) -> AsyncIterator[Any]:
    """Start ``client.start(token)`` in a task, wait until it is ready, yield it, then close it.

    Raises whatever ``start`` raised if the client dies before becoming ready (e.g. LoginFailure), and
    TimeoutError if it never becomes ready. If the client task crashes while the body runs (e.g. a
    gateway payload discord.py can't parse), ``ClientCrashed`` is raised at exit so it can't go unnoticed.
    ``discord.Client.wait_until_ready`` can't be used before login, hence the polling.
    """
    task = asyncio.create_task(client.start(token), name="fakediscord-client")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    body_failed = False
    try:
        while not client.is_ready():
            if task.done():
                task.result()  # re-raise the client's failure
                raise RuntimeError("discord client stopped before becoming ready")
            if loop.time() > deadline:
                raise TimeoutError(f"discord client not ready after {timeout}s")
            await asyncio.sleep(0.01)
        try:
            yield client
        except BaseException:
            body_failed = True
            raise
    finally:
        crashed = task.done() and not task.cancelled() and task.exception() is not None
        if not client.is_closed():
            await client.close()
        if not task.done():
            try:
                await asyncio.wait_for(task, 5.0)
            except (asyncio.CancelledError, TimeoutError):
                task.cancel()
            except Exception:
                pass
    if crashed and not body_failed:
        raise ClientCrashed(f"discord client task crashed: {task.exception()!r}") from task.exception()
