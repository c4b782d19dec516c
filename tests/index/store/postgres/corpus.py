"""Small made-up corpora for the PostgreSQL store's tests (importable by their subprocesses too)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from index.models import Article

JST = timezone(timedelta(hours=9))


def corpus(prefix: str, n: int = 12) -> list[Article]:
    """``n`` small articles whose URLs all start with ``prefix`` (so a reader can tell corpora apart)."""
    topics = ["護衛艦いずもが横須賀に入港した", "航空自衛隊のF-35Aが三沢基地に到着した",
              "防衛大臣が豪州の国防相と会談した", "陸上自衛隊が離島防衛の訓練を行った",
              "防衛省が来年度の概算要求を発表した", "海上自衛隊の潜水艦が進水した"]
    out = []
    for i in range(n):
        t = topics[i % len(topics)]
        out.append(Article(
            url=f"{prefix}/{i}", title=f"{t}（{i}）", published=datetime(2025, 7, 1 + i % 28, 10, tzinfo=JST),
            body=f"{t}。防衛省は{7}月{1 + i % 28}日に発表した。\n\n関係者によると、記事番号{i}の詳細は次のとおり。"
                 f"{t}ことについて説明があった。", section="日本の防衛", source=prefix,
        ))
    return out
