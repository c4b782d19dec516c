"""Saved article pages (plain text): title, section, date, body; site furniture is not indexed."""

from __future__ import annotations

from index.sources.textpage import parse_saved_page


def test_saved_page_with_a_huge_blank_preamble_and_many_bullets():
    page = "\n" * 200_000 + "URL: https://news.example.jp/p\n見出し\n2025-07-08 10:00\n\n本文。\n" + "- 項目\n" * 5
    (article,) = parse_saved_page(page, "p.txt").articles
    assert article.body == "本文。"  # the bullet run is site furniture


def test_saved_page_without_url_is_one_clear_rejection():
    result = parse_saved_page("見出し\n2025-07-08 10:00\n\n本文。", "p.txt")
    assert not result.articles and "no URL" in result.rejections[0].reason
