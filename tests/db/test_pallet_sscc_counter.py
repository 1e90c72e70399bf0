"""Pallet labels number SSCCs from the same atomic counter as packed cartons, so a label and a
carton (or two labels printed at once) never share a serial."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session

from wms_tui.db.tables import Lpn
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.checkdigits import make_sscc
from wms_tui.labels.data import _assign_sscc

PREFIX = "9501101"


def new_lpn(engine: Engine, code: str, sscc: str | None = None) -> int:
    with Session(engine) as s:
        lpn = Lpn(code=code, sscc=sscc)
        s.add(lpn)
        s.commit()
        assert lpn.id is not None
        return lpn.id


def test_labels_and_cartons_take_serials_from_one_counter(engine: Engine) -> None:
    # An SSCC issued before the counter existed is skipped, not issued again.
    new_lpn(engine, "OLD", make_sscc(PREFIX, 4))
    first = _assign_sscc(engine, new_lpn(engine, "P1"), PREFIX)
    second = _assign_sscc(engine, new_lpn(engine, "P2"), PREFIX)
    with SqlUnitOfWork(engine) as uow:
        carton_serial = uow.shipping.next_sscc_serial("0", PREFIX)
        uow.commit()
    serials = [int(code[8:-1]) for code in (first, second)]
    assert serials == [5, 6] and carton_serial == 7


def test_labels_printed_at_once_get_different_serials(engine: Engine) -> None:
    lpns = [new_lpn(engine, f"P{n}") for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda lpn: _assign_sscc(engine, lpn, PREFIX), lpns))
    assert sorted(int(code[8:-1]) for code in got) == list(range(1, 9))
