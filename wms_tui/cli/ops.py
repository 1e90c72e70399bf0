"""`wms config` and `wms doctor`: what the installation runs with, and whether it is healthy."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.common import AsJson, handles_errors, must_exist, open_site
from wms_tui.cli.output import print_json
from wms_tui.domain import health as checks
from wms_tui.domain.periods import zone_name
from wms_tui.domain.text import shown, shown_any

if TYPE_CHECKING:
    from wms_tui.bootstrap import Site


def _version(package: str) -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _settings(site: Site) -> dict[str, object]:
    from wms_tui.bootstrap import data_dir
    from wms_tui.db import health as health_db

    current, head = site.schema()
    server = health_db.server_settings(site.engine)
    versions = {"wms-tui": _version("wms-tui"), "python": platform.python_version(),
                "sqlalchemy": _version("sqlalchemy"), "textual": _version("textual"),
                server.server: server.version}
    return {
        "database_url": health_db.shown_url(site.engine),
        "dialect": site.engine.dialect.name,
        "data_dir": str(data_dir()),
        # The zone of every report day and "today" (WMS_TIMEZONE, else the machine's).
        "time_zone": zone_name(site.zone),
        "migrations": {"current": current, "head": head},
        "versions": versions,
        **server.pragmas,
    }


@handles_errors
def config(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The effective settings: database (password hidden), data dir, time zone (WMS_TIMEZONE),
    pragmas, schema, versions."""
    must_exist(ctx)
    settings = _settings(open_site(ctx, ready=False))
    if as_json:
        print_json(settings)
        return
    for key, value in settings.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        typer.echo(f"{key.replace('_', ' ')}: {shown_any(value)}")


def _findings(site: Site, now: datetime, stuck_hours: int,
              stale_hours: int) -> list[checks.Finding]:
    from wms_tui.bootstrap import data_dir
    from wms_tui.db import health as health_db
    from wms_tui.domain.stock import ledger_mismatches

    engine = site.engine
    probe = health_db.write_probe(engine)
    findings = checks.storage(probe)
    findings.append(checks.disk_space(health_db.disk_space(engine, data_dir())))
    if not checks.reachable(probe):
        # Nothing more can be read from a database out of reach.
        return findings
    findings.append(checks.verdict("integrity", health_db.integrity(engine), "ok"))
    current, head = site.schema()
    findings.append(checks.migrations(current, head))
    # The other checks read tables an older schema may not have.
    if current == head:
        with site.read_factory() as uow:
            mismatches = ledger_mismatches(uow)
        findings.append(checks.verdict("ledger", mismatches, "every balance equals its ledger sum"))
        findings += checks.stock_levels(health_db.balance_facts(engine))
        findings.append(checks.hanging("stuck tasks", health_db.tasks_in_progress(engine), now,
                                       stuck_hours))
        findings.append(checks.hanging("stale sessions", health_db.saved_sessions(engine), now,
                                       stale_hours))
    if health_db.sqlite_file(engine) is not None:
        findings.append(checks.backup_age(health_db.last_backup(data_dir(), engine), now))
    else:
        findings.append(checks.Finding("backup", checks.Level.OK,
                                       "pg_dump backups are not tracked by wms"))
    return findings


@handles_errors
def doctor(
    ctx: typer.Context,
    stuck_hours: Annotated[int, typer.Option(
        help="A task in progress longer than this is stuck.", min=1)] = checks.DEFAULT_STUCK_HOURS,
    stale_hours: Annotated[int, typer.Option(
        help="A saved RF session older than this is stale.", min=1)] = checks.DEFAULT_STALE_HOURS,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 1 on warnings too (old backup, stuck work).")] = False,
    as_json: AsJson = False,
) -> None:
    """Health check: reachable, writable, disk space, integrity, schema, balances = ledger,
    reservations, backups, stuck work.

    Free space under the database file and the data directory fails below 64 MiB and warns
    below 1 GiB or 5% of the disk. Exit 1 when a check fails (with --strict, when one warns);
    --json for monitoring.
    """
    from wms_tui.db import health as health_db

    must_exist(ctx)
    site = open_site(ctx, ready=False)
    now = datetime.now(UTC)
    findings = _findings(site, now, stuck_hours, stale_hours)
    code = checks.exit_code(findings, strict=strict)
    if as_json:
        levels = {f.level for f in findings}
        status = next((lv for lv in (checks.Level.FAIL, checks.Level.WARN) if lv in levels),
                      checks.Level.OK)
        print_json({"status": status.value, "exit_code": code,
                    "database": health_db.shown_url(site.engine), "checked_at": now,
                    "checks": [{"check": f.check, "level": f.level.value, "summary": f.summary,
                                "problems": list(f.problems)} for f in findings]})
    else:
        for f in findings:
            typer.echo(f"{f.level.value.upper():4}  {f.check}: {shown(f.summary)}")
            for problem in f.problems:
                typer.echo(f"        {shown(problem)}")
    raise typer.Exit(code)
