"""Site furniture: the tail of a page, single furniture lines, link lists and menus; article lines stay."""

from __future__ import annotations

import pytest

from index.sources.furniture import body_lines, breadcrumbs, is_end_marker, is_furniture, tail_start


@pytest.mark.parametrize("line", [
    "Ranking読まれている記事", "よく読まれている記事", "関連記事", "関連ニュース", "続きを読む",
    "この記事は有料記事です。残り1208文字", "ログインして続きを読む", "コメント 42件", "ページの先頭へ",
    "Copyright © Ministry of Defense. All Rights Reserved.", "© 2025 防衛ウォッチ", "最終更新:10/21(火) 9:10",
    "Related Links", "Most read", "Page Top", "プライバシーポリシー", "〒162-8801 東京都新宿区市谷本村町5-1",
    "ニュースレター登録", "タグ: 災害派遣",
])
def test_end_markers(line):
    assert is_end_marker(line) and is_furniture(line)


@pytest.mark.parametrize("line", [
    "記事検索はこちらで→", "シェア", "X", "Facebook", "はてなブックマーク", "印刷", "保存", "有料記事",
    "サイト内検索", "メニュー", "English", "文字サイズ 標準 拡大", "ログイン", "会員登録", "Share", "Tweet",
    "ホーム > 報道・広報 > 報道発表資料", "Home > Press Releases > 2025", "一覧を見る", "詳しくはこちら",
])
def test_furniture_lines(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "陸自の新型輸送ヘリ、木更津で初の編隊飛行訓練を公開(10月20日)",
    "防衛省は21日、次期戦闘機の計画を発表した。", "(以上)", "1 目的", "・陸上自衛隊 第5旅団の一部",
    "大臣:本日、訓練を行うことを決めました。", "Japan and Australia Hold Defense Ministerial Meeting",
    "日米/日豪/日印の協力", "詳しくは防衛省のホームページをご覧ください。",
])
def test_article_lines_are_not_furniture(line):
    assert not is_furniture(line) and not is_end_marker(line)


def test_breadcrumbs():
    assert breadcrumbs("ホーム > 防衛 > 日本の防衛") == ["ホーム", "防衛", "日本の防衛"]
    assert breadcrumbs("ニュース › 政治 › 防衛") == ["ニュース", "政治", "防衛"]
    assert breadcrumbs("トップ | ニュース | About") == []  # a navigation bar
    assert breadcrumbs("A > B") == []


def test_link_lists_end_the_article_but_lists_inside_it_stay():
    page = ["本文。", "- 護衛艦が進水", "- 哨戒機の活動状況", "- 人事発令", "ホーム"]
    assert tail_start(page) == 1
    release = ["4 参加部隊", "・陸上自衛隊 第5旅団の一部", "・陸上自衛隊 第1特科団の一部", "・豪陸軍 第1旅団の一部",
               "5 その他", "訓練の一部は報道関係者に公開します。公開の日時は別途お知らせします。"]
    assert body_lines(release) == release


def test_menus_end_the_article_and_single_furniture_lines_are_dropped():
    page = ["本文の一段落目。", "シェア", "本文の二段落目。", "ホーム", "日本の防衛", "世界の防衛", "装備", "人事",
            "末尾の行。"]
    assert body_lines(page) == ["本文の一段落目。", "本文の二段落目。"]
