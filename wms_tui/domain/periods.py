"""The days and times a person types for a report window, in the site's time zone.

A day is a whole site day: with the site in Asia/Shanghai, 2026-03-02 runs from 2026-03-01
16:00 UTC to 2026-03-02 16:00 UTC. The ledger keeps UTC; only the edges of days move.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from wms_tui.domain.errors import BadInput

DAY_LENGTH = len("YYYY-MM-DD")


def zone_name(zone: tzinfo) -> str:
    """An IANA name such as Asia/Shanghai where the zone has one, else its own name (UTC+08:00)."""
    return getattr(zone, "key", None) or str(zone)


def site_day(moment: datetime, zone: tzinfo = UTC) -> date:
    """The site's calendar day at an aware moment."""
    return moment.astimezone(zone).date()


def day_start(day: date, zone: tzinfo = UTC) -> datetime:
    """The first moment of a site day (aware, so it compares with the ledger's UTC times)."""
    return datetime.combine(day, time(), tzinfo=zone)


def day_end(day: date, zone: tzinfo = UTC) -> datetime:
    """The moment after a site day: the next day's start, so a 23- or 25-hour day is whole."""
    return day_start(day + timedelta(days=1), zone)


def day(value: str, option: str) -> date:
    """A date written YYYY-MM-DD; option names what was typed in the refusal."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not a date written YYYY-MM-DD") from None


def moment(value: str | None, option: str, *, end: bool = False,
           zone: tzinfo = UTC) -> datetime | None:
    """A day means its whole site day (with end, the moment after it, so an --until day is
    included); a time is taken as written, in the site's zone unless it names its own."""
    if value is None:
        return None
    try:
        if len(value) == DAY_LENGTH:
            written_day = date.fromisoformat(value)
            return day_end(written_day, zone) if end else day_start(written_day, zone)
        written = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not a day (YYYY-MM-DD) or an ISO time") from None
    return written if written.tzinfo is not None else written.replace(tzinfo=zone)


def whole_days(since: str | None, until: str | None, default_days: int,
               today: date, zone: tzinfo = UTC) -> tuple[date, date]:
    """The first and last whole site days of a window; without since, the default_days up to
    until (or today)."""
    end = moment(until, "--until", end=True, zone=zone)
    last = site_day(end - timedelta(microseconds=1), zone) if end else today
    start = moment(since, "--since", zone=zone)
    first = site_day(start, zone) if start else last - timedelta(days=default_days - 1)
    if last < first:
        raise BadInput("--until is before --since")
    return first, last
