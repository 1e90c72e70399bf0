"""The pick, count and tour scenarios at 16x20, done with the virtual scanner (F6 + a digit),
Enter and number keys only; and the scanner itself, step by step, over the practice warehouse.

Tasks are looked up in the practice database, never assumed by id, so the tests hold however
the seed numbers its work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from textual.pilot import Pilot

from tests.tui.demo_helpers import SIZE, demo_app, header, scan_with_f6
from tests.tui.helpers import keys, login, run, screen_text, screen_words
from wms_tui.db import tables
from wms_tui.db.uow import uow_factory
from wms_tui.demo.scanner import WRONG_CODE, DemoCatalog, suggestions
from wms_tui.demo.scenarios import HINTS, hint
from wms_tui.domain.flows.base import AnyFlow, Tone, no_translation
from wms_tui.domain.flows.registry import FlowSpec, allowed_flows, default_flows, find_flow
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import ledger_mismatches
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.modals import HelpModal
from wms_tui.screens.scanner import ScannerModal
from wms_tui.screens.step import FlowScreen

OPEN_TASK = ("open", "in_progress")


@dataclass(frozen=True)
class PickLine:
    """One pick task as the database has it."""

    task_id: int
    item_id: int
    location_id: int
    location: str
    quantity: int
    order: str


def user_id(engine: Engine, login: str) -> int:
    with Session(engine) as s:
        user = s.exec(select(tables.User).where(tables.User.login == login)).one()
        assert user.id is not None
        return user.id


def actor(engine: Engine, login: str, role: Role) -> Actor:
    return Actor(user_id(engine, login), login, role, "RF01")


def claimed_pick(engine: Engine, login: str) -> PickLine | None:
    """The pick task the operator is working on (the app claims it on Enter)."""
    with Session(engine) as s:
        row = s.exec(
            select(tables.Task, tables.Location, tables.OutboundOrder)
            .join(tables.Location, col(tables.Location.id) == tables.Task.from_location_id)
            .join(tables.OutboundLine,
                  col(tables.OutboundLine.id) == tables.Task.order_line_id)
            .join(tables.OutboundOrder,
                  col(tables.OutboundOrder.id) == tables.OutboundLine.order_id)
            .where(tables.Task.kind == "pick")
            .where(tables.Task.assigned_to == user_id(engine, login))
            .where(col(tables.Task.status).in_(OPEN_TASK))).first()
        if row is None:
            return None
        task, loc, order = row
        assert task.id is not None and loc.id is not None
        return PickLine(task.id, task.item_id, loc.id, loc.code,
                        task.quantity - task.done_quantity, order.reference)


def on_hand(engine: Engine, item_id: int, location_id: int) -> int:
    with Session(engine) as s:
        total = s.exec(select(func.coalesce(func.sum(tables.Balance.quantity), 0))
                       .where(tables.Balance.item_id == item_id)
                       .where(tables.Balance.location_id == location_id)).one()
        return int(total)


def staged(engine: Engine, item_id: int) -> int:
    """Units of the item on staging locations (totes)."""
    with Session(engine) as s:
        total = s.exec(select(func.coalesce(func.sum(tables.Balance.quantity), 0))
                       .join(tables.Location,
                             col(tables.Location.id) == tables.Balance.location_id)
                       .where(tables.Location.type == "staging")
                       .where(tables.Balance.item_id == item_id)).one()
        return int(total)


def movement_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(tables.Movement)).one())


def order_status(engine: Engine, reference: str) -> str:
    with Session(engine) as s:
        order = s.exec(select(tables.OutboundOrder)
                       .where(tables.OutboundOrder.reference == reference)).one()
        return order.status


def stock_lines(engine: Engine, location_id: int) -> list[tuple[str, str | None, int]]:
    """(SKU, lot, book quantity) of everything at a location: what a counter would find."""
    with Session(engine) as s:
        rows = s.exec(select(tables.Item.sku, tables.Lot.code,
                             func.sum(tables.Balance.quantity))
                      .join(tables.Item, col(tables.Item.id) == tables.Balance.item_id)
                      .outerjoin(tables.Lot, col(tables.Lot.id) == tables.Balance.lot_id)
                      .where(tables.Balance.location_id == location_id)
                      .where(tables.Balance.quantity > 0)
                      .group_by(tables.Item.sku, tables.Lot.code)
                      .order_by(tables.Item.sku)).all()
        return [(sku, lot, int(qty)) for sku, lot, qty in rows]


def count_task(engine: Engine, task_id: int) -> tables.CountTask:
    with Session(engine) as s:
        task = s.get(tables.CountTask, task_id)
        assert task is not None
        return task


def count_lines(engine: Engine, task_id: int) -> list[tables.CountLine]:
    with Session(engine) as s:
        return list(s.exec(select(tables.CountLine)
                           .where(tables.CountLine.count_task_id == task_id)
                           .order_by(col(tables.CountLine.attempt),
                                     col(tables.CountLine.item_id))).all())


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.step.name


async def wrong_scan(pilot: Pilot[Any]) -> None:
    """F6 and the last entry, the code every step refuses."""
    await keys(pilot, "f6")
    modal = pilot.app.screen
    assert isinstance(modal, ScannerModal)
    assert modal.codes[-1][1] == WRONG_CODE
    await keys(pilot, str(len(modal.codes)), "enter")


async def key_number(pilot: Pilot[Any], number: int) -> None:
    """A quantity keyed digit by digit, then Enter."""
    await keys(pilot, *str(number), "enter")


# Pick.


async def pick_line(pilot: Pilot[Any], engine: Engine, line: PickLine, first: bool) -> None:
    """One task from its location to the tote: F6 for every scan, Enter for the quantity."""
    app = pilot.app
    assert step_name(app) == "loc"
    assert line.location in screen_words(app)
    await scan_with_f6(pilot, "Loc")
    assert step_name(app) == "item"
    assert "F6: scan the item" in screen_words(app)
    await scan_with_f6(pilot, "GTIN")
    if step_name(app) == "lot":
        await scan_with_f6(pilot, "Lot")
    assert step_name(app) == "qty"
    assert "Enter: the whole qty" in screen_words(app)
    await keys(pilot, "enter")
    assert step_name(app) == "drop"
    assert "F6: scan a tote" in screen_words(app)
    # The first line of an order takes a tote; later lines keep it with Enter.
    await scan_with_f6(pilot, "Tote" if first else "Enter =")
    assert "* Picked" in screen_text(app)


def test_pick_scenario_with_only_the_virtual_scanner(demo_engine: Engine) -> None:
    app = demo_app(demo_engine, "pick")
    done: list[tuple[PickLine, int, int]] = []

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        assert step_name(pilot.app) == "start"
        assert "Enter: next task" in screen_words(pilot.app)
        await keys(pilot, "enter")
        line = claimed_pick(demo_engine, "OP1")
        assert line is not None
        order = line.order
        assert "F6: scan the loc" in screen_words(pilot.app)
        # A wrong code from F6 is refused like any bad scan and posts nothing.
        before = movement_count(demo_engine)
        await wrong_scan(pilot)
        assert step_name(pilot.app) == "loc"
        assert "! Scan a location" in screen_text(pilot.app)
        assert movement_count(demo_engine) == before
        while line is not None and line.order == order:
            face, tote = on_hand(demo_engine, line.item_id, line.location_id), staged(
                demo_engine, line.item_id)
            await pick_line(pilot, demo_engine, line, first=not done)
            done.append((line, face, tote))
            line = claimed_pick(demo_engine, "OP1")
        assert header(pilot.app).endswith("TRAINING")

    run(app, SIZE, script)
    assert len(done) >= 2, "the first order of the wave has two lines to pick"
    for line, face, tote in done:
        assert on_hand(demo_engine, line.item_id, line.location_id) == face - line.quantity
        assert staged(demo_engine, line.item_id) == tote + line.quantity
    assert order_status(demo_engine, done[0][0].order) == "picked"
    with uow_factory(demo_engine)() as uow:
        assert ledger_mismatches(uow) == []


# Count.


async def count_location(pilot: Pilot[Any], lines: list[tuple[str, str | None, int]],
                         extra: int = 0) -> None:
    """At the item step: F6 each item (and lot), key its quantity (the first one plus extra)."""
    app = pilot.app
    for n, (sku, lot, qty) in enumerate(lines):
        assert step_name(app) == "item"
        assert "F6: item; Enter=done" in screen_words(app) or n > 0
        await scan_with_f6(pilot, sku)
        if step_name(app) == "lot":
            assert lot is not None
            await scan_with_f6(pilot, lot)
        assert step_name(app) == "qty"
        assert "Key what you count" in screen_words(app)
        # Blind: the book quantity is nowhere on the screen the counter sees.
        assert f": {qty}" not in screen_text(app)
        await key_number(pilot, qty + (extra if n == 0 else 0))
        assert "* Counted" in screen_text(app)
    # Enter on "Enter=done" sends the count at once.
    await keys(pilot, "enter")


def test_count_scenario_blind_with_the_virtual_scanner(demo_engine: Engine) -> None:
    app = demo_app(demo_engine, "count")
    backend = RfBackend(uow_factory(demo_engine))
    task = backend.count_tasks(actor(demo_engine, "OP1", Role.OPERATOR))[0]
    lines = stock_lines(demo_engine, task.location_id)
    assert lines, "a seeded count task is on a stocked pick face"

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        assert step_name(pilot.app) == "task"
        assert "Enter: next task" in screen_words(pilot.app)
        await keys(pilot, "enter")
        assert step_name(pilot.app) == "loc"
        assert task.location in screen_words(pilot.app)
        await scan_with_f6(pilot, "Loc")
        await count_location(pilot, lines)
        assert "* Count posted" in screen_text(pilot.app)
        assert step_name(pilot.app) == "task"

    run(app, SIZE, script)
    assert count_task(demo_engine, task.id).status == "done"
    recorded = count_lines(demo_engine, task.id)
    assert sorted(ln.counted for ln in recorded) == sorted(qty for _s, _l, qty in lines)
    assert all(ln.counted == ln.expected for ln in recorded)
    with uow_factory(demo_engine)() as uow:
        assert ledger_mismatches(uow) == []


def test_count_variance_is_recounted_then_sent_for_approval(demo_engine: Engine) -> None:
    """Ten more than the book: a recount by someone else, and the same ten go to a supervisor."""
    app = demo_app(demo_engine, "count")
    backend = RfBackend(uow_factory(demo_engine))
    task = backend.count_tasks(actor(demo_engine, "OP1", Role.OPERATOR))[0]
    lines = stock_lines(demo_engine, task.location_id)
    before = movement_count(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        await scan_with_f6(pilot, task.location)
        await count_location(pilot, lines, extra=10)
        assert "* Recount needed" in screen_text(pilot.app)
        assert count_task(demo_engine, task.id).status == "recount"
        # The recount needs another operator: the supervisor logs in on the same terminal.
        await keys(pilot, "escape")
        assert isinstance(pilot.app.screen, MenuScreen)
        await keys(pilot, "0")
        await login(pilot, "SUP1", "2222")
        assert step_name(pilot.app) == "task"
        await keys(pilot, "enter")
        assert task.location in screen_words(pilot.app)
        await scan_with_f6(pilot, "Digits")
        await count_location(pilot, lines, extra=10)
        assert "* Sent for approval" in screen_text(pilot.app)

    run(app, SIZE, script)
    assert count_task(demo_engine, task.id).status == "pending_approval"
    assert [p.task.id for p in backend.pending_approvals()] == [task.id]
    # Both counts are kept: the first and the recount.
    assert len({ln.attempt for ln in count_lines(demo_engine, task.id)}) == 2
    # Nothing is adjusted until a supervisor approves.
    assert movement_count(demo_engine) == before


# Tour.


def test_tour_opens_every_flow_with_training_hint_help_and_scanner(demo_engine: Engine) -> None:
    app = demo_app(demo_engine, "tour")
    flows = [spec for spec in default_flows() if spec.factory is not None]
    specs = allowed_flows(Role.OPERATOR, flows)
    # Step flows only a supervisor sees (QC release) are toured as SUP1.
    supervised = [spec for spec in flows if spec not in specs]
    screens = [spec for spec in default_flows() if spec.factory is None]
    seen: list[str] = []

    async def tour(pilot: Pilot[Any], specs: list[FlowSpec]) -> None:
        for spec in specs:
            await keys(pilot, spec.key)
            screen = pilot.app.screen
            assert isinstance(screen, FlowScreen), spec.name
            assert header(pilot.app).endswith("TRAINING"), spec.name
            assert hint(screen.flow) in screen_words(pilot.app), spec.name
            await keys(pilot, "f1")
            assert isinstance(pilot.app.screen, HelpModal), spec.name
            assert header(pilot.app).endswith("TRAINING"), spec.name
            await keys(pilot, "space")
            await keys(pilot, "f6")
            assert isinstance(pilot.app.screen, ScannerModal), spec.name
            assert header(pilot.app).endswith("TRAINING"), spec.name
            await keys(pilot, "escape")
            # The same app as pilot.app, whose .screen mypy keeps narrowed across the awaits.
            assert app.screen is screen
            await keys(pilot, "f3" if len(seen) % 2 else "escape")
            assert isinstance(pilot.app.screen, MenuScreen), spec.name
            seen.append(spec.name)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        # The tour starts at the menu.
        assert isinstance(pilot.app.screen, MenuScreen)
        assert header(pilot.app).endswith("TRAINING")
        await tour(pilot, specs)
        # The supervisor's own flows and screens are marked TRAINING too.
        await keys(pilot, "0")
        await login(pilot, "SUP1", "2222")
        await tour(pilot, supervised)
        # The dashboard and supervisor's desk are 24x80 screens: a handheld's menu has none,
        # and growing the terminal brings them onto the menu.
        for spec in screens:
            assert f"{spec.key} {spec.title}" not in screen_words(pilot.app), spec.name
        await pilot.resize_terminal(80, 24)
        await keys(pilot)
        for spec in screens:
            assert f"{spec.key} {spec.title}" in screen_words(pilot.app), spec.name
            await keys(pilot, spec.key)
            assert not isinstance(pilot.app.screen, MenuScreen), spec.name
            assert header(pilot.app).endswith("TRAINING"), spec.name
            await keys(pilot, "escape")
            assert isinstance(pilot.app.screen, MenuScreen), spec.name
            seen.append(spec.name)

    run(app, SIZE, script)
    assert seen == [spec.name for spec in (*specs, *supervised, *screens)]


def test_the_longest_help_is_readable_at_16x20(demo_engine: Engine) -> None:
    """F1 on Receive's item step, the longest help of any step, shows every word at 16x20."""
    app = demo_app(demo_engine, "receive")
    flows = [spec.build(actor(demo_engine, "OP1", Role.OPERATOR), None, no_translation)
             for spec in default_flows() if spec.factory is not None]
    longest = max((text for flow in flows for text in type(flow).HELP.values()), key=len)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        await scan_with_f6(pilot, "ASN-1001")
        assert step_name(pilot.app) == "item"
        await keys(pilot, "f1")
        assert isinstance(pilot.app.screen, HelpModal)
        assert pilot.app.screen.text == longest
        assert " ".join(longest.split()) in screen_words(pilot.app)
        assert "Any key: back" in screen_text(pilot.app)
        await keys(pilot, "x")
        assert step_name(pilot.app) == "item"

    run(app, SIZE, script)


