"""Report windows as an admin types them: a day is all of it, in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from wms_tui.domain.errors import BadInput
from wms_tui.domain.periods import day, moment, whole_days


def test_a_day_starts_at_utc_midnight_and_an_until_day_is_included() -> None:
    assert moment("2026-11-03", "--since") == datetime(2026, 11, 3, tzinfo=UTC)
    assert moment("2026-11-03", "--until", end=True) == datetime(2026, 11, 4, tzinfo=UTC)


def test_a_time_is_taken_as_written_and_utc_unless_it_names_its_zone() -> None:
    assert moment("2026-11-03T08:30", "--since") == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    plus_one = timezone(timedelta(hours=1))
    assert moment("2026-11-03T08:30+01:00", "--since") == datetime(2026, 11, 3, 8, 30,
                                                                  tzinfo=plus_one)
    assert moment(None, "--since") is None


def test_nonsense_is_refused_naming_the_option() -> None:
    with pytest.raises(BadInput, match="--since 'yesterday'"):
        moment("yesterday", "--since")
    with pytest.raises(BadInput, match="--ship-date '2026-13-01' is not a date"):
        day("2026-13-01", "--ship-date")
    assert day("2026-02-28", "--today") == date(2026, 2, 28)


def test_whole_days_default_to_the_last_n_up_to_today() -> None:
    today = date(2026, 11, 30)
    assert whole_days(None, None, 30, today) == (date(2026, 11, 1), today)
    assert whole_days("2026-11-10", "2026-11-12", 30, today) == (date(2026, 11, 10),
                                                                  date(2026, 11, 12))
    assert whole_days(None, "2026-11-12", 3, today) == (date(2026, 11, 10), date(2026, 11, 12))
    with pytest.raises(BadInput, match="--until is before --since"):
        whole_days("2026-11-12", "2026-11-10", 30, today)
