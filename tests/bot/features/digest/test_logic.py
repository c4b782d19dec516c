"""Digests: extractive summaries, grouping, the period of /digest and the scheduler."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.state import BotState
from bot.core.times import parse_schedule, zone
from bot.features.catalog import build_features
from bot.features.digest.logic import DigestEntry, DigestScheduler, build_digest, summarise
from index.models import Article, Event
from index.service import sentence_spans

from ...conftest import NOW, make_settings

TOKYO = zone("Asia/Tokyo")


def test_summaries_take_the_librarys_sentences_verbatim():
    ja = "防衛省は7月4日に発表した。大臣は「協力を進める。」と述べた！\n次の段落です。"
    first, second = (ja[s:e] for s, e in sentence_spans(ja)[:2])
    assert summarise(ja, max_chars=30, min_sentence=1) == first + second
    assert summarise(ja, max_chars=20, min_sentence=1) == first
    en = "They met on July 4 in Tokyo.\nThey agreed on joint drills."
    assert summarise(en, max_chars=200) == "They met on July 4 in Tokyo. They agreed on joint drills."


def test_summary_is_one_or_two_sentences_taken_verbatim():
    body = ("2025年7月4日\n防衛省は令和7年7月4日、国連事務次長が中谷防衛大臣を表敬したと発表した。"
            "両者は国連平和維持活動への協力について意見を交わした。\n\n三つ目の文は要約に入らない長い説明である。")
    s = summarise(body, max_chars=200)
    assert s == ("防衛省は令和7年7月4日、国連事務次長が中谷防衛大臣を表敬したと発表した。"
                 "両者は国連平和維持活動への協力について意見を交わした。")
    assert s in body.replace("\n", "")
    one = summarise(body, max_chars=60)
    assert one == "防衛省は令和7年7月4日、国連事務次長が中谷防衛大臣を表敬したと発表した。"
    cut = summarise("A" * 50 + ", " + "b" * 300, max_chars=100)
    assert cut.endswith("…") and len(cut) <= 100 and cut[:-1] in "A" * 50 + ", " + "b" * 300
    assert summarise("") == ""


def test_summaries_of_the_sample_corpus_come_from_the_articles(service):
    for a in service.searcher.articles.values():
        s = summarise(a.body, 280)
        assert 0 < len(s) <= 280
        for part in s.rstrip("…").split("。"):
            assert part.strip() in a.body


def _art(url, day, section, body="本文の一文目です。二文目です。"):
    return Article(url=url, title=f"t-{url}", published=datetime(2025, 7, day, 10, tzinfo=TOKYO), body=body,
                   section=section)


def test_digest_groups_by_section_newest_first_and_counts_omitted():
    arts = [_art("a", 1, "装備"), _art("b", 3, "人事"), _art("c", 5, "装備"), _art("d", 9, "装備"),
            _art("e", 4, ""), _art("f", 20, "人事")]
    since = datetime(2025, 7, 1, tzinfo=TOKYO)
    until = datetime(2025, 7, 10, tzinfo=TOKYO)
    d = build_digest(arts, since, until, tz="Asia/Tokyo")
    assert d.total == 5 and d.omitted == 0
    assert [(s, [e.url for e in es]) for s, es in d.groups] == [
        ("装備", ["d", "c", "a"]), ("人事", ["b"]), ("Other", ["e"])]
    assert d.groups[0][1][0].summary == "本文の一文目です。二文目です。"
    small = build_digest(arts, since, until, max_articles=2)
    assert small.total == 5 and small.omitted == 3 and sum(len(es) for _, es in small.groups) == 2
    assert build_digest(arts, until, until + timedelta(days=1)).empty


def test_digest_of_the_last_week(features):
    digester = features.digest
    since, until = digester.period("7d")
    assert until == NOW and since == NOW - timedelta(days=7)
    d = digester.digest(since, until)
    assert d.total > 0 and not d.empty
    assert all(since <= datetime.fromisoformat(e.published + "T23:59:59+09:00") for _, es in d.groups for e in es)
    assert digester.digest(*digester.period("12h")).empty
    only = digester.digest(*digester.period("2025-07-01"), section="人事")
    assert [s for s, _ in only.groups] == ["人事"]
    assert digester.period(None)[0] == NOW - timedelta(days=7)


def test_entries_carry_both_titles_and_the_language_chooses_which_leads():
    e = DigestEntry("中谷防衛大臣を表敬", "u", "2025-07-04", "国際協力", "要約。", "Courtesy call on Nakatani")
    assert e.titles("en") == ("Courtesy call on Nakatani", "中谷防衛大臣を表敬")
    assert e.titles("ja") == ("中谷防衛大臣を表敬", "Courtesy call on Nakatani")
    english = DigestEntry("ATLA tests a railgun", "u", "2025-07-24", "装備", "s", "ATLA tests a railgun")
    assert english.titles("en") == english.titles("ja") == ("ATLA tests a railgun", "")
    assert DigestEntry("表敬", "u", "d", "s", "s").titles("en") == ("表敬", "")  # no English title known


def test_build_digest_takes_english_titles_and_meetings():
    arts = [_art("a", 3, "装備"), _art("b", 4, "人事")]
    call = Event("courtesy_call", datetime(2025, 7, 4).date(), None, (), "", "", "s", "a", "t", "a:0")
    d = build_digest(arts, datetime(2025, 7, 1, tzinfo=TOKYO), datetime(2025, 7, 10, tzinfo=TOKYO),
                     title_en=lambda a: f"EN {a.url}", language="ja", meetings=[call])
    assert sorted(e.title_en for _, es in d.groups for e in es) == ["EN a", "EN b"]
    assert d.meetings == (call,) and d.language == "ja"


def test_digest_of_july_leads_with_english_titles_and_lists_meetings_and_visits(features, service, clock, tmp_path):
    digester = features.digest
    d = digester.digest(*digester.period("2025-07-01"))
    entries = [e for _, es in d.groups for e in es]
    khare = next(e for e in entries if "khare" in e.url)
    lead, other = khare.titles(d.language)
    assert d.language == "en" and "Khare" in lead and other.startswith("国連のカレ")
    assert all(e.title_en for e in entries)
    kinds = {e.type for e in d.meetings}
    assert kinds and kinds <= {"courtesy_call", "meeting", "phone_talk", "visit"}
    call = next(e for e in d.meetings if e.type == "courtesy_call" and "khare" in e.url)
    assert call.date.isoformat() == "2025-07-04"
    assert all(e.date and e.date.isoformat() >= "2025-07-01" for e in d.meetings)
    only = digester.digest(*digester.period("2025-07-01"), section="人事")
    assert only.meetings == ()  # personnel articles report no meetings
    ja = build_features(make_settings(tmp_path, digest_language="ja"), service, None, clock=clock).digest
    jd = ja.digest(*ja.period("2025-07-01"))
    khare = next(e for _, es in jd.groups for e in es if "khare" in e.url)
    assert jd.language == "ja" and khare.titles(jd.language)[0].startswith("国連のカレ")


def test_clock_is_injected(settings, service):
    later = datetime(2025, 8, 30, tzinfo=UTC)
    digester = build_features(settings, service, None, clock=lambda: later).digest
    assert digester.digest(*digester.period("7d")).empty


def test_a_period_can_end_before_now(features):
    since, until = features.digest.period("2025-07-20", until="2025-07-22")
    assert until == datetime(2025, 7, 22, 23, 59, 59, 999999, tzinfo=TOKYO)
    d = features.digest.digest(since, until)
    assert d.total and all("2025-07-20" <= e.published <= "2025-07-22" for _, es in d.groups for e in es)
    data = d.as_dict()
    assert data["total"] == d.total and data["heading"] == d.heading()
    assert [a["url"] for s in data["sections"] for a in s["articles"]] == [e.url for _, es in d.groups for e in es]


def test_an_empty_digest_says_when_the_newest_article_was_published(features):
    empty = features.digest.digest(*features.digest.period("12h"))
    assert empty.heading().endswith(". The newest indexed article was published on 2025-07-24.")
    personnel = features.digest.digest(*features.digest.period("12h"), section="人事")
    newest = max(a.published for a in features.service.articles_between(None, None, "人事"))
    assert personnel.heading().endswith(f"published on {newest.astimezone(TOKYO):%Y-%m-%d}.")
    assert build_digest([], NOW, NOW).heading() == (
        f"No new articles were published in {build_digest([], NOW, NOW).period_text()}.")


# --------------------------------------------------------------------------- the scheduler


class FakeClock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def _scheduler(state: BotState, clock: FakeClock, posts: list, fail: bool = False, claims: bool = False
               ) -> DigestScheduler:
    async def claim(expected, new):
        return state.claim_digest(42, expected, new)

    async def load():
        value = state.digest_last(42)
        await asyncio.sleep(0)  # (as a worker thread would: another task may run between the read and a claim)
        return value

    async def save(t):
        state.set_digest_last(42, t)

    async def post(since, until):
        if fail:
            raise RuntimeError("channel gone")
        posts.append((since, until))

    return DigestScheduler(parse_schedule("mon 09:00", "Asia/Tokyo"), load_last=load, save_last=save, post=post,
                           claim=claim if claims else None, clock=clock)


@pytest.mark.parametrize("claims", [False, True])
async def test_scheduler_posts_once_per_slot_across_restarts(tmp_path, claims):
    state = BotState(tmp_path / "s.sqlite")
    clock = FakeClock(NOW)  # Friday
    posts: list = []
    sched = _scheduler(state, clock, posts, claims=claims)
    monday = datetime(2025, 7, 28, 9, 0, tzinfo=TOKYO)
    assert await sched.tick() == monday and posts == []
    assert state.digest_last(42) == datetime(2025, 7, 21, 9, 0, tzinfo=TOKYO)  # baseline: the last slot
    clock.t = monday + timedelta(seconds=5)
    assert await sched.tick() == monday + timedelta(days=7)
    assert posts == [(datetime(2025, 7, 21, 9, 0, tzinfo=TOKYO), clock.t)]
    state.close()
    # restart a minute later: nothing is repeated
    state = BotState(tmp_path / "s.sqlite")
    clock.t = monday + timedelta(minutes=1)
    again = _scheduler(state, clock, posts, claims=claims)
    assert await again.tick() == monday + timedelta(days=7)
    assert len(posts) == 1
    # down over two Mondays: one catch-up digest covering the whole gap, then back on schedule
    clock.t = monday + timedelta(days=15)
    assert await again.tick() == monday + timedelta(days=21)
    assert len(posts) == 2 and posts[1][0] == posts[0][1] and posts[1][1] == clock.t
    assert await again.tick() == monday + timedelta(days=21) and len(posts) == 2
    state.close()


@pytest.mark.parametrize("claims", [False, True])
async def test_scheduler_does_not_record_a_failed_post(tmp_path, claims):
    state = BotState(tmp_path / "s.sqlite")
    clock = FakeClock(datetime(2025, 7, 28, 0, 30, tzinfo=UTC))  # Monday 09:30 JST
    state.set_digest_last(42, datetime(2025, 7, 21, 9, 0, tzinfo=TOKYO))
    posts: list = []
    failing = _scheduler(state, clock, posts, fail=True, claims=claims)
    wake = await failing.tick()
    assert wake == clock.t + failing.retry_after
    assert state.digest_last(42) == datetime(2025, 7, 21, 9, 0, tzinfo=TOKYO)  # (a claim is handed back)
    ok = _scheduler(state, clock, posts, claims=claims)
    await ok.tick()
    assert len(posts) == 1 and state.digest_last(42) == clock.t
    state.close()


async def test_two_processes_schedulers_post_a_slot_once(tmp_path):
    """Two bot processes (two states on one database file, two schedulers) reach the same slot together."""
    first, second = BotState(tmp_path / "s.sqlite"), BotState(tmp_path / "s.sqlite")
    clock = FakeClock(NOW)
    posts: list = []
    scheds = [_scheduler(first, clock, posts, claims=True), _scheduler(second, clock, posts, claims=True)]
    await asyncio.gather(*(s.tick() for s in scheds))  # both set the baseline
    clock.t = datetime(2025, 7, 28, 9, 0, 5, tzinfo=TOKYO)
    wakes = await asyncio.gather(*(s.tick() for s in scheds))
    assert len(posts) == 1 and sorted(s.posted for s in scheds) == [0, 1]
    assert sorted(s.lost_claims for s in scheds) == [0, 1]
    loser = scheds[[s.posted for s in scheds].index(0)]
    assert min(wakes) == clock.t and await loser.tick() == datetime(2025, 8, 4, 9, 0, tzinfo=TOKYO)
    assert len(posts) == 1
    first.close()
    second.close()


async def test_scheduler_run_sleeps_until_the_slot(tmp_path):
    state = BotState(tmp_path / "s.sqlite")
    clock = FakeClock(NOW)
    posts: list = []
    sched = _scheduler(state, clock, posts)
    slept: list[float] = []

    async def fake_sleep(seconds):
        slept.append(seconds)
        clock.t += timedelta(seconds=seconds)
        if len(posts) >= 2:
            raise KeyboardInterrupt  # stop the endless loop

    with pytest.raises(KeyboardInterrupt):
        await sched.run(fake_sleep)
    assert len(posts) == 2 and all(s <= sched.max_sleep for s in slept)
    assert posts[1][0] == posts[0][1]  # consecutive periods, no gap, no overlap
    state.close()
