"""A deterministic practice warehouse, built only through the domain services.

The same seed and day always give the same warehouse, so a trainer's printed exercise sheet
matches what every trainee sees. The marker row is what makes a database a practice one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, func, inspect
from sqlmodel import Session, col, select

from wms_tui.db import tables
from wms_tui.db.migrate import upgrade
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.demo.history import WEEKS as HISTORY_WEEKS
from wms_tui.demo.history import HistoryReport, Slot, post_history
from wms_tui.domain import counting, inbound, masterdata, outbound, stock, users
from wms_tui.domain.checkdigits import gs1_check_digit, make_sscc
from wms_tui.domain.errors import WmsError
from wms_tui.domain.model import Actor, Role

COMPANY_PREFIX = "0950110"
MARKER_KEY = "demo"
# Where the seed ended (last movement and count line ids): trainees' work comes after it.
SEEDED_KEY = "seeded"
TERMINAL = "DEMO"
# Enough totes for a wave of six orders picked in one trip.
TOTES = 6
# Login, name, role, PIN: shown on the demo login screen, so trainees need no hand-out.
DEMO_USERS: tuple[tuple[str, str, Role, str], ...] = (
    ("OP1", "Olga Operator", Role.OPERATOR, "1111"),
    ("SUP1", "Sam Supervisor", Role.SUPERVISOR, "2222"),
    ("ADM1", "Ada Admin", Role.ADMIN, "3333"),
)
NOUNS = ("Bolt", "Nut", "Washer", "Screw", "Hinge", "Bracket", "Cable", "Tape", "Glove",
         "Filter", "Valve", "Hose", "Clamp", "Lamp", "Fuse", "Battery", "Paint", "Glue",
         "Brush", "Sealant")
LOTTED_NOUNS = ("Milk", "Yoghurt", "Juice", "Coffee", "Tea", "Rice", "Flour", "Soup")
ADJECTIVES = ("Blue", "Red", "Small", "Large", "Steel", "Brass", "Heavy", "Light")


class NotADemoDatabase(WmsError):
    """The database has no demo marker: demo commands refuse to touch it."""


@dataclass(frozen=True)
class DemoItem:
    sku: str
    description: str
    gtin: str
    case_gtin: str
    case: int
    pallet: int
    lotted: bool
    abc: str


@dataclass(frozen=True)
class SeedReport:
    seed: int
    locations: int
    items: int
    asns: list[str]
    orders: list[str]
    wave_tasks: int
    count_tasks: int
    sscc: str
    history: HistoryReport


def gtin13(item_ref: int) -> str:
    body = COMPANY_PREFIX + f"{item_ref:05d}"
    return body + gs1_check_digit(body)


def gtin14(indicator: str, item_ref: int) -> str:
    body = indicator + COMPANY_PREFIX + f"{item_ref:05d}"
    return body + gs1_check_digit(body)


def demo_items(rng: random.Random, count: int = 100) -> list[DemoItem]:
    items = []
    for n in range(count):
        lotted = n % 5 == 0
        noun = LOTTED_NOUNS[n % len(LOTTED_NOUNS)] if lotted else NOUNS[n % len(NOUNS)]
        description = f"{rng.choice(ADJECTIVES)} {noun} {n + 1:03d}"
        case = rng.choice((6, 12, 24))
        ref = 30000 + n
        items.append(DemoItem(
            sku=f"SKU-{1001 + n}", description=description, gtin="0" + gtin13(ref),
            case_gtin=gtin14("1", ref), case=case, pallet=case * rng.choice((20, 40)),
            lotted=lotted, abc="A" if n < 15 else "B" if n < 40 else "C"))
    return items


def _csv(rows: list[dict[str, object]]) -> masterdata.CsvTable:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return masterdata.read_csv(out.getvalue().encode(), "demo")


def _checked(report: masterdata.ImportReport) -> masterdata.ImportReport:
    if not report.ok:
        raise RuntimeError("demo seed: " + "; ".join(report.errors[:5]))
    return report


def is_demo_database(engine: Engine) -> bool:
    """True only when the demo marker row is there (a production database has no such table)."""
    if not inspect(engine).has_table("demo_marker"):
        return False
    with Session(engine.execution_options(wms_readonly=True)) as session:
        return session.get(tables.DemoMarker, MARKER_KEY) is not None


def require_demo(engine: Engine) -> None:
    if not is_demo_database(engine):
        raise NotADemoDatabase("not a demo database (no demo marker): refusing to touch it")


def _locations(engine: Engine, kind: str, zone: str | None = None) -> list[tables.Location]:
    with Session(engine) as session:
        query = select(tables.Location).where(tables.Location.type == kind)
        if zone is not None:
            zone_row = session.exec(select(tables.Zone).where(tables.Zone.code == zone)).one()
            query = query.where(tables.Location.zone_id == zone_row.id)
        return list(session.exec(query.order_by(col(tables.Location.walk_seq))).all())


def _item_ids(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {row.sku: row.id for row in session.exec(select(tables.Item)).all()
                if row.id is not None}


def _unit_cost(n: int) -> str:
    """A spread of costs from 0.35 to 49.85 without drawing from the seed's random numbers."""
    return f"{(n * 3137) % 4951 / 100 + 0.35:.2f}"


