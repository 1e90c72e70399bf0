"""Preparing the practice database for `wms demo`, and the app options demo mode needs.

The practice database is its own SQLite file (demo.db in the data directory); every demo
command refuses a database without the demo marker or the production database's URL.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from wms_tui.bootstrap import data_dir, open_engine, resolve_database_url, sqlite_path
from wms_tui.demo.scanner import DemoCatalog
from wms_tui.demo.scenarios import SCENARIOS
from wms_tui.demo.seed import DEMO_USERS, NotADemoDatabase, is_demo_database, seed_demo

DEMO_FILE = "demo.db"
# No 0/O, 1/l/I: a class password is read off a projector and typed on handhelds.
PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def demo_url() -> str:
    return f"sqlite:///{data_dir() / DEMO_FILE}"


def _sqlite_file(url: str) -> Path | None:
    path = sqlite_path(url)
    return None if path is None else path.resolve()


def same_database(a: str, b: str) -> bool:
    """Two URLs naming one database: the same SQLite file, or the same server URL."""
    file_a, file_b = _sqlite_file(a), _sqlite_file(b)
    if file_a is not None or file_b is not None:
        return file_a == file_b
    return make_url(a).render_as_string(hide_password=False) == make_url(b).render_as_string(
        hide_password=False)


def prepare_demo(url: str | None = None, *, reset: bool = False, seed: int = 1,
                 today: date | None = None) -> tuple[str, bool]:
    """Create (or with reset recreate) and seed the practice database; (url, seeded now).

    Refuses the production database (the one `wms` uses without --database-url here) and any
    existing database without the demo marker: demo data never reaches real stock.
    """
    url = url or demo_url()
    production = resolve_database_url(None)
    if same_database(url, production):
        raise NotADemoDatabase("that is the production database: the demo never touches it")
    path = _sqlite_file(url)
    if path is None:
        raise NotADemoDatabase("the practice database must be a SQLite file")
    exists = path.exists()
    if exists:
        check = open_engine(url)
        try:
            if not is_demo_database(check):
                raise NotADemoDatabase(
                    f"{path} has no demo marker: refusing to reset or use it")
        finally:
            check.dispose()
    if exists and not reset:
        return url, False
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = open_engine(url, synchronous="NORMAL")
    try:
        seed_demo(engine, seed, today)
    finally:
        engine.dispose()
    return url, True


def class_password() -> str:
    """A fresh device password for one class (`wms demo --serve`), like k7pm-3xqa."""
    text = "".join(secrets.choice(PASSWORD_LETTERS) for _ in range(8))
    return f"{text[:4]}-{text[4:]}"


def demo_app_options(engine: Engine, scenario: str | None) -> dict[str, Any]:
    """RfApp keyword arguments for demo mode; refuses a database without the marker."""
    if not is_demo_database(engine):
        raise NotADemoDatabase("not a demo database (no demo marker): refusing to run demo mode")
    if scenario is not None and scenario not in SCENARIOS:
        raise ValueError(f"no scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
    flow = SCENARIOS.get(scenario) if scenario else None
    return {
        "training": True,
        "demo": DemoCatalog(engine),
        "login_facts": tuple(f"{login} PIN {pin}" for login, _name, _role, pin in DEMO_USERS),
        "scenario": flow or scenario,
    }
