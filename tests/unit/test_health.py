"""The doctor's verdicts over plain facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wms_tui.domain.health import (
    BalanceFacts,
    Finding,
    Level,
    OpenWork,
    backup_age,
    exit_code,
    hanging,
    migrations,
    stock_levels,
    verdict,
)

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def test_stock_levels_name_negative_and_unbacked_reservations() -> None:
    negative, reservations = stock_levels([
        BalanceFacts("1:2:::available", 5, 2, 2),
        BalanceFacts("1:3:::available", -1, 0, 0),
        BalanceFacts("1:4:::available", 3, 4, 4),
        BalanceFacts("1:5:::available", 9, 1, 0),
    ])
    assert negative.level == Level.FAIL
    assert negative.problems == ("balance 1:3:::available is -1",)
    assert reservations.problems == (
        "balance 1:4:::available has 4 reserved of 3",
        "balance 1:5:::available says 1 reserved, its reservations add up to 0",
    )
    ok_negative, ok_reservations = stock_levels([BalanceFacts("k", 5, 2, 2)])
    assert ok_negative.level == ok_reservations.level == Level.OK


def test_backup_age_warns_after_a_day_or_never() -> None:
    assert backup_age(None, NOW).level == Level.WARN
    assert backup_age(NOW - timedelta(hours=23), NOW).level == Level.OK
    old = backup_age(NOW - timedelta(hours=25), NOW)
    assert (old.level, old.summary) == (Level.WARN,
                                        "last backup 2026-11-25T11:00:00+00:00 (25.0 h ago)")


def test_hanging_work_older_than_the_limit_warns() -> None:
    work = [OpenWork("pick task 7", "OP1", NOW - timedelta(hours=5)),
            OpenWork("pick task 8", None, NOW - timedelta(hours=1))]
    found = hanging("stuck tasks", work, NOW, 4)
    assert found.level == Level.WARN
    assert found.problems == ("pick task 7 (OP1) since 2026-11-26T07:00+00:00",)
    assert hanging("stuck tasks", work, NOW, 6).level == Level.OK


def test_many_problems_are_summarised() -> None:
    found = verdict("ledger", [f"p{i}" for i in range(25)], "fine")
    assert found.summary == "25 problem(s)"
    assert len(found.problems) == 21
    assert found.problems[-1] == "… and 5 more"


def test_exit_code_fails_on_failures_and_on_warnings_only_when_strict() -> None:
    warn = [Finding("backup", Level.WARN, "never"), migrations("0006", "0006")]
    assert exit_code(warn) == 0
    assert exit_code(warn, strict=True) == 1
    assert exit_code([migrations("0004", "0006")]) == 1
