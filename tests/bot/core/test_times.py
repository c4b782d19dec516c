"""Time helpers: `since`/`until` parsing and digest schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core.errors import InvalidInputError
from bot.core.times import parse_period, parse_schedule, parse_since, parse_until, zone
from index.errors import ConfigError

TOKYO = zone("Asia/Tokyo")
NOW = datetime(2025, 7, 25, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "delta"), [
    ("12h", timedelta(hours=12)), ("7d", timedelta(days=7)), ("2w", timedelta(weeks=2)),
    (" 3 days ", timedelta(days=3)), ("1W", timedelta(weeks=1)), ("48 hours", timedelta(hours=48)),
])
def test_since_durations(text, delta):
    assert parse_since(text, NOW, TOKYO) == NOW - delta


def test_a_future_since_only_where_it_is_allowed():
    with pytest.raises(InvalidInputError, match="in the future"):
        parse_since("2026-04-01", NOW, TOKYO)
    assert parse_since("2026-04-01", NOW, TOKYO, future=True) == datetime(2026, 4, 1, tzinfo=TOKYO)


def test_since_date_is_the_start_of_that_day_in_the_digest_zone():
    got = parse_since("2025-07-01", NOW, TOKYO)
    assert got == datetime(2025, 7, 1, tzinfo=TOKYO)
    assert got.astimezone(UTC) == datetime(2025, 6, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(("text", "needle"), [
    ("", "empty"), ("0d", "longer than zero"), ("400d", "366 days"), ("7x", "not understood"),
    ("2025-02-30", "not a valid date"), ("2025-08-01", "future"), ("yesterday", "12h, 7d or 2w"),
])
def test_since_errors_are_one_clear_line(text, needle):
    with pytest.raises(InvalidInputError) as err:
        parse_since(text, NOW, TOKYO)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_until_date_is_the_end_of_that_day():
    assert parse_until("2025-07-04", NOW, TOKYO) == datetime.combine(date(2025, 7, 4), time.max, tzinfo=TOKYO)
    assert parse_until("1d", NOW, TOKYO) == NOW - timedelta(days=1)
    with pytest.raises(InvalidInputError):
        parse_until("soon", NOW, TOKYO)


def test_a_period_is_both_options_or_either_or_none():
    assert parse_period(None, " ", NOW, TOKYO) == (None, None)
    assert parse_period("7d", None, NOW, TOKYO) == (NOW - timedelta(days=7), None)
    since, until = parse_period("2025-07-01", "2025-07-04", NOW, TOKYO)
    assert (since, until) == (datetime(2025, 7, 1, tzinfo=TOKYO), parse_until("2025-07-04", NOW, TOKYO))
    with pytest.raises(InvalidInputError, match="`since` is after `until`"):
        parse_period("2025-07-05", "2025-07-04", NOW, TOKYO)


def test_schedule_parsing():
    s = parse_schedule("mon 09:00", "Asia/Tokyo")
    assert s.days == {0} and s.at == time(9, 0)
    assert parse_schedule("mon,thu 08:30", "UTC").days == {0, 3}
    assert parse_schedule("weekdays 18:00", "UTC").days == {0, 1, 2, 3, 4}
    assert parse_schedule("07:15", "UTC").days == set(range(7))
    assert parse_schedule("", "UTC") is None
    for bad in ("mon", "funday 09:00", "mon 25:00", "mon 9am", "mon tue 09:00"):
        with pytest.raises(ConfigError):
            parse_schedule(bad, "UTC")


def test_next_fire_time_in_the_schedule_zone():
    s = parse_schedule("mon 09:00", "Asia/Tokyo")
    # Friday 25 July 2025 12:00 JST -> Monday 28 July 09:00 JST (00:00 UTC)
    assert s.next_after(NOW) == datetime(2025, 7, 28, 0, 0, tzinfo=UTC)
    slot = datetime(2025, 7, 28, 9, 0, tzinfo=TOKYO)
    assert s.next_after(slot) == slot + timedelta(days=7)  # strictly after
    assert s.next_after(slot - timedelta(seconds=1)) == slot
    assert s.last_at_or_before(NOW) == datetime(2025, 7, 21, 9, 0, tzinfo=TOKYO)
    assert s.last_at_or_before(slot) == slot
