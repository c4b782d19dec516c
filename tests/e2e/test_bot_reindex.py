"""/reindex (maintainers only): progress, counts, refusals, and /ask answering while it runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.settings import SAMPLE_DIR
from bot.features.reindex.discord import reindex_busy
from index.ingest.collect import STATE_FILE
from tests.e2e.botkit import EPHEMERAL, EXAMPLE_QUESTION, KHARE, TestEmbedder, embed_text
from tests.fakediscord.world import MANAGE_GUILD, MANAGE_MESSAGES

pytestmark = [pytest.mark.e2e]

NEW_URL = "https://defnews-sample.example.jp/articles/2025/07/gsdf-counter-drone-training-kita-fuji"
NEW_ARTICLE = {
    "url": NEW_URL,
    "title": "陸自、北富士演習場で小型無人機への対処訓練を公開(7月24日)",
    "published": "2025-07-25T09:00:00+09:00",
    "section": "日本の防衛",
    "body": (
        "陸上自衛隊東部方面隊は令和7(2025)年7月24日(木)、山梨県の北富士演習場で、小型無人機(ドローン)への"
        "対処訓練を報道陣に公開した。訓練には第1師団の隊員約120名が参加し、電波妨害装置やレーダーを使って"
        "接近する無人機を探知し、飛行を止める手順を確かめた。\n\n"
        "想定は、駐屯地の上空に所属不明の無人機が複数飛来したというもの。隊員は探知から報告、妨害までを"
        "分担して行い、妨害が効かない機体には網を発射する装置で対処した。\n\n"
        "同方面隊は「無人機は安価で数が多く、あらゆる部隊が対処の手順を身に付ける必要がある」としており、"
        "年度内に同様の訓練を他の演習場でも行う予定だ。"
    ),
}


def write_sources(folder: Path) -> Path:
    """The sources file a maintainer would write: the sample corpus plus a desk file with one new article."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "desk.jsonl").write_text(json.dumps(NEW_ARTICLE, ensure_ascii=False) + "\n", "utf-8")
    path = folder / "sources.toml"
    path.write_text(
        f'[[sources]]\nname = "sample corpus"\nkind = "folder"\npath = {json.dumps(str(SAMPLE_DIR))}\n\n'
        '[[sources]]\nname = "desk notes"\nkind = "jsonl"\npath = "desk.jsonl"\n',
        "utf-8",
    )
    return path


async def test_reindex_by_maintainer_reports_progress_and_counts_while_ask_answers(make_rig, tmp_path) -> None:
    embedder = TestEmbedder()
    rig = await make_rig(embedder=embedder)
    rig.setenv(SOURCES_FILE=str(write_sources(tmp_path / "sources")))
    await rig.start(progress_interval=0.05)
    server = rig.server
    before = rig.current_generation()
    articles_before = len(rig.service.searcher.articles)
    gate = embedder.hold_passages()  # the new article's chunks wait here until the test lets them through

    handle = await server.push_interaction_command("reindex", {}, user="carol")
    body = await handle.wait_response()
    assert body["type"] == 4 and body["data"]["content"].startswith("Reindex started")
    assert not body["data"].get("flags", 0) & EPHEMERAL
    await server.wait_for(lambda: embedder.passages_waiting, timeout=10, what="the reindex embedding")

    # Progress is reported by editing the message.
    progress = await server.wait_for(
        lambda: [e for e in handle.edits if (e.content or "").startswith("Reindexing…")], timeout=10,
        what="a progress edit",
    )
    assert "sources read 2/2" in progress[-1].content

    # /ask keeps answering from the live index meanwhile, and a second /reindex is turned away.
    _, answer = await rig.ask(EXAMPLE_QUESTION, user="alice")
    assert KHARE in embed_text(answer)
    second = await server.push_interaction_command("reindex", {}, user="carol")
    assert "already running" in await rig.refused(second)
    assert rig.current_generation() == before

    gate.set()
    final = await server.wait_for(
        lambda: [e for e in handle.edits if (e.content or "").startswith("Reindex finished")], timeout=20,
        what="the reindex summary",
    )
    summary = final[-1].content
    assert f"added 1 / updated 0 / unchanged {articles_before} /" in summary
    assert f"The index now holds {articles_before + 1} articles" in summary
    assert len(rig.service.searcher.articles) == articles_before + 1
    assert rig.current_generation() != before

    # The new article is searchable at once.
    _, answer = await rig.ask("北富士演習場 ドローン 対処訓練", user="bob")
    assert NEW_URL in embed_text(answer)


async def test_reindex_refused_to_manage_guild_member_not_on_the_maintainer_list(make_rig, tmp_path) -> None:
    rig = await make_rig()
    rig.setenv(SOURCES_FILE=str(write_sources(tmp_path / "sources")))
    await rig.start(progress_interval=0.05)
    server = rig.server
    before = rig.current_generation()
    states = rig.index_dir / STATE_FILE
    states_before = states.read_bytes() if states.exists() else None

    # alice may manage the server (so Discord shows her the command) but is no maintainer of the bot.
    handle = await server.push_interaction_command(
        "reindex", {"full": True}, user="alice", member_permissions=MANAGE_GUILD | MANAGE_MESSAGES
    )
    assert "Only maintainers" in await rig.refused(handle)
    # /stats is for maintainers too.
    handle = await server.push_interaction_command("stats", {}, user="bob")  # Moderator role: Manage Guild
    assert "Only maintainers" in await rig.refused(handle)

    # Nothing ran: same generation, source states untouched, nothing posted, no reindex in progress.
    assert rig.current_generation() == before
    assert (states.read_bytes() if states.exists() else None) == states_before
    assert not rig.service.reindex_running and not reindex_busy(rig.bot)
    assert rig.channel_posts() == []
    _, answer = await rig.ask("北富士演習場 ドローン 対処訓練", user="bob")
    assert NEW_URL not in embed_text(answer)  # the new article was not indexed
