"""/digest and the scheduled digest (stand-in interactions and channels), and a digest as Discord messages:
every entry listed, every message within the limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.digest.discord import digest_entry_text, digest_messages, handle_digest, post_digest
from bot.features.digest.logic import Digest, DigestEntry
from bot.features.messages import EMBEDS_PER_MESSAGE, limit_violations
from index.models import Event, EventActor

from ...standins import Channel, Interaction, check_sent
from ..strategies import texts, urls

T0 = datetime(2025, 7, 1, tzinfo=UTC)


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


@st.composite
def digests(draw):
    groups = []
    total = 0
    for s in range(draw(st.integers(1, 6))):
        entries = tuple(
            DigestEntry(draw(texts), draw(urls), "2025-07-04", f"s{s}", draw(texts), draw(texts))
            for _ in range(draw(st.integers(1, 40)))
        )
        total += len(entries)
        groups.append((draw(st.text(min_size=1, max_size=400)), entries))
    meetings = tuple(
        Event("visit", T0.date(), None, (EventActor(draw(texts), draw(texts), draw(texts)),), draw(texts),
              draw(texts), draw(texts), draw(urls), draw(texts), "a:0")
        for _ in range(draw(st.integers(0, 30)))
    )
    return Digest(T0, T0 + timedelta(days=7), "Asia/Tokyo", tuple(groups), total, draw(st.integers(0, 5)),
                  meetings, draw(st.sampled_from(["en", "ja"])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digests())
def test_digests_never_exceed_limits_and_list_every_entry(d):
    messages = digest_messages(d)
    for m in messages:
        assert limit_violations(m) == []
        assert len(m.embeds) <= EMBEDS_PER_MESSAGE
    blocks = sum(len(e.description.split("\n\n")) for m in messages for e in m.embeds
                 if not e.title.startswith("Meetings and visits"))
    assert blocks >= d.total - d.omitted  # every listed article is there (summaries never contain blank lines)
    if d.meetings:
        assert messages[0].embeds[0].title == f"Meetings and visits ({len(d.meetings)})"
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


def test_entries_lead_with_the_title_of_the_digests_language():
    entry = DigestEntry("中谷防衛大臣を表敬", "https://e.jp/a", "2025-07-04", "国際協力", "要約。",
                        "Courtesy call on Nakatani")
    assert digest_entry_text(entry).splitlines() == [
        "**[Courtesy call on Nakatani](https://e.jp/a)** · 2025-07-04", "*中谷防衛大臣を表敬*", "要約。"]
    assert digest_entry_text(entry, language="ja").splitlines() == [
        "**[中谷防衛大臣を表敬](https://e.jp/a)** · 2025-07-04", "*Courtesy call on Nakatani*", "要約。"]


def test_meetings_and_visits_come_first():
    call = Event("courtesy_call", T0.date(), None, (EventActor("カレ", "Atul Khare"),), "", "Ministry of Defense",
                 "Khare paid a courtesy call.", "https://e.jp/a", "表敬", "a:0")
    entry = DigestEntry("表敬", "https://e.jp/a", "2025-07-01", "国際協力", "要約。", "Courtesy call")
    messages = digest_messages(Digest(T0, T0 + timedelta(days=7), "UTC", (("国際協力", (entry,)),), 1,
                                      meetings=(call,)))
    first, second = messages[0].embeds
    assert first.title == "Meetings and visits (1)" and second.title == "国際協力 (1)"
    assert first.description.startswith("**2025-07-01 · Courtesy call** · Ministry of Defense\nAtul Khare\n")
    assert "Khare paid a courtesy call. — [表敬](https://e.jp/a)" in first.description
    only = digest_messages(Digest(T0, T0 + timedelta(days=7), "UTC", (), 0, meetings=(call,)))
    assert only[0].content.startswith("No new articles") and only[0].embeds[0].title == "Meetings and visits (1)"
