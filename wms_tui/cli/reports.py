"""`wms report …` and `wms audit`: KPIs from the ledger and the counts, and who did what.

Windows are in the site's time zone (WMS_TIMEZONE): a day is the site's whole day, a time
without an offset is site time, and every title names the zone. JSON times stay UTC.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.choices import DEAD_DAYS, EXCEPTION_DAYS, IDLE_MINUTES, Period
from wms_tui.cli.common import AsCsv, AsJson, handles_errors, open_site
from wms_tui.cli.output import Row, console, emit, print_json, table
from wms_tui.domain.model import MovementKind
from wms_tui.domain.periods import day_end, moment, whole_days, zone_name

if TYPE_CHECKING:
    from wms_tui.domain.audit_trail import TrailEvent

report_app = typer.Typer(help="KPIs from the ledger and the counts (tables, --json, --csv).",
                         no_args_is_help=True)


Since = Annotated[str | None, typer.Option(
    help="From this day (YYYY-MM-DD) or ISO time, in the site's zone (WMS_TIMEZONE) unless "
         "the time names its own.", show_default=False)]
Until = Annotated[str | None, typer.Option(
    help="Up to and including this day, or before this ISO time (site time).",
    show_default=False)]


def _titled(title: str, zone: tzinfo) -> str:
    """A report's title, naming the zone its days and times are in."""
    return f"{title} ({zone_name(zone)})"