# The scanner, flow by flow, without the screen.


def test_every_hint_names_a_real_step_and_fits_one_line() -> None:
    for (flow_name, step), text in HINTS.items():
        spec = find_flow(default_flows(), flow_name)
        assert spec is not None, flow_name
        flow = spec.build(Actor(1, "OP1", Role.OPERATOR, "RF01"), None, no_translation)
        assert step in type(flow).HELP, (flow_name, step)
        assert cell_len(text) <= 20, text
    steps = {(spec.name, step) for spec in default_flows() if spec.factory is not None
             for step in type(spec.build(Actor(1, "OP1", Role.OPERATOR, "RF01"), None,
                                         no_translation)).HELP}
    # The tour opens every flow, so every step carries an instruction.
    assert steps == set(HINTS)


def take(flow: AnyFlow, catalog: DemoCatalog, pick: str = "") -> str:
    """Submit the first offered code (or the one whose label has pick); refusals fail."""
    offered = suggestions(flow, catalog)
    assert offered[-1][1] == WRONG_CODE
    right = [(label, code) for label, code in offered[:-1] if pick in label]
    assert right, f"{flow.name}/{flow.step_name}: nothing offered for {pick!r}: {offered}"
    label, code = right[0]
    step = flow.submit(code)
    assert step.tone is not Tone.ERROR, f"{flow.name}: {label} refused: {step.message}"
    return label