def seed_demo(engine: Engine, seed: int = 1, today: date | None = None,
              progress: Callable[[str], None] | None = None,
              history_weeks: int = HISTORY_WEEKS) -> SeedReport:
    """Migrate an empty database and fill it with the practice warehouse; writes the marker."""
    rng = random.Random(seed)
    today = today or date.today()
    say = progress or (lambda _text: None)
    upgrade(engine)
    with Session(engine) as session:
        # The marker goes in before any data, so a half-seeded file is still a demo file.
        session.add(tables.DemoMarker(key=MARKER_KEY, value=f"seed={seed}"))
        session.commit()
    factory = uow_factory(engine)
    masterdata.ensure_default_warehouse(SqlUnitOfWork(engine))

    say("users")
    actors = {}
    for login, name, role, pin in DEMO_USERS:
        user = users.add_user(SqlUnitOfWork(engine), login, name, role.value, pin)
        assert user.id is not None
        actors[login] = Actor(user.id, login, role, TERMINAL)
    admin, supervisor = actors["ADM1"], actors["SUP1"]

    say("locations")
    _checked(masterdata.import_locations(factory, _csv([
        {"code": "DOCK-01", "type": "dock", "zone": "DOCK", "walk_seq": 0},
        {"code": "DOCK-02", "type": "dock", "zone": "DOCK", "walk_seq": 1},
        {"code": "QC-01", "type": "qc", "zone": "QC", "walk_seq": 2},
        {"code": "SHIP-01", "type": "staging", "zone": "SHIP", "walk_seq": 3},
    ])))
    _checked(masterdata.generate_locations(
        factory, zone="PICK", location_type="pick", aisles="P-Q", bays="1-25", levels="1-2",
        capacity=500))
    _checked(masterdata.generate_locations(
        factory, zone="RES", location_type="reserve", aisles="A-D", bays="1-10", levels="1-4",
        capacity=5000))
    # Totes wait by the shipping lane after the racks: one per order of a batch-picking trip.
    _checked(masterdata.import_locations(factory, _csv([
        {"code": f"TOTE-{n:02d}", "type": "staging", "zone": "SHIP", "walk_seq": 1000 + n}
        for n in range(1, TOTES + 1)
    ])))
    picks = _locations(engine, "pick")
    reserves = _locations(engine, "reserve")
    docks = _locations(engine, "dock")
    dock_id = docks[0].id
    assert dock_id is not None  # read back from the database

    say("items")
    items = demo_items(rng)
    rows: list[dict[str, object]] = []
    for n, item in enumerate(items):
        common = {"sku": item.sku, "description": item.description, "base_uom": "EA",
                  "lot_tracked": item.lotted, "expiry_tracked": item.lotted,
                  "abc_class": item.abc, "min_qty": item.case * 2, "max_qty": item.case * 8,
                  "zone": "RES", "unit_cost": _unit_cost(n)}
        rows.append({**common, "uom": "EA", "factor": 1, "gtin": item.gtin})
        rows.append({**common, "uom": "CS", "factor": item.case, "gtin": item.case_gtin})
        rows.append({**common, "uom": "PL", "factor": item.pallet, "gtin": ""})
    _checked(masterdata.import_items(factory, _csv(rows)))
    ids = _item_ids(engine)

    say("history")
    slots = []
    for n, item in enumerate(items):
        lot = expiry = None
        if item.lotted:
            lot = f"L{today:%y%m}{n:03d}"
            # Every fifth lotted item expires within a fortnight: FEFO and expiry exercises.
            days = rng.randint(3, 14) if n % 25 == 0 else rng.randint(60, 400)
            expiry = today + timedelta(days=days)
        face = picks[n % len(picks)]
        # Every seventh pick face is below its minimum, so replenishment has work.
        face_qty = item.case if n % 7 == 3 else item.case * rng.randint(3, 7)
        rack = reserves[(n * 7) % len(reserves)] if n % 3 != 2 else None
        rack_qty = item.case * rng.randint(10, 30) if rack is not None else 0
        assert face.id is not None and (rack is None or rack.id is not None)
        slots.append(Slot(
            item_id=ids[item.sku], sku=item.sku, case=item.case, pallet=item.pallet,
            min_qty=item.case * 2, max_qty=item.case * 8, abc=item.abc, face_id=face.id,
            face_code=face.code, face_qty=face_qty, rack_id=rack.id if rack else None,
            rack_qty=rack_qty, lot=lot, expiry=expiry,
            # A quarter of the slow movers have not sold for months: the dead-stock report.
            dead=item.abc == "C" and n % 4 == 2))
    # Weeks of work before today, ending on exactly this stock; its own randomness, so the
    # open work below is the same with or without it.
    history = post_history(engine, actors, slots, [d.id for d in docks if d.id is not None],
                           today, seed, history_weeks)

    # Goods already on the dock give putaway something to do at once: one pallet, one loose.
    for n, lpn in ((1, "LPN9000001"), (2, None)):
        item = items[n]
        stock.post(factory, admin, stock.Receive(
            ids[item.sku], item.case * 4, dock_id, "ASN-0999", lpn=lpn), key=f"demo-dock-{n}")

    say("inbound")
    sscc = make_sscc(COMPANY_PREFIX, 1000 + seed % 1000)
    plain = [item for item in items if not item.lotted]
    inbound_rows: list[dict[str, object]] = []
    asns = ["ASN-1001", "ASN-1002", "ASN-1003"]
    for a, ref in enumerate(asns):
        chosen = rng.sample(plain, 3)
        for line_no, item in enumerate(chosen, start=1):
            inbound_rows.append({
                "reference": ref, "supplier": f"Supplier {a + 1}",
                "expected_date": (today + timedelta(days=a)).isoformat(),
                "order_sscc": sscc if a == 2 else "", "line_no": line_no, "sku": item.sku,
                "quantity": rng.randint(2, 6) * item.case, "uom": "EA", "tolerance_pct": 10,
                "lot": "", "sscc": ""})
    lotted_item = next(item for item in items if item.lotted)
    inbound_rows.append({
        "reference": "ASN-1004", "supplier": "Dairy Co",
        "expected_date": today.isoformat(), "order_sscc": "", "line_no": 1,
        "sku": lotted_item.sku, "quantity": 4, "uom": "CS", "tolerance_pct": 0,
        "lot": f"L{today:%y%m}900", "sscc": ""})
    asns.append("ASN-1004")
    _checked(inbound.import_inbound_orders(factory, inbound_rows))

    say("outbound")
    outbound_rows: list[dict[str, object]] = []
    orders = [f"SO-{2001 + n}" for n in range(6)]
    for n, ref in enumerate(orders):
        for line_no, item in enumerate(rng.sample(plain, 2), start=1):
            outbound_rows.append({
                "reference": ref, "customer": f"Customer {n + 1}",
                "ship_date": today.isoformat(), "priority": 1 + n % 3, "line_no": line_no,
                "sku": item.sku, "quantity": rng.randint(1, 3), "uom": "EA"})
    _checked(outbound.import_outbound_orders(factory, outbound_rows))
    outbound.release_wave(factory, supervisor, refs=orders[:4], today=today)

    say("counts")
    count_tasks = 0
    for face in rng.sample(picks[: len(items)], 6):
        report = counting.request_count(factory, supervisor, location=face.code, due=today)
        count_tasks += len(report.created)
    _mark_seeded(engine)
    return SeedReport(seed=seed, locations=len(picks) + len(reserves) + 4, items=len(items),
                      asns=asns, orders=orders, wave_tasks=len(wave_task_ids(engine)),
                      count_tasks=count_tasks, sscc=sscc, history=history)