def _window(since: str | None, until: str | None,
            zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    return moment(since, "--since", zone=zone), moment(until, "--until", end=True, zone=zone)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _local(when: datetime | None, zone: tzinfo) -> str:
    """A ledger time as the site's clock shows it, for tables (JSON keeps UTC)."""
    return "" if when is None else f"{when.astimezone(zone):%Y-%m-%d %H:%M}"


@report_app.command("accuracy")
@handles_errors
def report_accuracy(
    ctx: typer.Context, since: Since = None, until: Until = None,
    period: Annotated[Period, typer.Option(help="Group by day, week or month.")] = Period.MONTH,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Inventory record accuracy: first counts that matched the book, by line, by units and by
    value (lines of items with a unit_cost only)."""
    from wms_tui.domain import reports as kpi

    site = open_site(ctx)
    start, end = _window(since, until, site.zone)
    with site.read_factory() as uow:
        lines = uow.reports.count_lines(start, end)
    report = kpi.record_accuracy(lines, kpi.Period(period.value), site.zone)
    figures = (*report.periods, report.overall)
    rows: list[Row] = [
        {"period": f.period, "lines": f.lines, "hits": f.hits,
         "line_accuracy": _num(f.line_accuracy, 4), "units_variance": f.units_variance,
         "units_basis": f.units_basis, "unit_accuracy": _num(f.unit_accuracy, 4),
         "costed_lines": f.costed_lines, "value_variance": _num(float(f.value_variance)),
         "value_basis": _num(float(f.value_basis)), "value_accuracy": _num(f.value_accuracy, 4)}
        for f in figures
    ]
    # The bases stay in --json/--csv, so the table fits 80 columns.
    shown = [[f.period, f.lines, f.hits, _share(_num(f.line_accuracy, 4)), f.units_variance,
              _share(_num(f.unit_accuracy, 4)), _num(float(f.value_variance)),
              _share(_num(f.value_accuracy, 4))] for f in figures]
    emit(_titled("Inventory record accuracy (first counts)", site.zone), rows,
         {"lines", "hits", "by line", "units off", "by units", "value off", "by value"},
         as_json, as_csv, {"zone": zone_name(site.zone)}, shown=shown,
         columns=["period", "lines", "hits", "by line", "units off", "by units", "value off",
                  "by value"])


@report_app.command("turnover")
@handles_errors
def report_turnover(
    ctx: typer.Context, since: Since = None, until: Until = None,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Units picked over average daily on hand (from the ledger); default the last 30 days."""
    from wms_tui.domain import reports as kpi

    site = open_site(ctx)
    first, last = whole_days(since, until, 30, site.today(), site.zone)
    with site.read_factory() as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(until=day_end(last, site.zone)))
    report = kpi.turnover(entries, first, last, site.zone)
    rows: list[Row] = [
        {"sku": ln.sku, "shipped": ln.shipped, "average_on_hand": _num(ln.average_on_hand),
         "turnover": _num(ln.turnover, 4)}
        for ln in (*report.items, report.overall)
    ]
    emit(_titled(f"Turnover {first} to {last}", site.zone), rows,
         {"shipped", "average_on_hand", "turnover"}, as_json, as_csv,
         {"first": first, "last": last, "days": report.days, "zone": zone_name(site.zone)})


@report_app.command("dead-stock")
@handles_errors
def report_dead_stock(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(
        help="On hand and not picked for this many days.", min=1)] = DEAD_DAYS,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Judge as of this day or time, site time (default now).",
        show_default=False)] = None,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Units on hand for N days (received or last moved in before them) of items not picked
    within them, and their share of all stock; goods that just arrived are never dead."""
    from wms_tui.domain import reports as kpi

    site = open_site(ctx)
    when = moment(as_of, "--as-of", zone=site.zone) or site.now()
    with site.read_factory() as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(kinds=frozenset({MovementKind.PICK})))
        stock = uow.reports.stock_ages()
    report = kpi.dead_stock(entries, stock, when, days)
    rows: list[Row] = [
        {"sku": d.sku, "on_hand": d.on_hand, "last_outbound": d.last_outbound,
         "arrived": d.arrived, "share": _num(d.share, 4)}
        for d in report.items
    ]
    shown = [[d.sku, d.on_hand, _local(d.last_outbound, site.zone) or "never",
              _local(d.arrived, site.zone) or "before the ledger", _share(_num(d.share, 4))]
             for d in report.items]
    emit(_titled(f"Dead stock: on hand, not picked, for {days} days", site.zone), rows,
         {"on_hand", "share"}, as_json, as_csv,
         {"days": days, "as_of": when, "dead_units": report.dead_units,
          "on_hand_units": report.on_hand_units, "share": _num(report.share, 4),
          "zone": zone_name(site.zone)},
         shown=shown, columns=["sku", "on_hand", "last pick", "arrived", "share"])


@report_app.command("productivity")
@handles_errors
def report_productivity(
    ctx: typer.Context, since: Since = None, until: Until = None,
    idle_minutes: Annotated[int, typer.Option(
        help="A longer gap between confirmations is a break.", min=1)] = IDLE_MINUTES,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Lines per hour per operator and flow (receive, putaway, pick, count, replenish, move,
    adjust, status), timed between consecutive lines; a count line is one location counted."""
    from wms_tui.domain import reports as kpi

    site = open_site(ctx)
    start, end = _window(since, until, site.zone)
    with site.read_factory() as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(since=start, until=end))
        counts = uow.reports.count_lines(start, end)
    rows: list[Row] = [
        {"user": p.user, "flow": p.flow.value, "lines": p.lines, "timed_lines": p.timed_lines,
         "hours": _num(p.hours, 3), "lines_per_hour": _num(p.lines_per_hour)}
        for p in kpi.productivity(entries, idle_minutes, counts)
    ]
    emit(_titled("Operator productivity", site.zone), rows,
         {"lines", "timed_lines", "hours", "lines_per_hour"}, as_json, as_csv,
         {"zone": zone_name(site.zone)})