def build(engine: Engine, name: str, login: str = "OP1") -> AnyFlow:
    spec = find_flow(default_flows(), name)
    assert spec is not None
    role = Role.SUPERVISOR if login.startswith("SUP") else Role.OPERATOR
    return spec.build(actor(engine, login, role), RfBackend(uow_factory(engine)),
                      no_translation)


def test_scanner_alone_picks_a_whole_wave_one_tote_per_order(demo_engine: Engine) -> None:
    catalog = DemoCatalog(demo_engine)
    flow = build(demo_engine, "pick")
    take(flow, catalog, "Enter")
    lines = 0
    orders: set[str] = set()
    left = False
    while flow.step_name != "start":
        assert flow.step_name == "loc"
        orders.add(flow.state["task"]["order"])
        take(flow, catalog)
        take(flow, catalog)
        if flow.step_name == "lot":
            take(flow, catalog)
        take(flow, catalog, "Enter = all")
        # Enter keeps the order's tote once it has one; else the first tote no order holds.
        take(flow, catalog)
        lines += 1
        if flow.step_name == "zero":
            take(flow, catalog, "Yes")
        if flow.step_name == "loc" and flow.state["task"]["order"] not in orders and not left:
            # The picker leaves and comes back: the warehouse, not the trip, knows the totes.
            flow, left = build(demo_engine, "pick"), True
            take(flow, catalog, "Enter")
    message = flow.current().message
    assert ("No pick tasks" in message or message.endswith(": no more tasks")) and left
    with Session(demo_engine) as s:
        open_tasks = s.exec(select(tables.Task).where(tables.Task.kind == "pick")
                            .where(col(tables.Task.status).in_(OPEN_TASK))).all()
        picks = s.exec(select(tables.Movement.reference, tables.Movement.to_location_id)
                       .where(tables.Movement.kind == "pick")
                       .where(col(tables.Movement.to_location_id).is_not(None))).all()
    totes: dict[str, set[int | None]] = {}
    for order, tote in picks:
        totes.setdefault(order, set()).add(tote)
    assert all(len(used) == 1 for used in totes.values()), totes
    assert len(set.union(*totes.values())) == len(totes) >= 2
    assert open_tasks == [] and lines >= 2
    with uow_factory(demo_engine)() as uow:
        assert ledger_mismatches(uow) == []


