"""Refusals that name an order's status show it in the user's language, on SQLite and
PostgreSQL: English in logs and on the command line, Chinese words on a Chinese screen."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse
from wms_tui.domain.errors import BadInput
from wms_tui.domain.inbound import import_inbound_orders
from wms_tui.domain.inbound.cancels import cancel_inbound_order
from wms_tui.domain.outbound import release_wave
from wms_tui.domain.outbound.cancels import cancel_order
from wms_tui.i18n import translator

ZH = translator("zh_CN")


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def chinese_only(shown: str, *values: str) -> str:
    """The message without its values must have no Latin letter: no English word slipped in."""
    for value in values:
        shown = shown.replace(value, "")
    assert not re.search(r"[A-Za-z]", shown), shown
    return shown


def test_releasing_a_cancelled_order_says_cancelled_in_chinese(site: Site) -> None:
    site.orders(("SO-1", "ACME", "", "", "1", "WIDGET", "3", "EA"))
    cancel_order(site.uow, site.wh.supervisor, "SO-1")
    with pytest.raises(BadInput) as refused:
        release_wave(site.uow, site.wh.supervisor, refs=["SO-1"], today=TODAY)
    assert str(refused.value) == "order SO-1 is cancelled, not open"
    shown = refused.value.render(ZH)
    assert ZH("cancelled") in chinese_only(shown, "SO-1")


def test_a_second_cancel_names_the_status_in_chinese(site: Site) -> None:
    site.orders(("SO-1", "ACME", "", "", "1", "WIDGET", "3", "EA"))
    cancel_order(site.uow, site.wh.supervisor, "SO-1")
    with pytest.raises(BadInput) as refused:
        cancel_order(site.uow, site.wh.supervisor, "SO-1", key="a new key")
    assert str(refused.value) == "order SO-1 is cancelled: nothing to cancel"
    assert ZH("cancelled") in chinese_only(refused.value.render(ZH), "SO-1")


def test_a_second_inbound_cancel_names_the_status_in_chinese(site: Site) -> None:
    report = import_inbound_orders(site.uow, [{
        "reference": "ASN-9", "supplier": "ACME", "line_no": "1", "sku": "WIDGET",
        "quantity": "5", "uom": "EA"}])
    assert report.ok, report.errors
    cancel_inbound_order(site.uow, site.wh.supervisor, "ASN-9")
    with pytest.raises(BadInput) as refused:
        cancel_inbound_order(site.uow, site.wh.supervisor, "ASN-9", key="a new key")
    assert str(refused.value) == "order ASN-9 is cancelled: nothing to cancel"
    assert ZH("cancelled") in chinese_only(refused.value.render(ZH), "ASN-9")
