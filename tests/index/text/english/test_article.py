"""Answer lines and titles in English, and the property that they invent nothing: every name, figure,
place and date they hold is in the article (its text, the English it gives, a reading of one of its
words, or a vocabulary rendering of a term it uses). The answer lines of the article's events (what an event
question is answered with) are held to the same."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from index.models import Article
from index.search.events import answer_line as event_answer_line
from index.sources.formats import parse_jsonl_file
from index.text.chunking import ChunkerConfig, chunk_article
from index.text.dates.article import find_dates
from index.text.english import GLOSS, answer_en, english_for, is_english, title_en
from index.text.english.names import find_names
from index.text.english.numbers import figures
from index.text.english.romaji import is_kana, romanise_name
from index.text.english.vocab import default_vocab, surface_pattern
from index.text.events import extract_events

ROOT = Path(__file__).resolve().parents[4]
SAMPLE = ROOT / "bot" / "data" / "sample" / "articles.jsonl"
SHARED = Path("/work/shared/eval")
JST = timezone(timedelta(hours=9))
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def art(title: str, body: str, published: str = "2025-07-07T10:00:00+09:00") -> Article:
    return Article(url="https://example.jp/a", title=title, published=datetime.fromisoformat(published), body=body)


KHARE = art(
    "国連のカレ事務次長が来日 中谷防衛大臣を表敬(7月4日)",
    "アトゥル・カレ(Atul Khare)国連活動支援担当事務次長が来日した。令和7(2025)年7月3日(木)には東京都内で夕食会に"
    "出席し、翌4日(金)には東京・市ヶ谷の防衛省を訪れて中谷 元(なかたに・げん)防衛大臣を表敬した。",
)


def test_the_users_example_names_khare_and_4_july():
    passage = KHARE.body
    line = answer_en(passage, KHARE, {"who", "when"}, ["防衛省", "MOD"])
    assert "Khare" in line and "4 July 2025" in line and "courtesy call" in line
    assert "Nakatani Gen" in line and GLOSS not in line
    assert is_english(line)


def test_title_in_english_and_english_titles_kept():
    t = title_en(KHARE)
    assert is_english(t) and "Khare" in t and "courtesy call" in t and "4 July 2025" in t
    en = art("Japan and the Philippines sign RAA", "On July 8, 2024, Japan signed the agreement.")
    assert title_en(en) == en.title


def test_unknown_structure_is_a_marked_gloss_never_a_sentence():
    a = art("記事", "防衛省は、価値観を共有する国々との関係を深めるとともに、地域の平和に貢献する考えだ。")
    line = answer_en(a.body, a, set(), [])
    assert line.startswith(GLOSS) and "Ministry of Defense" in line


def test_negated_clause_is_not_turned_into_a_statement():
    a = art("記事", "実弾の発射は予定していない。")
    assert "launch" not in answer_en(a.body, a).lower() or answer_en(a.body, a).startswith(GLOSS)


def test_the_sentence_holding_the_answer_is_picked():
    a = art("P-3Cの活動状況", "統合幕僚監部は活動状況を公表した。同月の飛行回数は14回で、確認した商船は約1,090隻だった。")
    line = answer_en(a.body, a, {"count"}, ["飛行回数"])
    assert "14 times" in line and "1,090" in line


def test_english_passages_are_kept_as_they_are():
    a = art("Statistics", "The JASDF scrambled a total of 704 times during the year. Most were against Chinese aircraft.")
    assert answer_en(a.body, a, {"count"}, ["scramble"]) == "The JASDF scrambled a total of 704 times during the year."


def test_a_passage_not_in_the_article_gives_no_line():
    assert answer_en("別の記事の文。", KHARE) == ""


# ------------------------------------------------------------------ nothing invented, over whole corpora

_FUNCTION = set(
    ["The", "A", "An", "On", "In", "At", "Of", "To", "For", "With", "From", "By", "And", "Or", "As", "About", "Around", "Up", "Until", "Type", "Gloss", "FY"]
)


def _allowed_words(a: Article) -> set[str]:
    from sudachipy import Dictionary, SplitMode

    text = f"{a.title}\n{a.body}"
    words = set(re.findall(r"[A-Za-z][A-Za-z'\-.]*", text))
    names = find_names(text)
    for en in names.terms.values():
        words.update(re.findall(r"[A-Za-z][A-Za-z'\-.]*", en))
    for p in names.persons:
        words.update(re.findall(r"[A-Za-z][A-Za-z'\-.]*", f"{p.en} {p.rank_en} {p.role_en}"))
    vocab = default_vocab()
    for ja, e in vocab.entries.items():
        if re.search(surface_pattern(ja), text):
            words.update(re.findall(r"[A-Za-z][A-Za-z'\-.]*", e.en))
    for v in vocab.verbs.values():  # verbs name nobody: any of them may describe what the text says
        words.update(re.findall(r"[A-Za-z][A-Za-z'\-.]*", f"{v.past} {v.present}"))
    d = Dictionary(dict="core")
    tok = d.tokenizer() if hasattr(d, "tokenizer") else d.create()
    for mode in (SplitMode.C, SplitMode.A):
        for m in tok.tokenize(text, mode):
            if is_kana(m.reading_form()):
                words.update(romanise_name(m.reading_form()).split())
    for run in re.findall(r"[ぁ-ゖァ-ヺー・]+", text):
        words.update(romanise_name(run).split())
    parts = {p.strip(".'").lower() for w in words for p in w.split("-") if p}
    return parts | {m.lower() for m in MONTHS} | {w.lower() for w in _FUNCTION}


def _allowed_numbers(a: Article) -> set[str]:
    text = f"{a.title}\n{a.body}"
    nums = figures(text)
    for m in find_dates(a.body, a.published) + find_dates(a.title, a.published):
        for d in (m.span.first, m.span.last):
            nums.update({str(d.year), str(d.day), str(d.month)})
    return nums


def _check(a: Article) -> list[str]:
    ae = english_for(a)
    words, nums = _allowed_words(a), _allowed_numbers(a)
    events = extract_events(a, chunk_article(a, ChunkerConfig()), ae)
    problems = []
    for text in [ae.title_en, *(s.en for s in ae.sentences), *(event_answer_line(e) for e in events)]:
        for w in re.findall(r"(?<![A-Za-z])[A-Z][A-Za-z']+", text):
            if w.lower().strip("'") not in words and w.lower().removesuffix("'s") not in words:
                problems.append(f"{w!r} in {text!r}")
        for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text):
            digits = n.replace(",", "").rstrip(".")
            if digits not in nums and str(int(float(digits))) not in nums:
                problems.append(f"{n!r} in {text!r}")
    return problems


def _corpus(path: Path) -> list[Article]:
    return parse_jsonl_file(path).articles


def _check_corpus(arts: list[Article]) -> None:
    problems = [f"{a.url}: {p}" for a in arts for p in _check(a)]
    assert not problems, "\n".join(problems[:20])


def test_nothing_invented_in_the_bundled_corpus():
    _check_corpus(_corpus(SAMPLE))


@pytest.mark.parametrize("rel", ["dev/articles.jsonl", "dev-distractors/part-a.jsonl", "dev-distractors/part-b.jsonl"])
def test_nothing_invented_in_the_shared_corpora(rel):
    path = SHARED / rel
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    _check_corpus(_corpus(path))


def test_titles_of_the_bundled_corpus_are_english():
    arts = _corpus(SAMPLE)
    assert all(is_english(title_en(a)) and title_en(a) for a in arts)
