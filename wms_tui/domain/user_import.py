"""Importing users from a CSV or JSON file, upserting by user ID (docs/import-formats.md).

Each row is one user. An empty cell or a left-out column keeps an existing user's value
(a user is changed, never blanked) and gives a new user the default: the user ID as the
name, operator, English, active. A PIN in a file is a secret at rest, so the pin column is
needed only for new users; a PIN equal to the stored one changes nothing, another one is
set and unlocks the account as `wms user reset-pin` does. PINs never appear in messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from wms_tui.domain.import_files import CsvRow, CsvTable, show
from wms_tui.domain.importing import Cells, ImportKind, ImportReport, ImportRun
from wms_tui.domain.model import Role
from wms_tui.domain.ports import UnitOfWork, UserRecord
from wms_tui.domain.users import LANGUAGES, LOGIN_PATTERN, PIN_PATTERN, hash_pin, verify_pin

USER_REQUIRED = ("login",)
USER_OPTIONAL = ("name", "role", "language", "active", "pin")
MAX_NAME = 80


@dataclass(frozen=True)
class UserSpec:
    """A user as it is or should be; new_pin says the PIN is to be set."""

    login: str
    name: str
    role: str
    language: str
    active: bool
    new_pin: bool = False


@dataclass(frozen=True)
class _UserPlan:
    record: UserRecord | None
    before: UserSpec | None
    wanted: UserSpec
    pin: str | None


def _role(cells: Cells) -> str | None:
    text = cells.text("role", max_length=20)
    if text is None:
        return None
    try:
        return Role(text.lower()).value
    except ValueError:
        cells.fail("role", f"{show(text)} must be operator, supervisor or admin")
        return None


def _language(cells: Cells) -> str | None:
    text = cells.text("language", max_length=20)
    if text is None:
        return None
    known = {code.lower(): code for code in LANGUAGES}
    language = known.get(text.lower())
    if language is None:
        cells.fail("language", f"{show(text)} must be one of {', '.join(LANGUAGES)}")
    return language


def _pin(cells: Cells) -> str | None:
    value = cells.raw("pin")
    if not value:
        return None
    if not PIN_PATTERN.fullmatch(value):
        # Never echo the cell: it may be someone's real PIN with a typo.
        cells.fail("pin", "must be 4 to 8 digits")
        return None
    return value


class _UserRun(ImportRun[_UserPlan]):
    """Users by user ID: each row is one document."""

    def __init__(self, uow: UnitOfWork, table: CsvTable, errors: list[str]) -> None:
        super().__init__(uow, table, errors)
        self.logins: dict[str, int] = {}
        self.planned: list[tuple[str, _UserPlan]] = []
        self.pins_set = 0

    def check(self, row: CsvRow) -> None:
        cells = Cells(row, self.errors)
        before = len(self.errors)
        login = cells.text(
            "login", max_length=20, required=True, pattern=LOGIN_PATTERN, upper=True,
            hint="may only hold letters, digits, '.', '_' and '-'",
        )
        name = cells.text("name", max_length=MAX_NAME)
        role, language = _role(cells), _language(cells)
        active = cells.flag("active") if cells.raw("active") else None
        pin = _pin(cells)
        if login is None:
            return
        other = self.logins.setdefault(login, row.number)
        if other != row.number:
            cells.fail("login", f"{login} is also on row {other}")
            return
        record = self.uow.users.by_login(login)
        if record is None and pin is None and "pin" not in cells.bad:
            cells.fail("pin", "a new user needs a PIN of 4 to 8 digits")
        if len(self.errors) > before:
            return
        stored = None if record is None else UserSpec(
            record.login, record.name, record.role, record.language, record.active)
        base = stored or UserSpec(login, login, Role.OPERATOR.value, LANGUAGES[0], True)
        wanted = UserSpec(
            login, name or base.name, role or base.role, language or base.language,
            base.active if active is None else active,
            new_pin=pin is not None and (record is None or not verify_pin(pin, record.pin_hash)),
        )
        self.planned.append((login, _UserPlan(record, stored, wanted, pin)))

    def plans(self) -> list[tuple[str, _UserPlan]]:
        return self.planned

    def write(self, plan: _UserPlan, report: ImportReport, dry_run: bool) -> None:
        wanted = plan.wanted
        if not report.count(plan.before, wanted):
            return
        if wanted.new_pin:
            self.pins_set += 1
        if dry_run:
            return
        record = plan.record
        if record is None:
            assert plan.pin is not None
            record = self.uow.users.add(
                wanted.login, wanted.name, wanted.role, hash_pin(plan.pin), wanted.language)
        else:
            record.name, record.role, record.language = wanted.name, wanted.role, wanted.language
            if wanted.new_pin and plan.pin is not None:
                record.pin_hash = hash_pin(plan.pin)
                record.failed_attempts = 0
        record.active = wanted.active

    def finish(self, report: ImportReport) -> None:
        if self.pins_set:
            verb = "to set" if report.dry_run else "set"
            report.notes.append(
                f"{self.pins_set} PIN(s) {verb} from the file: it holds PINs in clear text, "
                "so delete it or keep it as safe as the PINs themselves"
            )


# Upserts users by user ID (docs/import-formats.md): import_users(uow_factory, table).
import_users = ImportKind("users", "user", "login", USER_REQUIRED, USER_OPTIONAL, _UserRun)

