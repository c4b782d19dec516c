"""Properties of the saved-page reader over generated pages in many layouts.

- No furniture line is indexed: whatever header, buttons, rankings and footer surround an article, none of
  their lines reaches the body, and every article line does.
- No page is lost without a reason: every page is one article or one rejection, and a rejection says what
  is missing (date, URL, text) and how to supply it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.normalize import normalize_inline
from index.sources.records import JST
from index.sources.textpage import parse_saved_page

TODAY = date(2026, 1, 15)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Our own furniture, in the forms sites use (header, between headline and body, tail).
HEADER = ["防衛ウォッチ", "日本と世界の安全保障を伝える", "記事検索はこちらで→", "サイト内検索", "メニュー", "ホーム",
          "ログイン", "会員登録", "English", "文字サイズ", "Menu", "Search", "Skip to main content",
          "ホーム > ニュース > 防衛", "Home > News > Defence"]
MENU = ["日本の防衛", "世界の防衛", "装備", "人事", "国際協力", "コラム"]
BUTTONS = ["シェア", "X", "Facebook", "はてなブックマーク", "印刷", "保存", "有料記事", "Share", "Tweet",
           "この記事をシェア", "写真を拡大"]
TAIL_HEADINGS = ["Ranking読まれている記事", "よく読まれている記事", "関連記事", "関連ニュース", "おすすめ記事",
                 "続きを読む", "この記事は有料記事です。残り980文字", "コメント 12件", "ページの先頭へ", "Related articles",
                 "Most read", "Page Top"]
TAIL_LINES = ["- 24時間", "- 1週間", "- 護衛艦が米海軍と共同訓練(10月15日)", "1 哨戒艦が就役", "次期練習機の提案を募集",
              "ニュースレター登録", "プライバシーポリシー", "利用規約", "お問い合わせ", "© 2025 防衛ウォッチ",
              "Copyright © Example Shimbun. All rights reserved."]

UNITS = ["陸上自衛隊第1師団", "海上自衛隊第2護衛隊群", "航空自衛隊第3航空団", "防衛装備庁", "統合幕僚監部", "防衛省"]
PLACES = ["北海道", "沖縄", "九州", "横須賀", "三沢", "長崎", "東京"]
EVENTS = ["共同訓練を実施", "新装備を公開", "災害派遣を終了", "部隊を新編", "試験を開始", "式典を開催"]
NOUNS = ["部隊", "装備", "訓練", "艦艇", "航空機", "隊員", "関係者", "自治体"]

headlines = st.builds(lambda u, p, e: f"{u}、{p}で{e}", st.sampled_from(UNITS), st.sampled_from(PLACES),
                      st.sampled_from(EVENTS))
sentences = st.builds(lambda u, p, n, e, k: f"{u}は{p}で{n}の{e}した。参加した{n}は約{k}に上った。",
                      st.sampled_from(UNITS), st.sampled_from(PLACES), st.sampled_from(NOUNS),
                      st.sampled_from(EVENTS), st.integers(2, 900))
days = st.dates(min_value=date(2019, 6, 1), max_value=TODAY)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
DATE_FORMS = [
    lambda d: f"{d.year}-{d.month}-{d.day} 08:55", lambda d: f"{d:%Y/%m/%d}", lambda d: f"{d:%Y.%m.%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: f"令和{d.year - 2018}年{d.month}月{d.day}日(火)",
    lambda d: f"令和{d.year - 2018}({d.year})年{d.month}月{d.day}日", lambda d: f"({d.year}年{d.month}月{d.day}日)",
    lambda d: f"{d.year}年{d.month}月{d.day}日更新", lambda d: f"公開日: {d.year}年{d.month}月{d.day}日",
    lambda d: f"日時 令和{d.year - 2018}年{d.month}月{d.day}日(金)11:00~", lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
]
SECTIONS = ["- 日本の防衛", "• 日本の防衛", "・日本の防衛", ""]


@st.composite
def pages(draw):
    day = draw(days)
    parts = {
        "header": draw(st.lists(st.sampled_from(HEADER), max_size=5))
        + (MENU[: draw(st.integers(0, len(MENU)))] if draw(st.booleans()) else []),
        "headline": draw(headlines),
        "section": draw(st.sampled_from(SECTIONS)),
        "date": draw(st.sampled_from(DATE_FORMS))(day),
        "buttons": draw(st.lists(st.sampled_from(BUTTONS), max_size=4)),
        "body": draw(st.lists(sentences, min_size=1, max_size=5, unique=True)),
        "tail": [draw(st.sampled_from(TAIL_HEADINGS)), *draw(st.lists(st.sampled_from(TAIL_LINES), max_size=8))],
    }
    if draw(st.booleans()):
        parts["body"] = [*parts["body"][:1], *draw(st.lists(st.sampled_from(BUTTONS), max_size=2)), *parts["body"][1:]]
    lines = ["URL: https://n.example.jp/articles/x", *parts["header"], parts["headline"]]
    meta = [parts["section"], parts["date"]] if draw(st.booleans()) else [parts["date"], parts["section"]]
    lines += [m for m in meta if m] + parts["buttons"] + parts["body"] + parts["tail"]
    return "\n".join(lines), parts, day


def furniture_lines(parts: dict) -> set[str]:
    lines = [*parts["header"], parts["section"], parts["date"], *parts["buttons"], *parts["tail"], *BUTTONS]
    return {normalize_inline(x) for x in lines if x}


@PROPS
@given(pages())
def test_no_furniture_line_is_indexed_and_every_article_line_is(generated):
    text, parts, day = generated
    (article,) = parse_saved_page(text, "p.txt", today=TODAY).articles
    body = article.body.split("\n\n")
    assert not furniture_lines(parts) & set(body)
    assert body == [s for s in parts["body"] if s not in BUTTONS]
    assert article.title == parts["headline"]
    assert article.published.date() == day
    crumbs = [h.rsplit(" > ", 1)[1] for h in parts["header"] if " > " in h]
    assert article.section == ("日本の防衛" if parts["section"] else crumbs[0] if crumbs else "")


@PROPS
@given(pages(), st.sets(st.sampled_from(["date", "url", "headline", "body"]), max_size=3), st.booleans())
def test_no_page_is_lost_without_a_reason(generated, removed, give_published):
    text, parts, day = generated
    lines = text.split("\n")
    drop = {"date": parts["date"], "url": lines[0], "headline": parts["headline"]}
    lines = [ln for ln in lines if ln not in {drop[k] for k in removed if k in drop}]
    if "body" in removed:
        lines = [ln for ln in lines if ln not in parts["body"]]
    published = datetime(2020, 1, 2, tzinfo=JST) if give_published else None
    result = parse_saved_page("\n".join(lines), "p.txt", published=published, today=TODAY)
    assert len(result.articles) + len(result.rejections) == 1
    if result.rejections:
        reason = result.rejections[0].reason
        assert result.rejections[0].location == "p.txt" and reason and "\n" not in reason
        if "date" in removed and not give_published:  # what is missing is named, the date first
            assert "--published" in reason and "Published:" in reason
        elif "body" in removed:
            assert "article text" in reason
        else:
            assert "url" in removed and "--url" in reason
    else:
        (article,) = result.articles
        assert not furniture_lines(parts) & set(article.body.split("\n\n"))
        expected = day if "date" not in removed else published.date() if published else None
        assert article.published.date() == expected
        assert article.published - datetime(day.year, day.month, day.day, tzinfo=JST) < timedelta(days=1) \
            or "date" in removed
