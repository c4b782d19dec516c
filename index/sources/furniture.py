"""Site furniture in saved page text: the lines around an article that are not the article.

Three kinds, all judged on one line (NFKC-normalised, trimmed) or on a short run of lines:

- *end markers* start the tail of a page: rankings and "読まれている記事", related links, "続きを読む" and
  paywall prompts, comments, "ページの先頭へ", copyright and footer lines. Nothing after one is article text.
- *furniture lines* are dropped wherever they stand: share/print/bookmark buttons, labels (有料記事, PR),
  search boxes, menus and language switches, login and newsletter prompts, "…はこちら→" links,
  breadcrumbs (``ホーム > 防衛 > …``).
- *link lists*: three or more bullet lines that read as link text (no sentence end, not ``key：value``),
  and *menus*: four or more very short lines in a row. Both end the article.

Pure functions over strings; the saved-page and HTML readers share them.
"""

from __future__ import annotations

import re

from ..normalize import normalize_inline

# Lines that start the tail of a page (matched at the start of the line).
_END = re.compile(
    r"^(?:ranking|ランキング|(?:よく|最も|いま)?読まれている(?:記事|ニュース)?|よく読まれ|人気(?:の)?記事|"
    r"アクセスランキング|注目(?:の)?記事|関連(?:する)?記事|関連ニュース|関連リンク|関連情報$|おすすめ(?:の)?記事|"
    r"あわせて読みたい|合わせて読みたい|こちらもおすすめ|この記事を書いた人|この記事の(?:筆者|執筆者)|"
    r"この記事を読んだ|続きを読む|(?:ログイン|会員登録)して(?:続きを)?|"
    r"(?:残り|この記事は残り)\s*\d[\d,]*\s*文字|この記事は(?:有料|会員限定)記事|有料記事です|"
    r"タグ\s*[:：]|カテゴリー?\s*[:：]|tags?\s*:|〒\s*\d{3}-?\d{4}|有料会員(?:になる|登録|限定|の方)|"
    r"会員(?:限定|登録)(?:記事|すると|で)|コメント(?:\s*\d+\s*件|を(?:書く|見る|投稿))|みんなの(?:意見|コメント)|"
    r"記事に関する報告|前の記事|次の記事|バックナンバー|ページの?(?:先頭|トップ)へ|ページトップ|"
    r"トップへ戻る|このページの(?:先頭|上)へ|最終更新\s*[:：]|copyright\b|©|\(c\)\s*\d{4}|"
    r"all rights reserved|(?:related|recommended|popular|more)\s+(?:articles|stories|news|links|"
    r"from)\b|most\s+(?:read|popular|viewed)\b|read more\b|continue reading\b|back to top\b|page top\b|"
    r"subscribe to\b|sign up for (?:our|the)\b|(?:newsletter|ニュースレター|メールマガジン|メルマガ)(?:登録|の登録)|"
    r"お問い合わせ$|お問い合わせ(?:先|窓口)?\s*[:：]?$|プライバシーポリシー|個人情報(?:保護方針|の取り扱い)|"
    r"利用規約|サイトマップ$|サイトポリシー|このサイトについて|サイトについて$|privacy policy|terms of "
    r"(?:use|service)|contact us$|sitemap$|accessibility$)",
    re.I,
)

