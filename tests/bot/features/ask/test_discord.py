"""/ask on Discord: the command and its buttons (stand-in interactions; e2e tests drive the real thing) and the
answer page as an embed (always within the limits, linked, emphasised)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.errors import CooldownRefused
from bot.discord.boundary import report_interaction_error
from bot.features.ask.discord import (
    answer_embed,
    answer_message,
    english_message,
    fit_passage,
    handle_ask,
    on_button,
    sources_only_message,
)
from bot.features.ask.logic import AnswerReply, answer_reply
from bot.features.messages import NO_MENTIONS, OutMessage, limit_violations
from index.errors import InvalidQueryError
from index.models import Hit, Query

from ...standins import Interaction, app_error, check_sent
from ..strategies import texts, urls

JULY_4 = datetime(2025, 7, 4, tzinfo=UTC)


async def test_ask_defers_then_answers_with_embed_and_buttons(bot, state):
    inter = Interaction(bot)
    await handle_ask(inter, "Who visited MOD on July 4?", None, None, None, None)
    assert inter.response.calls == [("defer", False, True)]
    (_content, kw), = inter.followup.sent
    check_sent(kw)
    embed = kw["embeds"][0]
    assert "un-operational-support-usg-khare-visit" in embed.description
    assert embed.footer.text.endswith("showing 1–3")
    ids = [item.custom_id for item in kw["view"].children]
    assert ids == ["defnews:ask:more:1:3", "defnews:ask:ctx:1:0", "defnews:ask:src:1:0", "defnews:ask:up:1:0",
                   "defnews:ask:down:1:0"]
    assert state.counter("queries_served") == 1
    assert inter.extras["thinking"] is False


async def test_refusals_come_before_deferring_and_are_ephemeral(bot):
    inter = Interaction(bot)
    with pytest.raises(InvalidQueryError):
        await handle_ask(inter, "x" * 301, None, None, None, None)
    assert inter.response.calls == []
    await report_interaction_error(inter, app_error(InvalidQueryError("the question is too long")))
    assert inter.response.calls == [("send", "The question is too long", {"ephemeral": True,
                                     "allowed_mentions": NO_MENTIONS})]
    # per-user cooldown (rate 2 in the test settings)
    for _ in range(2):
        await handle_ask(Interaction(bot, user_id=77), "護衛艦", None, None, None, None)
    late = Interaction(bot, user_id=77)
    with pytest.raises(CooldownRefused):
        await handle_ask(late, "護衛艦", None, None, None, None)
    assert late.response.calls == []
    # unknown section: refused privately too
    with pytest.raises(Exception, match="no section"):
        await handle_ask(Interaction(bot, user_id=78), "護衛艦", None, None, "nope", None)


async def test_buttons_page_show_sources_and_record_feedback(bot, state):
    first = Interaction(bot)
    await handle_ask(first, "Who visited MOD on July 4?", None, None, None, 2)
    more = Interaction(bot, user_id=6)
    await on_button(more, "more", 1, 2)
    assert more.response.calls == [("defer", False, False)]
    (edit,) = more.edits
    assert edit["embeds"][0].footer.text.endswith("showing 3–4")
    assert next(i.custom_id for i in edit["view"].children) == "defnews:ask:more:1:4"
    src = Interaction(bot)
    await on_button(src, "src", 1, 0)
    (_content, kw), = src.followup.sent
    assert kw["ephemeral"] is True and kw["embeds"][0].title == "Sources"
    assert kw["embeds"][0].description.count("](https://") == 2
    ctx = Interaction(bot)
    await on_button(ctx, "ctx", 1, 0)
    (_content, kw), = ctx.followup.sent
    assert kw["ephemeral"] is True and kw["embeds"][0].title == "Context"
    assert kw["embeds"][0].description.count("](https://") == 2
    vote = Interaction(bot, user_id=8)
    await on_button(vote, "down", 1, 0)
    assert "recorded" in vote.response.calls[0][1]
    assert state.feedback_counts() == {"up": 0, "down": 1}
    gone = Interaction(bot)
    with pytest.raises(Exception, match="ask it again"):
        await on_button(gone, "more", 99, 3)


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
    hit = _hit(draw(texts), draw(urls), draw(st.text(max_size=300)), passage, tuple(merged),
               tuple(draw(st.lists(urls, max_size=3))))
    english = st.one_of(texts, texts.map(lambda t: "[gloss] " + t), st.just(passage))
    return replace(hit, title_en=draw(texts), answer_en=draw(english))


@st.composite
def replies(draw):
    its = tuple(draw(st.lists(items(), max_size=10)))
    offset = draw(st.integers(0, 1000))
    return AnswerReply(
        question=draw(st.text(min_size=1, max_size=4000)), confident=draw(st.booleans()), items=its,
        total=offset + len(its) + draw(st.integers(0, 10**6)), offset=offset,
        notice=draw(st.sampled_from(["", "No confident match." * 80])), tips=draw(st.sampled_from(["", "t" * 5000])),
        english=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replies())
def test_answers_never_exceed_limits(reply):
    msg = answer_message(reply)
    assert limit_violations(msg) == []
    assert limit_violations(sources_only_message(reply)) == []
    assert limit_violations(english_message(reply)) == []


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
    assert embed.footer.text == "5 candidate articles · showing 1–1"


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


@pytest.mark.parametrize("k", [1, 3, 10])
def test_real_answers_within_limits(service, k):
    japanese = answer_reply(service.search(Query("7月4日に防衛省を訪れたのは誰?", k=k)))
    embed = answer_embed(japanese)
    assert limit_violations(OutMessage(embeds=[embed])) == []
    assert len(re.findall(r"\*\*\[\d+\. ", embed.description)) == len(japanese.items) > 0
    english = answer_reply(service.search(Query("Who visited MOD on July 4?", k=k)))
    embed = answer_embed(english)
    assert limit_violations(OutMessage(embeds=[embed])) == []
    blocks = embed.description.split("\n\n")
    assert [b.split(" ", 1)[0] for b in blocks] == [f"**{n}.**" for n in range(1, len(english.items) + 1)]
    assert all("](https://defnews-sample.example.jp/" in b for b in blocks)  # every item keeps its link
    assert "Khare" in blocks[0].splitlines()[0]


KHARE_EN = "Atul Khare paid a courtesy call on Defense Minister Nakatani Gen on 4 July 2025."


def _khare() -> Hit:
    passage = "翌4日には防衛省を訪れて中谷防衛大臣を表敬した。"
    a = passage.index("防衛省")
    return replace(_hit("カレ事務次長が中谷防衛大臣を表敬", "https://e.jp/khare", "国際協力", passage, ((a, a + 3),)),
                   title_en="Khare pays a courtesy call on Nakatani", answer_en=KHARE_EN)


def test_english_items_lead_with_the_answer_line_then_quote_then_source():
    reply = AnswerReply("who visited MOD on July 4", True, (_khare(),), total=1, english=True)
    lines = answer_embed(reply).description.splitlines()
    assert lines == [
        f"**1.** {KHARE_EN}",
        "> 翌4日には**防衛省**を訪れて中谷防衛大臣を表敬した。",
        "[カレ事務次長が中谷防衛大臣を表敬](https://e.jp/khare) — Khare pays a courtesy call on Nakatani · 2025-07-04"
        " · 国際協力",
    ]
    gloss = replace(_khare(), answer_en="[gloss] Ministry of Defense · courtesy call")
    first = answer_embed(replace(reply, items=(gloss,))).description.splitlines()[0]
    assert first == "**1.** *\\[gloss\\] Ministry of Defense · courtesy call*"  # italic: not a sentence
    same = replace(_khare(), passage="The MOD said so.", highlights=(), answer_en="The MOD said so.",
                   title="MOD statement", title_en="MOD statement")
    assert answer_embed(replace(reply, items=(same,))).description.splitlines() == [
        "**1.** The MOD said so.", "[MOD statement](https://e.jp/khare) · 2025-07-04 · 国際協力"]


def test_japanese_items_are_unchanged_and_the_english_button_shows_the_english():
    reply = AnswerReply("7月4日に防衛省を訪れたのは誰", True, (_khare(),), total=1)
    description = answer_embed(reply).description
    assert description.startswith("**[1. カレ事務次長が中谷防衛大臣を表敬](https://e.jp/khare)**")
    assert "Khare" not in description
    english = english_message(reply).embeds[0]
    assert english.title == "English"
    assert english.description == (
        f"**[1. Khare pays a courtesy call on Nakatani](https://e.jp/khare)** · 2025-07-04\n{KHARE_EN}")
    bare = replace(_khare(), answer_en="", title_en="")
    assert "(no English rendering)" in english_message(replace(reply, items=(bare,))).embeds[0].description


async def test_buttons_follow_the_question_language_five_a_row_at_most(bot):
    ja = Interaction(bot)
    await handle_ask(ja, "7月4日に防衛省を訪れたのは誰?", None, None, None, None)
    (_content, kw), = ja.followup.sent
    view = kw["view"]
    assert [i.custom_id.split(":")[2] for i in view.children] == ["more", "ctx", "src", "en", "up", "down"]
    rows = [[c["custom_id"].split(":")[2] for c in row["components"]] for row in view.to_components()]
    assert rows == [["more", "ctx", "src", "en"], ["up", "down"]]  # at most 5 a row
    en = Interaction(bot)
    await handle_ask(en, "who visited MOD on July 4", None, None, None, None)
    (_content, kw), = en.followup.sent
    assert "en" not in [i.custom_id.split(":")[2] for i in kw["view"].children]
    click = Interaction(bot, user_id=6)
    await on_button(click, "en", 1, 0)
    assert click.response.calls == [("defer", True, True)]
    (_content, kw), = click.followup.sent
    check_sent(kw)
    assert kw["ephemeral"] is True and kw["embeds"][0].title == "English"
    first = kw["embeds"][0].description.split("\n\n")[0]
    assert "un-operational-support-usg-khare-visit" in first and "4 July 2025" in first


def test_several_matching_events_lead_the_embed_one_line_each(service):
    reply = answer_reply(service.search(Query("who visited MOD in July 2025", k=5)))
    n = sum(1 for h in reply.items if h.event is not None)
    embed = answer_embed(reply)
    assert n >= 2 and limit_violations(OutMessage(embeds=[embed])) == []
    head, *rest = embed.description.split("\n\n")
    lines = head.splitlines()
    assert lines[0] == f"**{n} matching events:**" and len(lines) == n + 1
    assert all(line.startswith("• 2025-07-") and len(line) <= 170 for line in lines[1:])
    assert rest[0].startswith("**1.**")  # then the answers with their quotes, as before
    one = answer_embed(answer_reply(service.search(Query("who visited MOD on July 4", k=5))))
    assert "matching events" not in one.description and one.description.startswith("**1.**")
