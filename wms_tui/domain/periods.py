"""The days and times a person types for a report window: a day is all of it, in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from wms_tui.domain.errors import BadInput

DAY_LENGTH = len("YYYY-MM-DD")


def day(value: str, option: str) -> date:
    """A date written YYYY-MM-DD; option names what was typed in the refusal."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not a date written YYYY-MM-DD") from None


def moment(value: str | None, option: str, *, end: bool = False) -> datetime | None:
    """A day means its whole UTC day (with end, the moment after it, so an --until day is
    included); a time is taken as written, in UTC unless it names its zone."""
    if value is None:
        return None
    try:
        if len(value) == DAY_LENGTH:
            start = datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        written = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not a day (YYYY-MM-DD) or an ISO time") from None
    return written if written.tzinfo is not None else written.replace(tzinfo=UTC)


def whole_days(since: str | None, until: str | None, default_days: int,
               today: date) -> tuple[date, date]:
    """The first and last whole UTC days of a window; without since, the default_days up to
    until (or today)."""
    end = moment(until, "--until", end=True)
    last = (end - timedelta(days=1)).date() if end else today
    start = moment(since, "--since")
    first = start.date() if start else last - timedelta(days=default_days - 1)
    if last < first:
        raise BadInput("--until is before --since")
    return first, last