# Whole lines that are furniture wherever they stand.
_LINE = re.compile(
    r"^(?:"
    # share, print, bookmark buttons and their captions
    r"(?:この記事を|記事を)?(?:シェア|共有)(?:する|しよう)?|ツイート|ポスト|いいね!?|はてな(?:ブックマーク)?|"
    r"ブックマーク|b!|印刷(?:する|用ページ)?|保存(?:する)?|メール(?:で送る|で共有)?|リンクをコピー|url\s*をコピー|"
    r"x|twitter|facebook|line|pocket|threads|bluesky|hatena|linkedin|reddit|"
    r"(?:x|twitter|facebook|line)\s*(?:で|に)(?:シェア|ポスト|送る|共有)|share(?:\s+(?:this|on\s+\w+))?|"
    r"tweet|print(?:\s+this(?:\s+page)?)?|e-?mail|copy link|bookmark|"
    # labels
    r"有料記事|会員限定(?:記事)?|無料記事|プレミアム(?:記事)?|速報|pr|広告|ad|advertisement|sponsored|"
    r"スポンサーリンク|写真|画像|動画|拡大する|拡大|写真を拡大|[\d\s/]*枚目?|"
    # search boxes, menus, navigation, language switches, accessibility tools
    r"(?:サイト内|記事)?検索(?:する|はこちら)?|キーワード(?:を入力|検索)?|search(?:\s+this\s+site)?|"
    r"メニュー|menu|ホーム|トップ(?:ページ)?|home|top|ナビゲーション|閉じる|close|開く|一覧(?:へ|を見る|に戻る)?|"
    r"もっと見る|さらに表示|(?:すべて|全て)(?:の記事)?を?見る|more|本文へ|メインコンテンツへ(?:移動|スキップ)?|"
    r"skip to (?:main )?content|日本語|english|japanese|文字サイズ.*|背景色.*|音声読み上げ|標準|大|中|小|"
    r"ログイン|ログアウト|log\s?in|log\s?out|sign\s?in|sign\s?up|会員登録|新規(?:会員)?登録|マイページ|"
    r"フォロー(?:する)?|follow(?:\s+us)?(?:\s+on\s+\w+)?|rss"
    r")$",
    re.I,
)
# Short lines that point elsewhere: "記事検索はこちらで→", "一覧はこちら", "詳しくはこちら >".
_LINK = re.compile(r"(?:こちら|コチラ)(?:で|から|へ|を)?\s*[→▶▷>≫»]?$|[→▶▷≫»]\s*$|^[→▶▷≫»]|^[<＜]\s*(?:前|戻る)")
_BREADCRUMB_SEP = re.compile(r"\s*(?:>|＞|›|»|≫)\s*")  # not "|" nor "/": navigation bars use those
_HOME_WORDS = {"ホーム", "トップ", "トップページ", "home", "top", "ホームページ"}
_BULLET = re.compile(r"^\s*[-•・*●○■□◆◇▶▸►]\s*\S")
_KEY_VALUE = re.compile(r"^[-•・*●○■□◆◇▶▸►]?\s*[^\s:：]{1,10}\s*[:：]\s*\S")
_SENTENCE_END = re.compile(r"[。．!?！？]\s*[」』）)]*$|\.\s*$")
_MENU_ITEM = re.compile(r"^[^\d。、,.!?！？:：()（）]{1,12}$")
_SENTENCE = re.compile(r".{15,}(?:[。．]|\.)\s*[」』）)]*$")


def clean(line: str) -> str:
    return normalize_inline(line)


def is_end_marker(line: str) -> bool:
    """A line after which nothing on the page is article text."""
    return bool(_END.match(clean(line)))


def breadcrumbs(line: str) -> list[str]:
    """The crumbs of a breadcrumb line (``ホーム > 防衛 > 日本の防衛``), [] if the line is not one."""
    text = clean(line)
    if len(text) > 120 or _SENTENCE_END.search(text):
        return []
    crumbs = [c for c in _BREADCRUMB_SEP.split(text) if c]
    if len(crumbs) < 2 or any(len(c) > 40 for c in crumbs[:-1]):
        return []
    return crumbs if crumbs[0].lower() in _HOME_WORDS or len(crumbs) >= 3 else []


def is_furniture(line: str) -> bool:
    """A line that is furniture wherever it stands (also every end marker and breadcrumb line)."""
    text = clean(line)
    if not text:
        return False
    if _LINE.match(text) or _END.match(text) or breadcrumbs(text):
        return True
    return len(text) <= 40 and not _SENTENCE_END.search(text) and bool(_LINK.search(text))


def is_link_text(line: str) -> bool:
    """A bullet line that reads as link text (a headline in a list), not as a point of an article."""
    text = clean(line)
    return bool(_BULLET.match(text)) and not _SENTENCE_END.search(text) and not _KEY_VALUE.match(text)


def is_menu_item(line: str) -> bool:
    text = clean(line)
    return bool(_MENU_ITEM.match(text)) and not _BULLET.match(text)


def _run(lines: list[str], i: int, test, length: int) -> bool:
    """Whether ``lines[i:]`` starts with ``length`` non-blank lines that all pass ``test``."""
    seen = 0
    for line in lines[i:]:
        if not line.strip():
            continue
        if not test(line):
            return False
        seen += 1
        if seen == length:
            return True
    return False


def _prose_after_list(lines: list[str], i: int) -> bool:
    """Whether article sentences follow the bullet list starting at ``i`` (then it is a list in the text)."""
    j = i
    while j < len(lines) and (not lines[j].strip() or _BULLET.match(clean(lines[j]))):
        j += 1
    for line in lines[j:]:
        if is_end_marker(line):
            return False
        if _SENTENCE.match(clean(line)) and not is_furniture(line):
            return True
    return False


def tail_start(lines: list[str]) -> int:
    """Index of the first line of the page's tail (end marker, link list or menu), or ``len(lines)``."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if is_end_marker(line):
            return i
        if is_link_text(line) and _run(lines, i, is_link_text, 3) and not _prose_after_list(lines, i):
            return i
        if is_menu_item(line) and _run(lines, i, lambda s: is_menu_item(s) or is_furniture(s), 4):
            return i
    return len(lines)


def body_lines(lines: list[str]) -> list[str]:
    """The article's lines: up to the tail, without furniture lines and blank lines (trimmed)."""
    return [ln.strip() for ln in lines[: tail_start(lines)] if ln.strip() and not is_furniture(ln)]