def test_scanner_offers_the_short_pick_steps(demo_engine: Engine) -> None:
    catalog = DemoCatalog(demo_engine)
    flow = build(demo_engine, "pick")
    take(flow, catalog, "Enter")
    take(flow, catalog, "Digits")
    flow.exception_key()
    assert flow.step_name == "reason"
    assert take(flow, catalog) == "Reason SHORT"
    assert flow.step_name == "confirm"
    assert take(flow, catalog, "Yes") == "Yes: post the short"
    # Nothing picked: the short is posted now, and the next task (or the zero check) follows.
    assert flow.step_name in ("loc", "zero", "start")
    if flow.step_name == "zero":
        take(flow, catalog, "No")
    with uow_factory(demo_engine)() as uow:
        assert ledger_mismatches(uow) == []


def test_scanner_alone_counts_every_due_task(demo_engine: Engine) -> None:
    catalog = DemoCatalog(demo_engine)
    flow = build(demo_engine, "count")
    counted = 0
    while True:
        offered = suggestions(flow, catalog)
        if not any(label.startswith("Loc") for label, _code in offered):
            break
        take(flow, catalog, "Loc")
        assert flow.step_name == "item"
        for label, _code in suggestions(flow, catalog)[:-2]:
            take(flow, catalog, label)
            if flow.step_name == "lot":
                take(flow, catalog, "Lot")
            take(flow, catalog, "Qty")
        take(flow, catalog, "Enter = done")
        assert flow.current().message == "Count posted"
        counted += 1
    assert counted >= 6
    with Session(demo_engine) as s:
        left = s.exec(select(tables.CountTask)
                      .where(col(tables.CountTask.status).in_(("open", "recount")))).all()
    assert left == []


