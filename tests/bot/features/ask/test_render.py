"""An answer page on Discord (always within the limits, linked, emphasised) and in the terminal."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.ask.logic import REPHRASE_TIPS, AnswerReply, answer_reply
from bot.features.ask.render import (
    answer_embed,
    answer_message,
    emphasise,
    fit_passage,
    render_terminal,
    sources_only_message,
)
from bot.features.messages import OutMessage, limit_violations
from index.models import Answer, Hit, Query

texts = st.lists(
    st.sampled_from([*"abc 防衛省*_[]()`~>|\\@<&#:/\n.。", "@everyone", "https://x", "<@&1>", "word " * 20]),
    max_size=600,
).map("".join)
urls = st.one_of(
    st.just("https://defnews-sample.example.jp/articles/2025/07/x"),
    st.text(alphabet=st.sampled_from(list("abc()/<> _%")), max_size=2500).map(lambda s: "https://e.jp/" + s),
    st.text(max_size=50),
)
JULY_4 = datetime(2025, 7, 4, tzinfo=UTC)


def _hit(title: str, url: str, section: str, passage: str, highlights=(), alt_urls=(), published=JULY_4) -> Hit:
    return Hit(chunk_id="a:0", article_id="a", url=url, title=title, published=published, section=section,
               passage=passage, score=1.0, highlights=highlights, alt_urls=alt_urls)


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
    return _hit(draw(texts), draw(urls), draw(st.text(max_size=300)), passage, tuple(merged),
                tuple(draw(st.lists(urls, max_size=3))))


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


def test_answer_embed_links_titles_and_emphasises_terms():
    passage = "翌4日には防衛省を訪れて中谷防衛大臣を表敬した。"
    a, b = passage.index("防衛省"), passage.index("表敬")
    item = _hit("中谷防衛大臣を表敬", "https://e.jp/a(1)", "国際協力", passage,
                highlights=((a, a + 3), (b, b + 2)), published=datetime(2025, 7, 7, 10, tzinfo=UTC))
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


def test_fit_passage_keeps_limit_and_shows_first_match():
    passage = "x" * 3000 + " railgun " + "y" * 3000
    start = passage.index("railgun")
    out = fit_passage(passage, ((start, start + 7),), 300)
    assert len(out) <= 300 and "**railgun**" in out and out.startswith("…") and out.endswith("…")
    assert fit_passage("**" * 1000, (), 50).count("\\") <= 50
    assert fit_passage("abc", (), 2) == ""


def test_real_answer_within_limits(service):
    reply = answer_reply(service.search(Query("Who visited MOD on July 4?", k=10)))
    embed = answer_embed(reply)
    assert limit_violations(OutMessage(embeds=[embed])) == []
    assert len(re.findall(r"\*\*\[\d+\. ", embed.description)) == len(reply.items) > 0


def test_nothing_found_in_the_terminal():
    text = render_terminal(answer_reply(Answer("zzz", False, [], total=0)))
    assert "Nothing in the indexed articles" in text and REPHRASE_TIPS in text


def test_terminal_rendering_marks_emphasis_and_paging():
    answer = Answer("mod", True, [_hit("Title", "https://example.jp/a", "装備", "MOD news")], total=4)
    text = render_terminal(answer_reply(answer, 0, ["mod"]))
    assert "«MOD» news" in text and "(1 of 4 matching articles shown)" in text
    assert emphasise("abcdef", ((4, 6), (0, 2), (1, 3)), "[", "]") == "[ab]cd[ef]"
