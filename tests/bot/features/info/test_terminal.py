"""/sources and /stats in the terminal (``defnews stats``, chat)."""

from __future__ import annotations

from bot.features.info.logic import Activity, SourceLine, SourcesReply
from bot.features.info.terminal import render_sources_terminal, render_stats_terminal

from .sample_stats import sample_stats


def test_sources_and_stats_render_failing_sources():
    src = SourcesReply((SourceLine("mod", 3, "2025-07-24"), SourceLine("feed", 0, ok=False, error="HTTP 503")), 3,
                       "2025-07-24")
    text = render_sources_terminal(src)
    assert "mod: 3 articles, newest 2025-07-24" in text and "FAILING: HTTP 503" in text
    assert [s.name for s in src.failing] == ["feed"]
    stats = sample_stats(src.failing, Activity(7, 2, 1))
    text = render_stats_terminal(stats)
    assert "queries served: 7" in text and "2 up / 1 down" in text and "  feed: 0 articles  FAILING: HTTP 503" in text


def test_terminal_stats_are_what_defnews_stats_prints():
    assert render_stats_terminal(sample_stats()).splitlines() == [
        "articles:       3",
        "chunks:         9",
        "model:          hash (dim 256, flat)",
        "index:          /idx (2.0 MB, gen-1)",
        "last reindex:   2025-07-25",
        "newest article: 2025-07-24T10:00:00+09:00",
        "sources:",
        "  mod: 3 articles",
    ]


def test_one_article_is_singular():
    src = SourcesReply((SourceLine("mod", 1, "2025-07-24"),), 1, "2025-07-24")
    assert render_sources_terminal(src).splitlines() == ["1 article indexed, newest 2025-07-24",
                                                         "  mod: 1 article, newest 2025-07-24"]
    stats = render_stats_terminal(sample_stats(activity=Activity(7, 2, 1)))
    rows = [ln for ln in stats.splitlines() if not ln.startswith(("sources:", "  "))]
    assert len(rows) == 8 and len({len(ln) - len(ln.split(":", 1)[1].lstrip()) for ln in rows}) == 1  # one column
