"""Scanner bursts over real SSH at 20x16, in every flow an operator opens on the practice
warehouse (`wms demo --serve`).

A scanner sends the whole code and its suffix in one write. At a scan prompt that burst submits
the code once (CR, LF, CR+LF or Tab: one suffix); at a question (a yes/no pop-up, a reason list,
the F6 list, a question step) it answers nothing; F1 help closes on it and the rest goes nowhere;
at the menu it opens nothing. After every burst the session is alive, and nothing was posted
unless a right code was scanned where the step posts.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Awaitable, Callable, Iterator

import pytest

from tests.e2e.burst_walk import (
    ALL_KINDS,
    ESC,
    F5,
    F6,
    QUIET_SHORT,
    SCAN_REFUSED,
    WRONG,
    Ledger,
    Walker,
    hint,
)
from tests.e2e.clients import SshTerminal
from tests.e2e.test_demo_serve import DemoServer

pytestmark = pytest.mark.slow

Walk = Callable[[Walker], Awaitable[None]]
_terminals = itertools.count(11)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    server = DemoServer(tmp_path_factory.mktemp("bursts"), [])
    server.wait_ready(timeout=120)
    yield server
    server.stop()


def errors_logged(server: DemoServer) -> list[str]:
    log = server.data_dir / "rf.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return [line for line in text.splitlines() if re.search(r"\d ERROR ", line)]


async def connect(server: DemoServer) -> SshTerminal:
    """A terminal of its own (its ID is the SSH user name) at 20 columns by 16 rows."""
    return await SshTerminal.connect(server.port, password=server.class_password(), cols=20,
                                     rows=16, username=f"RF{next(_terminals)}")


def run(server: DemoServer, walk: Walk) -> None:
    """OP1 logs in, walks, goes back to the menu and logs out; nothing was logged as a fault."""
    ledger = Ledger(server.data_dir / "demo.db")
    errors = errors_logged(server)

    async def session() -> None:
        w = Walker(await connect(server), ledger)
        try:
            await w.login()
            await walk(w)
            await w.leave_flow()
            await w.burst("0", "User ID")
        finally:
            await w.t.close()

    try:
        asyncio.run(session())
    finally:
        ledger.dispose()
    assert errors_logged(server) == errors, "the session logged a fault"


async def receive(w: Walker) -> None:
    await w.burst("1", "Scan order or SSCC")
    await w.scan_prompt()
    await w.help(WRONG + "\r")
    codes = await w.scanner(*ALL_KINDS, typed=True)
    order = codes[0]
    assert order
    await w.help(order + "\r")
    await w.scan(order, "\r", "Scan item")

    await w.scan_prompt()
    codes = await w.scanner()
    item = codes[0]
    assert item
    await w.help(item + "\r\n")
    # CR+LF is one suffix: the LF is not an empty quantity at the next step.
    await w.scan(item, "\r\n", "Qty in")

    await w.scan_prompt()
    await w.lose_work(*ALL_KINDS, typed=True)
    await w.help("1\r")
    await w.scanner("1\r", WRONG + "\r", "11\r")
    # The one deliberate post: a quantity with its suffix receives once.
    before = w.ledger.movements()
    await w.scan("1", "\n", "Scan item", "Rcvd 1")
    assert w.ledger.movements() == before + 1


async def putaway(w: Walker) -> None:
    await w.burst("2", "Scan LPN or item")
    await w.scan_prompt()
    await w.help("11\r")
    codes = await w.scanner(*ALL_KINDS, typed=True)
    load = codes[0]
    assert load
    await w.scan(load, "\t", "Scan location")

    before = w.ledger.snapshot()
    await w.scan_prompt()
    await w.lose_work(*ALL_KINDS, typed=True)
    codes = await w.scanner()
    where = codes[0]
    assert where
    # The right location is the confirming scan: into the help it must post nothing.
    await w.help(where + "\r")
    await w.help(where + "\t")
    assert w.ledger.snapshot() == before


async def move(w: Walker) -> None:
    await w.burst("3", "Scan from location")
    await w.scan_prompt()
    await w.help("11\r")
    codes = await w.scanner(*ALL_KINDS, typed=True)
    source = codes[0]
    assert source
    await w.scan(source, "\r", "Scan item")

    await w.scan_prompt()
    await w.lose_work(*ALL_KINDS, typed=True)
    codes = await w.scanner()
    item = codes[0]
    assert item
    await w.help(item + "\t")
    await w.scan(item, "\r\n", "Qty in")

    await w.scan_prompt()
    await w.help("1\r")
    await w.scanner()
    await w.scan("1", "\t", "Scan to location")

    before = w.ledger.snapshot()
    await w.scan_prompt()
    codes = await w.scanner()
    target = codes[0]
    assert target
    # The right To location posts the move at a prompt; through the help it posts nothing.
    await w.help(target + "\r")
    await w.lose_work()
    assert w.ledger.snapshot() == before


async def inquiry(w: Walker) -> None:
    await w.burst("4", "Scan item/loc/LPN")
    await w.scan_prompt()
    await w.help(WRONG + "\r")
    codes = await w.scanner(*ALL_KINDS, typed=True)
    where = codes[0]
    assert where
    # On the last page an Enter goes back to the scan: the LF of CR+LF must not.
    await w.scan(where, "\r\n", "Page:", "Enter=next or scan")
    await w.help(where + "\r")
    await w.scanner()


async def pick(w: Walker) -> None:
    await w.burst("5", "Enter or scan wave")
    await w.scan_prompt()
    await w.help("11\r")
    codes = await w.scanner(*ALL_KINDS, typed=True)
    wave = codes[1]
    assert codes[0] == "" and wave
    await w.scan(wave, "\r", "Scan location")

    await w.scan_prompt()
    codes = await w.scanner()
    where = codes[0]
    assert where
    await w.help(where + "\r")
    await w.scan(where, "\n", "Scan item")

    before = w.ledger.movements()
    await w.scan_prompt()
    await w.lose_work(*ALL_KINDS, typed=True)
    codes = await w.scanner()
    item = codes[0]
    assert item
    await w.help(item + "\r\n")

    # F5: a short pick of nothing. A reason, then "Post short?": questions a scan never answers.
    await w.burst(F5, "Reason number")
    await w.question_step()
    await w.help("1\r")
    await w.scanner()
    await w.lose_work()
    await w.t.answer("1", "Post short?")
    await w.question_step()
    await w.help("1\r")
    await w.lose_work()
    await w.t.answer("2", "Short cancelled", "Scan item")

    # Enter alone takes all at the quantity: the LF of CR+LF after the item must not.
    await w.scan(item, "\r\n", "Qty (Enter=all)")
    await w.scan_prompt()
    assert w.ledger.movements() == before


async def count(w: Walker) -> None:
    await w.burst("6", "Scan loc or Enter")
    await w.scan_prompt()
    await w.help(WRONG + "\r")
    codes = await w.scanner(*ALL_KINDS, typed=True)
    where = codes[1]
    assert codes[0] == "" and where
    await w.scan(where, "\r", "Scan item/Enter=done")

    before = w.ledger.snapshot()
    # Enter alone before anything is counted: "Location done?" Yes would send the books to
    # zero. (After a count, Enter sends it without a question.)
    await w.t.enter("", "Location done?")
    await w.question_step()
    await w.help("1\r")
    await w.scanner("1\r", "2\r\n", WRONG + "\r")
    await w.t.answer("2", "Scan item/Enter=done")
    await w.scan_prompt()
    codes = await w.scanner()
    item = codes[0]
    assert item
    await w.help(item + "\r")
    await w.scan(item, "\r\n", "Loc:", "Item:")
    if "Scan or key lot" in w.words():
        await w.scan_prompt()
        await w.lose_work(*ALL_KINDS, typed=True)
        codes = await w.scanner()
        lot = codes[0]
        assert lot
        await w.scan(lot, "\t", "Qty in")

    await w.scan_prompt()
    await w.lose_work()
    codes = await w.scanner()
    book = codes[0]
    assert book and book.isdigit()
    await w.help(book + "\r")
    await w.scan(book, "\n", "Counted", "Lines: 1")

    assert w.ledger.snapshot() == before


async def replenish(w: Walker) -> None:
    await w.burst("7", "Enter for next task")
    # Any entry here asks for the next task (the demo operator has none).
    await w.scan_prompt(wrong=False)
    await w.help(WRONG + "\r")
    await w.scanner(*ALL_KINDS, typed=True)
    await w.scan(WRONG, "\r\n", "No replenishments")


WALKS: dict[str, Walk] = {
    "receive": receive, "putaway": putaway, "move": move, "inquiry": inquiry, "pick": pick,
    "count": count, "replenish": replenish,
}


@pytest.mark.parametrize("flow", list(WALKS))
def test_scanner_bursts_in_every_step_of(flow: str, demo: DemoServer) -> None:
    run(demo, WALKS[flow])


def test_bursts_at_the_menu_and_at_resume_answer_nothing(demo: DemoServer) -> None:
    async def walk(w: Walker) -> None:
        for data in ("5555\r", "1\r", "22", "3\r\n"):
            await w.rung(data, w.bells(), "Key the number of a menu entry")
            assert "Choose a number" in w.words(), f"{data!r} opened a flow"
        # Work on a Move, then the link drops: the next log-in offers to resume it.
        await w.burst("3", "Scan from location")
        codes = await w.scanner()
        assert codes[0]
        await w.scan(codes[0], "\r", "Scan item")
        assert isinstance(w.t, SshTerminal)
        w.t.drop()

        w.t = await connect(demo)
        await w.t.wait_for("User ID")
        await w.t.enter("OP1", "PIN")
        await w.t.enter("1111", "Resume Move?", "2 No")
        await w.settle()
        before = w.ledger.snapshot()
        await w.question_popup("Resume Move?", WRONG + "\r", "11\r", "1\r", "2\r", "1\t")
        await w.t.answer("2")
        await w.gone("Resume Move?")
        assert "Choose a number" in w.words()
        assert w.ledger.snapshot() == before

    run(demo, walk)


def test_a_refused_answer_says_what_to_key_in_full_at_20x16(demo: DemoServer) -> None:
    """The refusal at a pop-up ends with what to do: "Key 1 or 2, then Enter" ("1 to N" in the
    F6 list). At 20 columns that is three rows; none of it may be cut off."""

    async def walk(w: Walker) -> None:
        await w.burst("1", "Scan order or SSCC")
        codes = await w.scanner()
        await w.burst(F6, "Scanner")
        await w.rung(WRONG + "\r", w.bells(), SCAN_REFUSED)
        assert hint(len(codes)) in w.words(), w.t.screen.text()
        await w.burst(ESC)
        await w.gone("Scanner", QUIET_SHORT)
        assert codes[0]
        await w.scan(codes[0], "\r", "Scan item")
        codes = await w.scanner()
        assert codes[0]
        await w.scan(codes[0], "\r", "Qty in")
        await w.burst(ESC, "Lose this work?")
        await w.rung(WRONG + "\r", w.bells(), SCAN_REFUSED)
        assert hint(2) in w.words(), w.t.screen.text()

    run(demo, walk)


# A GS1 label (GTIN, weight, expiry, lot) and a pallet label: each in one write, as scanned.
GS1_LABEL = "0195011015300003102000123451724123110LOT123456789012345678"
PALLET_LABEL = "LPN9000001"


def test_the_rest_of_a_scan_that_closed_the_help_never_reaches_the_quantity(
        demo: DemoServer) -> None:
    """F1 at the quantity, then a label is scanned: the help closes on its first key and none
    of the rest reaches the step, however soon the help is gone. A tail such as "1" would
    receive at once, so this is tried a dozen times."""

    async def walk(w: Walker) -> None:
        await w.burst("1", "Scan order or SSCC")
        codes = await w.scanner()
        assert codes[0]
        await w.scan(codes[0], "\r", "Scan item")
        codes = await w.scanner()
        assert codes[0]
        await w.scan(codes[0], "\r", "Qty in")
        for _ in range(6):
            await w.help(GS1_LABEL + "\r")
            await w.help(PALLET_LABEL + "\r")

    run(demo, walk)
