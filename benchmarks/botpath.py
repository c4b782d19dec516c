"""Bot path: INTERACTION_CREATE -> deferred acknowledgement -> followup, under concurrent /ask.

    python -m benchmarks.botpath [--chunks 10000] [--concurrency 20] [--rounds 5] [--json-out F]

The real bot (``bot.discord.connect.start_bot`` + ``bot.core.wiring.build_service``, as ``defnews run`` does) runs against the
local Discord-compatible server (tests/fakediscord) over 127.0.0.1, in this process. Each round pushes
``--concurrency`` /ask interactions at once, from distinct users (the per-user cooldown is set to 0 so that it
does not refuse the benchmark; ``max_concurrent_searches`` keeps its default). Reported: the server-side delay
from pushing INTERACTION_CREATE to the accepted callback (the deferred acknowledgement), the delay to the
first followup, the gateway heartbeat gaps, and any discord.py warnings (heartbeat blocked, can't keep up).
The index is a synthetic one (recombined sample texts, random unit vectors; queries are real model queries).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from . import common
from .common import log

FAKE_TOKEN = "MTk4NjIyNDgzNDcxOTI1MjQ4.Gx7eZq.bench-token-0000"


class WarningTrap(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


async def run(
    index_dir: Path,
    embedder_name: str,
    concurrency: int,
    rounds: int,
    heartbeat_ms: int,
    max_searches: int = 0,
) -> dict:
    from tests.fakediscord import FakeDiscord

    trap = WarningTrap()
    logging.getLogger("discord").addHandler(trap)
    logging.getLogger("bot").addHandler(trap)
    server = await FakeDiscord(
        token=FAKE_TOKEN, heartbeat_interval=heartbeat_ms, interaction_deadline=3.0
    ).start()
    users = [server.world.add_user(f"bench{i:02d}")["username"] for i in range(concurrency)]
    env = {
        "DEFNEWS_DISCORD_TOKEN": FAKE_TOKEN,
        "DEFNEWS_DISCORD_API_BASE": server.api_base,
        "DEFNEWS_DISCORD_GATEWAY_URL": server.gateway_url,
        "DEFNEWS_DISCORD_GUILD_ID": str(server.guild_id),
        "DEFNEWS_INDEX_DIR": str(index_dir),
        "DEFNEWS_EMBEDDER": embedder_name,
        "DEFNEWS_ASK_COOLDOWN_SECONDS": "0",
        "DEFNEWS_MODEL": str(common.DIM) if embedder_name == "hash" else "",
    }
    if max_searches:
        env["DEFNEWS_MAX_CONCURRENT_SEARCHES"] = str(max_searches)
    old_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    bot = None
    try:
        with server.patch_discord():
            from bot.core.settings import load_settings
            from bot.core.wiring import build_service
            from bot.discord.connect import start_bot

            settings = load_settings()
            service = build_service(settings.index)
            t0 = time.perf_counter()
            bot = await start_bot(settings, service, background=False, ready_timeout=600)
            ready_s = time.perf_counter() - t0
            hb_start = len(server.heartbeats)  # gaps are measured from READY to the end of the rounds
            questions = common.make_queries(concurrency * (rounds + 1))
            loop = asyncio.get_running_loop()

            async def one(question: str, user: str) -> dict:
                pushed = loop.time()
                handle = await server.push_interaction_command("ask", {"question": question}, user=user)
                await handle.wait_response(60)
                acked = loop.time()
                if handle.response_type != 5:  # answered at once (a refusal such as "too many questions")
                    return {
                        "ack_server_s": handle.response_delay,
                        "ack_s": acked - pushed,
                        "followup_s": None,
                        "type": handle.response_type,
                        "ok": False,
                        "refusal": (handle.response.get("data") or {}).get("content", "")[:200],
                    }
                followup = await handle.wait_followup(120)
                done = loop.time()
                return {
                    "ack_server_s": handle.response_delay,
                    "ack_s": acked - pushed,
                    "followup_s": done - pushed,
                    "type": handle.response_type,
                    "ok": bool(followup.embeds or followup.content),
                    "refusal": "" if followup.embeds else (followup.content or "")[:200],
                }

            # warm-up round (not counted)
            await asyncio.gather(*(one(q, u) for q, u in zip(questions[:concurrency], users, strict=True)))
            samples: list[dict] = []
            t_rounds = time.perf_counter()
            for r in range(rounds):
                qs = questions[(r + 1) * concurrency : (r + 2) * concurrency]
                samples += await asyncio.gather(*(one(q, u) for q, u in zip(qs, users, strict=True)))
            wall = time.perf_counter() - t_rounds
            beats = server.heartbeats[hb_start:]
            gaps = [b - a for a, b in itertools.pairwise(beats)]
    finally:
        if bot is not None:
            await bot.close()
            if bot.runner is not None:
                bot.runner.cancel()
        await server.stop()
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        logging.getLogger("discord").removeHandler(trap)
        logging.getLogger("bot").removeHandler(trap)
    ack = [s["ack_server_s"] if s["ack_server_s"] is not None else s["ack_s"] for s in samples]
    return {
        "ready_s": round(ready_s, 2),
        "asks": len(samples),
        "wall_s": round(wall, 2),
        "asks_per_s": round(len(samples) / wall, 2) if wall else None,
        "deferred": sum(1 for s in samples if s["type"] == 5),
        "answered": sum(1 for s in samples if s["ok"]),
        "refused": sum(1 for s in samples if not s["ok"]),
        "refusals": sorted({s["refusal"] for s in samples if not s["ok"]})[:5],
        "ack_ms": common.percentiles_ms(ack),
        "followup_ms": common.percentiles_ms([s["followup_s"] for s in samples if s["ok"]]),
        "heartbeat_interval_ms": heartbeat_ms,
        "heartbeats": len(beats),
        "max_heartbeat_gap_ms": round(max(gaps) * 1000, 1) if gaps else None,
        "warnings": trap.records[:50],
        "warning_count": len(trap.records),
        "heartbeat_warnings": sum(
            1 for w in trap.records if "heartbeat" in w.lower() or "keep up" in w.lower()
        ),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=10_000, help="synthetic index size")
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument(
        "--heartbeat-ms", type=int, default=1000, help="gateway heartbeat interval of the fake server"
    )
    ap.add_argument(
        "--max-concurrent-searches",
        type=int,
        default=0,
        help="DEFNEWS_MAX_CONCURRENT_SEARCHES for the bot (0: the bot's default)",
    )
    ap.add_argument("--embedder", default="e5onnx", choices=common.EMBEDDERS)
    ap.add_argument("--workdir", default=str(common.RESULTS), help="where synthetic indexes are cached")
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args(argv)

    from .latency import ensure_index

    info = common.machine_info()
    print(common.machine_line(info), flush=True)
    embedder = common.make_embedder(args.embedder)
    src, build = ensure_index(args.chunks, embedder, vectors="random", root=Path(args.workdir))
    with tempfile.TemporaryDirectory(prefix="defnews-bench-bot-") as tmp:
        index_dir = Path(tmp) / "index"
        shutil.copytree(src, index_dir)  # the bot writes its state next to the index
        log(f"bot path: {args.chunks:,} chunks, {args.concurrency} concurrent /ask x {args.rounds} rounds")
        r = asyncio.run(
            run(
                index_dir,
                args.embedder,
                args.concurrency,
                args.rounds,
                args.heartbeat_ms,
                args.max_concurrent_searches,
            )
        )
    r.update(
        {
            "max_concurrent_searches": args.max_concurrent_searches or "default",
            "chunks": args.chunks,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "build": build,
        }
    )
    table = common.print_table(
        f"bot path via the local Discord-compatible server ({embedder.model_id}, {args.chunks:,} chunks, "
        f"{args.concurrency} concurrent /ask x {args.rounds} rounds, max concurrent searches "
        f"{args.max_concurrent_searches or 'default'})",
        [
            "asks",
            "deferred",
            "answered",
            "refused",
            "ack p50 ms",
            "ack p95",
            "ack p99",
            "followup p50 ms",
            "followup p95",
            "followup p99",
            "asks/s",
            "max heartbeat gap ms",
            "heartbeat warnings",
        ],
        [
            [
                r["asks"],
                r["deferred"],
                r["answered"],
                r["refused"],
                r["ack_ms"]["p50"],
                r["ack_ms"]["p95"],
                r["ack_ms"]["p99"],
                r["followup_ms"]["p50"],
                r["followup_ms"]["p95"],
                r["followup_ms"]["p99"],
                r["asks_per_s"],
                r["max_heartbeat_gap_ms"],
                r["heartbeat_warnings"],
            ]
        ],
    )
    payload = {
        "benchmark": "botpath",
        "machine": info,
        "embedder": embedder.model_id,
        "result": r,
        "table": table,
    }
    common.write_json("botpath", payload, args.json_out)
    return payload


if __name__ == "__main__":
    main()
