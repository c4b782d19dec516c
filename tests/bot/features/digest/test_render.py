"""A digest on Discord: every entry listed, every message within the limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.digest.logic import Digest, DigestEntry
from bot.features.digest.render import digest_messages, render_digest_terminal
from bot.features.messages import EMBEDS_PER_MESSAGE, limit_violations

T0 = datetime(2025, 7, 1, tzinfo=UTC)

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


def test_terminal_digest_lists_sections_and_what_was_left_out():
    entry = DigestEntry("Title", "https://e.jp/a", "2025-07-04", "装備", "Summary.")
    d = Digest(T0, T0 + timedelta(days=7), "UTC", (("装備", (entry,)),), 3, omitted=2)
    text = render_digest_terminal(d)
    assert text.splitlines()[0].startswith("Defence news digest: 3 articles, 2025-07-01 00:00 – 2025-07-08 00:00 (UTC)")
    assert "== 装備 (1)\n- Title (2025-07-04)\n  https://e.jp/a\n  Summary." in text
    assert text.endswith("... and 2 more articles not listed.")
