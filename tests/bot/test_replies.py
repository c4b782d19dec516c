"""The reply model: emphasis spans, not-found replies, terminal rendering."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.replies import (
    REPHRASE_TIPS,
    SourceLine,
    SourcesReply,
    StatsReply,
    answer_reply,
    emphasise,
    find_highlights,
    render_sources_terminal,
    render_stats_terminal,
    render_terminal,
)
from index.models import Answer, Hit


def _hit(passage: str, highlights=()) -> Hit:
    return Hit(chunk_id="a:0", article_id="a", url="https://example.jp/a", title="Title", section="装備",
               published=datetime(2025, 7, 4, 10, tzinfo=UTC), passage=passage, score=1.0, highlights=highlights)


def test_latin_terms_match_whole_words_case_insensitively():
    text = "The MOD said the model was modern; mod rules."
    spans = find_highlights(text, ["mod"])
    assert [text[s:e] for s, e in spans] == ["MOD", "mod"]


def test_japanese_terms_match_inside_compounds_and_one_char_terms_are_ignored():
    text = "防衛省で防衛大臣を表敬した。"
    spans = find_highlights(text, ["防衛", "表敬", "省", "で"])
    assert [text[s:e] for s, e in spans] == ["防衛", "防衛", "表敬"]


def test_overlapping_matches_merge_into_one_span():
    text = "Ministry of Defense"
    spans = find_highlights(text, ["ministry of", "of defense"])
    assert spans == ((0, len(text)),)


def test_answer_reply_uses_terms_when_hits_have_no_highlights():
    answer = Answer("who visited MOD", True, [_hit("The visitor came to MOD on July 4.")], total=1)
    reply = answer_reply(answer, 0, ["visited", "mod"])
    (item,) = reply.items
    assert [item.passage[s:e] for s, e in item.highlights] == ["MOD"]
    # highlights from the searcher win over the fallback
    reply2 = answer_reply(Answer("q", True, [_hit("abc def", ((4, 7),))], total=1), 0, ["abc"])
    assert reply2.items[0].highlights == ((4, 7),)


def test_nothing_found_says_so_and_suggests_rephrasing():
    reply = answer_reply(Answer("zzz", False, [], total=0))
    assert not reply.items and not reply.confident
    assert "Nothing" in reply.notice and reply.tips == REPHRASE_TIPS
    text = render_terminal(reply)
    assert "Nothing in the indexed articles" in text and REPHRASE_TIPS in text


def test_terminal_rendering_marks_emphasis_and_paging():
    answer = Answer("mod", True, [_hit("MOD news")], total=4)
    text = render_terminal(answer_reply(answer, 0, ["mod"]))
    assert "«MOD» news" in text and "(1 of 4 matching articles shown)" in text
    assert emphasise("abcdef", ((4, 6), (0, 2), (1, 3)), "[", "]") == "[ab]cd[ef]"


def test_sources_and_stats_render_failing_sources():
    src = SourcesReply((SourceLine("mod", 3, "2025-07-24"), SourceLine("feed", 0, ok=False, error="HTTP 503")), 3,
                       "2025-07-24")
    text = render_sources_terminal(src)
    assert "mod: 3 articles, newest 2025-07-24" in text and "FAILING: HTTP 503" in text
    assert [s.name for s in src.failing] == ["feed"]
    stats = StatsReply(3, 9, "hash", "flat", 2_000_000, "gen-1", "2025-07-25", "2025-07-24", 7, 2, 1,
                       failing=src.failing)
    text = render_stats_terminal(stats)
    assert "queries served: 7" in text and "2 up / 1 down" in text and "failing source: feed: HTTP 503" in text
