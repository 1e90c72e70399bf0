"""A new site built from CSV files alone, then its first day (issue 14): locations, items,
users and opening stock (lots, an LPN, serials, one line on QC hold) come in through `wms`;
the QC stock is released and put away, a wave takes it, the RF services pick it into a tote,
and a count of the lot's pallet confirms the book. The ledger agrees with the balances at
the end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import Wms
from wms_tui.bootstrap import wire
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.counting import CountStatus
from wms_tui.domain.stock import Move, ledger_mismatches, new_confirmation_key, post

FILES = {
    "locations.csv": """code,barcode,type,zone,walk_seq,aisle,bay,level,capacity
DOCK-1,,dock,DOCK,1,,,,
QC-1,,qc,QC,2,,,,
A-01-01-1,,reserve,RES,10,A,01,01,500
P-01-01-1,,pick,PICK,20,P,01,01,100
P-01-02-1,,pick,PICK,21,P,01,02,100
TOTE-1,,staging,SHIP,90,,,,
""",
    "items.csv": """sku,description,base_uom,uom,factor,gtin,barcode,lot_tracked,expiry_tracked,\
serial_tracked,requires_qc,abc_class,min_qty,max_qty,zone,aliases
WIDGET,Blue widget,EA,EA,1,9501101530003,,no,no,no,no,A,,,,
MILK,Milk 1L,EA,EA,1,05901234123457,,yes,yes,no,no,B,,,,
PHONE,Phone,EA,EA,1,,,no,no,yes,no,C,,,,
""",
    "users.csv": """login,name,role,language,active,pin
OP1,Olga Picker,operator,en,yes,4711
SUP1,Wang Fang,supervisor,zh_CN,yes,8256
""",
    "opening.csv": """sku,location,quantity,uom,lot,expiry,lpn,status,serials
WIDGET,P-01-01-1,20,,,,,,
WIDGET,QC-1,10,,,,,qc_hold,
MILK,A-01-01-1,12,,L1,2031-01-31,PAL-1,,
PHONE,P-01-02-1,2,,,,,,SN-1;SN-2
""",
    "orders.csv": """reference,customer,ship_date,priority,line_no,sku,quantity,uom
SO-1,ACME,2026-12-06,1,1,WIDGET,25,EA
""",
}


def ok(wms: Wms, *args: str, input: str | None = None) -> str:
    result = wms(*args, input=input)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def stock(wms: Wms) -> list[tuple[Any, ...]]:
    rows = json.loads(ok(wms, "stock", "--json"))
    return sorted((r["sku"], r["location"], r["lot"], r["lpn"], r["status"], r["quantity"])
                  for r in rows)


def test_a_site_from_csvs_releases_qc_stock_waves_picks_and_counts_it(
    wms: Wms, db_url: str, tmp_path: Path,
) -> None:
    ok(wms, "init", "--admin", "adm", "--pin-stdin", input="1357\n")
    for name, content in FILES.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    for kind, name in (("location", "locations.csv"), ("item", "items.csv"),
                       ("user", "users.csv")):
        ok(wms, kind, "import", str(tmp_path / name))
    ok(wms, "stock", "import", str(tmp_path / "opening.csv"), "--as", "ADM")
    assert stock(wms) == [
        ("MILK", "A-01-01-1", "L1", "PAL-1", "available", 12),
        ("PHONE", "P-01-02-1", None, None, "available", 2),
        ("WIDGET", "P-01-01-1", None, None, "available", 20),
        ("WIDGET", "QC-1", None, None, "qc_hold", 10),
    ]
    phone = json.loads(ok(wms, "serial", "show", "SN-2", "--json"))
    assert "P-01-02-1" in json.dumps(phone)

    # The QC decision, then the released units go to the pick face.
    ok(wms, "stock", "status", "--item", "WIDGET", "--location", "QC-1", "--qty", "10",
       "--from", "qc_hold", "--to", "available", "--as", "SUP1")
    site = wire(db_url)
    try:
        operator = site.auth("OP1", "4711", "RF01")
        with site.read_factory() as uow:
            widget = uow.catalog.item_by_code("WIDGET")
            qc, face, tote, reserve = (uow.catalog.location_by_code(code) for code in
                                       ("QC-1", "P-01-01-1", "TOTE-1", "A-01-01-1"))
            milk = uow.catalog.item_by_code("MILK")
        assert widget is not None and milk is not None and qc is not None
        assert face is not None and tote is not None and reserve is not None
        post(site.uow_factory, operator, Move(widget.id, 10, qc.id, face.id, "PUTAWAY-QC"))

        # The wave takes all 25: 20 opening units and the 10 released ones share the face.
        ok(wms, "order", "import", "--kind", "outbound", str(tmp_path / "orders.csv"))
        wave = json.loads(ok(wms, "wave", "release", "--as", "SUP1", "--ship-date",
                             "2026-12-06", "--json"))
        assert sum(t["quantity"] for t in wave["tasks"]) == 25, wave
        picked = 0
        while (task := site.services.next_pick_task(operator)) is not None:
            site.services.confirm_pick(operator, task.id, task.remaining,
                                       to_location_id=tote.id, lot_id=None,
                                       key=new_confirmation_key())
            picked += task.remaining
        assert picked == 25

        # A count of the milk pallet matches the book and closes without a variance.
        ok(wms, "count", "request", "--location", "A-01-01-1", "--as", "SUP1")
        [task_ref] = site.services.count_tasks(operator, reserve.id)
        with site.read_factory() as uow:
            lot_id = uow.stock.lot_id(milk.id, "L1", None, create=False)
        assert lot_id is not None
        result = site.services.submit_count(operator, task_ref.id, [(milk.id, lot_id, 12)],
                                            new_confirmation_key())
        assert result.status == CountStatus.DONE and result.movement_ids == [], result
        with SqlUnitOfWork(site.engine) as uow:
            assert ledger_mismatches(uow) == []
    finally:
        site.close()
    assert stock(wms) == [
        ("MILK", "A-01-01-1", "L1", "PAL-1", "available", 12),
        ("PHONE", "P-01-02-1", None, None, "available", 2),
        ("WIDGET", "P-01-01-1", None, None, "available", 5),
        ("WIDGET", "TOTE-1", None, None, "available", 25),
    ]
    [count] = json.loads(ok(wms, "count", "list", "--status", "done", "--json"))
    assert count["location"] == "A-01-01-1"
