"""Hypothesis strategies for hostile article text and URLs (markdown, mentions, brackets, very long links)."""

from __future__ import annotations

from hypothesis import strategies as st

texts = st.lists(
    st.sampled_from([*"abc 防衛省*_[]()`~>|\\@<&#:/\n.。", "@everyone", "https://x", "<@&1>", "word " * 20]),
    max_size=600,
).map("".join)
urls = st.one_of(
    st.just("https://defnews-sample.example.jp/articles/2025/07/x"),
    st.text(alphabet=st.sampled_from(list("abc()/<> _%")), max_size=2500).map(lambda s: "https://e.jp/" + s),
    st.text(max_size=50),
)