def _mark_seeded(engine: Engine) -> None:
    with Session(engine) as session:
        movement = session.exec(select(func.max(tables.Movement.id))).one() or 0
        line = session.exec(select(func.max(tables.CountLine.id))).one() or 0
        session.add(tables.DemoMarker(key=SEEDED_KEY,
                                      value=f"movement={movement} count_line={line}"))
        session.commit()


def seed_boundary(engine: Engine) -> tuple[int, int]:
    """The last movement and count line id the seed wrote; (0, 0) if it did not say."""
    with Session(engine.execution_options(wms_readonly=True)) as session:
        row = session.get(tables.DemoMarker, SEEDED_KEY)
    if row is None:
        return 0, 0
    fields = dict(part.split("=", 1) for part in row.value.split())
    return int(fields.get("movement", 0)), int(fields.get("count_line", 0))


def wave_task_ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return [t.id for t in session.exec(select(tables.Task)).all() if t.id is not None]


def fingerprint(engine: Engine) -> str:
    """A digest of what a trainee sees (codes, units, stock, orders, tasks), not of ids' timing."""
    digest = hashlib.sha256()
    with Session(engine) as session:
        for model, fields in (
            (tables.Location, ("code", "barcode", "check_digits", "type", "walk_seq")),
            (tables.Item, ("sku", "description", "lot_tracked", "min_qty", "max_qty")),
            (tables.ItemUom, ("item_id", "uom", "factor", "gtin")),
            (tables.Lot, ("item_id", "code", "expiry")),
            (tables.Balance, ("item_id", "location_id", "lot_id", "quantity", "reserved")),
            (tables.InboundOrder, ("reference", "sscc")),
            (tables.OutboundLine, ("order_id", "item_id", "quantity", "allocated")),
            (tables.Task, ("kind", "item_id", "from_location_id", "quantity", "seq")),
            (tables.CountTask, ("location_id", "status", "due")),
        ):
            for row in session.exec(select(model)).all():
                digest.update(repr(tuple(getattr(row, f, None) for f in fields)).encode())
    return digest.hexdigest()