def test_scanner_alone_receives_every_asn_line(demo_engine: Engine) -> None:
    catalog = DemoCatalog(demo_engine)
    flow = build(demo_engine, "receive")
    for asn in ("ASN ASN-1001", "ASN ASN-1004"):
        take(flow, catalog, asn)
        while flow.step_name == "item":
            take(flow, catalog)
            take(flow, catalog, "Qty")
            for step in ("lot", "expiry"):
                if flow.step_name == step:
                    take(flow, catalog)
        assert "Order done" in flow.current().message
    take(flow, catalog, "SSCC")
    take(flow, catalog)
    take(flow, catalog, "Qty")
    assert "Rcvd" in flow.current().message
    with uow_factory(demo_engine)() as uow:
        assert ledger_mismatches(uow) == []


def test_scanner_answers_a_supervisors_over_receipt(demo_engine: Engine) -> None:
    catalog = DemoCatalog(demo_engine)
    flow = build(demo_engine, "receive", "SUP1")
    take(flow, catalog, "ASN ASN-1001")
    take(flow, catalog)
    # Beyond any tolerance an order line may carry (at most 1000%).
    too_many = str(sum(ln["quantity"] for ln in flow.state["lines"]) * 11 + 1)
    flow.submit(too_many)
    for step in ("lot", "expiry"):
        if flow.step_name == step:
            take(flow, catalog)
    assert flow.step_name == "over"
    take(flow, catalog, "No")
    assert flow.step_name == "qty"
    flow.submit(too_many)
    take(flow, catalog, "Yes")
    assert flow.step_name == "reason"
    assert take(flow, catalog) == "Reason OVER-SHIP"
    assert "Rcvd" in flow.current().message
    with uow_factory(demo_engine)() as uow:
        [receipt] = [m for m in uow.stock.movements() if m.reason_code == "OVER-SHIP"]
        assert receipt.approved_by == receipt.user_id
        assert ledger_mismatches(uow) == []


def test_scanner_alone_puts_away_everything_on_the_dock(demo_engine: Engine) -> None:
    catalog = DemoCatalog(demo_engine)
    flow = build(demo_engine, "putaway")
    loads = 0
    while len(suggestions(flow, catalog)) > 1:
        take(flow, catalog)
        for step in ("from", "qty"):
            if flow.step_name == step:
                take(flow, catalog)
        assert flow.step_name == "confirm"
        take(flow, catalog, "Loc")
        assert flow.step_name == "source"
        loads += 1
    assert loads >= 2
    with uow_factory(demo_engine)() as uow:
        assert ledger_mismatches(uow) == []

