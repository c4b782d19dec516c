"""Feed and sitemap parsing, and feed content to text: pure functions, no network."""

from __future__ import annotations

import gzip

import pytest

from index.sources.feeds import FeedError, fragment_text, parse_sitemap


def test_malformed_sitemap():
    with pytest.raises(FeedError, match="well-formed"):
        parse_sitemap(b"<urlset><url><loc>http://x/</loc>", "x", limit=1000)
    with pytest.raises(FeedError, match="not a sitemap"):
        parse_sitemap(b"<html/>", "x", limit=1000)
    with pytest.raises(FeedError, match="larger"):
        parse_sitemap(gzip.compress(b"<urlset>" + b" " * 5000 + b"</urlset>"), "x", limit=1000)


def test_fragment_text_keeps_paragraphs():
    text = fragment_text(
        "<div><p>一段落目。</p><script>alert(1)</script><ul><li>項目</li></ul><p>二段落目。</p></div>"
    )
    assert text == "一段落目。\n\n項目\n\n二段落目。"