@report_app.command("dock-to-stock")
@handles_errors
def report_dock_to_stock(
    ctx: typer.Context, since: Since = None, until: Until = None,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Hours from a receipt onto a dock until its last unit moved off it, per item."""
    from wms_tui.domain import reports as kpi

    site = open_site(ctx)
    start, end = _window(since, until, site.zone)
    with site.read_factory() as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(since=start))
    # Receipts in the period; what left the dock afterwards still closes them.
    report = kpi.dock_to_stock(
        e for e in entries if end is None or e.kind != MovementKind.RECEIVE or e.at < end)
    rows: list[Row] = [
        {"sku": f.sku, "receipts": f.receipts, "stocked": f.stocked,
         "median_hours": _num(f.median_hours), "average_hours": _num(f.average_hours),
         "max_hours": _num(f.max_hours)}
        for f in (*report.items, report.overall)
    ]
    waiting = [{"movement": r.movement_id, "sku": r.sku, "lpn": r.lpn, "quantity": r.quantity,
                "received_at": r.received_at} for r in report.receipts if r.stocked_at is None]
    emit(_titled("Dock to stock (hours)", site.zone), rows,
         {"receipts", "stocked", "median_hours", "average_hours", "max_hours"}, as_json, as_csv,
         {"still_on_dock": waiting if as_json else len(waiting), "zone": zone_name(site.zone)})


@report_app.command("exceptions")
@handles_errors
def report_exceptions(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(
        help="Short tasks, overrides and over-receipts of the last N days.",
        min=1)] = EXCEPTION_DAYS,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Open exceptions: short lines and tasks, putaway overrides, over-receipts (with the
    order's expected and received quantity of the item), counts waiting for approval, users
    locked out by wrong PINs (`at`: when the lock ends; empty: until `wms user unlock`)."""
    found = open_site(ctx).services.open_exceptions(days)
    rows: list[Row] = [
        {"kind": e.kind.value, "reference": e.reference, "sku": e.sku, "location": e.location,
         "quantity": e.quantity, "expected": e.expected, "received": e.received,
         "reason": e.reason, "user": e.user, "at": e.at}
        for e in found
    ]
    emit("Open exceptions", rows, {"quantity", "expected", "received"}, as_json, as_csv,
         {"open": len(rows)})


@report_app.command("low-stock")
@handles_errors
def report_low_stock(
    ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False
) -> None:
    """Pick faces holding less than the item's minimum (min_qty)."""
    from wms_tui.domain import reports as kpi

    with open_site(ctx).read_factory() as uow:
        faces = uow.reports.pick_faces()
    rows: list[Row] = [
        {"sku": ln.sku, "location": ln.location, "quantity": ln.quantity,
         "min_qty": ln.min_qty, "missing": ln.missing}
        for ln in kpi.low_stock(faces)
    ]
    emit("Low stock at pick faces", rows, {"quantity", "min_qty", "missing"}, as_json, as_csv)


def _trail_json(t: TrailEvent) -> Row:
    return {"time": t.at, "source": t.source, "event": t.event, "user": t.user, "sku": t.sku,
            "quantity": t.quantity, "from": t.from_location, "to": t.to_location,
            "reference": t.reference, "reason": t.reason, "terminal": t.terminal,
            "detail": t.detail}


@handles_errors
def audit(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help="Login.", show_default=False)] = None,
    item: Annotated[str | None, typer.Option(help="SKU.", show_default=False)] = None,
    location: Annotated[str | None, typer.Option(help="Location code.", show_default=False)] = None,
    since: Since = None, until: Until = None,
    limit: Annotated[int, typer.Option(help="Only the newest N; 0 for all.")] = 200,
    as_json: AsJson = False,
) -> None:
    """Who did what, when: the movement ledger and the log-in audit log, oldest first."""
    from wms_tui.domain import reports as kpi
    from wms_tui.domain.audit_trail import audit_trail

    site = open_site(ctx)
    start, end = _window(since, until, site.zone)
    where = kpi.LedgerFilter(since=start, until=end, user=user, sku=item, location=location)
    with site.read_factory() as uow:
        trail = audit_trail(uow.reports, where, limit)
    if as_json:
        print_json([_trail_json(t) for t in trail])
    elif not trail:
        typer.echo("nothing in the audit trail")
    else:
        shown = [[_local(t.at, site.zone), t.event, t.user, t.sku, t.quantity,
                  t.from_location, t.to_location, t.reference,
                  t.reason or " ".join(filter(None, (t.terminal, t.detail)))]
                 for t in trail]
        console().print(table(_titled("Audit trail", site.zone),
                              ["time", "event", "user", "sku", "qty", "from", "to",
                               "reference", "note"], shown, {"qty"}))
