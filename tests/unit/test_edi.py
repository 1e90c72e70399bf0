"""EANCOM parsing and building, pure: the sample DESADV and ORDERS read into lines, SSCCs,
lots and expiry; every problem named by segment and element; a built DESADV reads back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from wms_tui.edi import (
    Despatch,
    EdiError,
    EdiLine,
    Package,
    build_desadv,
    parse_interchange,
    rows_for_import,
)

SAMPLES = Path(__file__).parents[1] / "edi_samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(EdiError) as refused:
        parse_interchange(text)
    return refused.value.problems


class TestDesadv:
    def test_the_sample_reads_into_packages_and_lines(self) -> None:
        [m] = parse_interchange(sample("desadv_asn.edi"))
        assert (m.kind, m.number, m.order_ref, m.supplier, m.delivery_date) == (
            "DESADV", "ASN-7001", "PO-4711", "5412345000020", date(2026, 12, 8))
        assert m.document_date == datetime(2026, 12, 6, 8, 30)
        assert [(p.level, p.parent, p.sscc, p.weight_kg) for p in m.packages] == [
            (1, None, None, None), (2, 1, "106141411234567897", Decimal("412.5")),
            (3, 1, "106141411234567903", None)]
        assert [(ln.line_no, ln.gtin, ln.quantity, ln.lot, ln.expiry, ln.sscc)
                for ln in m.lines] == [
            (1, "05901234123457", 48, "L2612A", date(2027, 1, 31), "106141411234567897"),
            (2, "19501101530000", 10, None, None, "106141411234567897"),
            (3, "05901234123457", 24, "L2612B", date(2027, 2, 15), "106141411234567903")]

    def test_rows_are_the_inbound_import_columns(self) -> None:
        kind, rows, origins = rows_for_import(parse_interchange(sample("desadv_asn.edi")))
        assert kind == "inbound"
        assert rows[1] == {"reference": "ASN-7001", "supplier": "5412345000020",
                           "expected_date": date(2026, 12, 8), "line_no": 2,
                           "sku": "19501101530000", "quantity": 10,
                           "sscc": "106141411234567897"}
        assert origins == {1: "segment 16 LIN (line 1)", 2: "segment 22 LIN (line 2)",
                           3: "segment 28 LIN (line 3)"}

    def test_a_gir_batch_number_is_a_lot(self) -> None:
        text = sample("desadv_asn.edi").replace("LIN+2++19501101530000:SRV'",
                                                "LIN+2++19501101530000:SRV'\nGIR+3+B-9:BX'")
        text = text.replace("UNT+32+1", "UNT+33+1")
        [m] = parse_interchange(text)
        assert m.lines[1].lot == "B-9"


class TestOrders:
    def test_the_sample_reads_into_outbound_rows(self) -> None:
        kind, rows, _ = rows_for_import(parse_interchange(sample("orders.edi")))
        assert kind == "outbound"
        assert rows == [
            {"reference": "PO-88001", "customer": "Shanghai Retail",
             "ship_date": date(2026, 12, 10), "line_no": 1, "sku": "09501101530003",
             "quantity": 6},
            {"reference": "PO-88001", "customer": "Shanghai Retail",
             "ship_date": date(2026, 12, 10), "line_no": 2, "sku": "19501101530000",
             "quantity": 2}]

    def test_a_measure_unit_other_than_pieces_is_the_uom(self) -> None:
        text = sample("orders.edi").replace("QTY+21:2'", "QTY+21:2:CS'")
        _, rows, _ = rows_for_import(parse_interchange(text))
        assert rows[1]["uom"] == "CS" and "uom" not in rows[0]

    def test_mixed_message_types_are_refused(self) -> None:
        desadv = parse_interchange(sample("desadv_asn.edi"))
        orders = parse_interchange(sample("orders.edi"))
        with pytest.raises(EdiError, match="mixes DESADV and ORDERS"):
            rows_for_import([*desadv, *orders])


class TestRefusals:
    def test_a_bad_quantity_names_segment_and_element(self) -> None:
        text = sample("desadv_asn.edi").replace("QTY+12:48:PCE", "QTY+12:x:PCE")
        assert problems(text)[0] == (
            "segment 18 QTY, element 1: quantity 'x' is not a number of whole units")

    def test_every_problem_is_named_at_once(self) -> None:
        text = (sample("desadv_asn.edi")
                .replace("GIN+BJ+106141411234567903", "GIN+BJ+106141411234567900")
                .replace("LIN+2++19501101530000", "LIN+2++19501101530001")
                .replace("MEA+PD+AAB+KGM:412.5", "MEA+PD+AAB+LBR:412.5")
                .replace("UNT+32+1", "UNT+30+1"))
        assert problems(text) == (
            "segment 13 MEA, element 3: weight LBR:'412.5' is not a weight in KGM above 0",
            "segment 22 LIN, element 3: '19501101530001' is not a GTIN (8 to 14 digits, "
            "check digit)",
            "segment 27 GIN, element 2: '106141411234567900' is not an SSCC (18 digits, "
            "check digit)",
            "segment 33 UNT, element 1: says '30' segments, the message has 32")

    def test_an_unknown_message_type_and_a_stray_segment(self) -> None:
        text = "UNB+UNOC:3+A:14+B:14+261206:0900+1'BGM+220+X+9'UNH+1+INVOIC:D:96A:UN'UNT+2+1'"
        assert problems(text) == (
            "segment 2 BGM, element 1: segment outside a message (UNH ... UNT)",
            "segment 3 UNH, element 2: message type 'INVOIC' is not DESADV or ORDERS")

    def test_a_message_without_unt_or_an_empty_interchange(self) -> None:
        assert problems("UNB+UNOC:3+A:14+B:14+261206:0900+1'UNH+1+ORDERS:D:96A:UN'") == (
            "segment 2 UNH, element 1: the message has no UNT",)
        assert problems("UNB+UNOC:3+A:14+B:14+261206:0900+1'UNZ+0+1'") == (
            "segment 1: the interchange holds no message (UNH)",)

    def test_a_line_without_quantity_or_item_is_refused(self) -> None:
        text = (sample("orders.edi").replace("LIN+2++19501101530000:SRV'", "LIN+2'")
                .replace("QTY+21:2'", "QTY+12:2'"))
        assert problems(text) == (
            "segment 12 LIN, element 1: line 2 has no QTY+21 quantity",
            "segment 12 LIN, element 3: line 2 names no GTIN (LIN) or supplier article "
            "(PIA ...:SA)")


class TestBuild:
    DESPATCH = Despatch(
        "SH00001", datetime(2026, 12, 6, 14, 5), "5412345000020", "5412345000013", "SH00001",
        "上海零售",
        (Package(2, 1, "106141411234567897", Decimal("7.250")),
         Package(3, 1, "106141411234567903", None)),
        (EdiLine(0, 1, 2, gtin="19501101530000", article="WIDGET", sscc="106141411234567897",
                 order_ref="SO-1", order_line=1),
         EdiLine(0, 2, 6, gtin="05901234123457", article="MILK", lot="L+7'?",
                 expiry=date(2027, 3, 31), sscc="106141411234567903", order_ref="SO-1",
                 order_line=2),
         EdiLine(0, 3, 4, article="BOLT", unit="BOX", sscc="106141411234567903",
                 order_ref="SO-2", order_line=1)))

    def test_a_built_desadv_reads_back_the_same(self) -> None:
        text = build_desadv(self.DESPATCH)
        [m] = parse_interchange(text)
        assert (m.number, m.buyer, m.order_ref, m.document_date) == (
            "SH00001", "上海零售", None, datetime(2026, 12, 6, 14, 5))
        assert m.packages[1:] == self.DESPATCH.packages
        assert [ln.__class__(0, *[getattr(ln, f) for f in (
            "line_no", "quantity", "gtin", "article", "unit", "lot", "expiry", "sscc",
            "order_ref", "order_line")]) for ln in m.lines] == list(self.DESPATCH.lines)

    def test_the_envelope_counts_and_escapes(self) -> None:
        text = build_desadv(self.DESPATCH)
        lines = text.splitlines()
        assert lines[0] == "UNA:+.? '"
        # A name outside Latin-1 needs UNOW (UTF-8, syntax 4).
        assert lines[1].startswith("UNB+UNOW:4+5412345000020:14+5412345000013:14+261206:1405")
        assert "GIN+BX+L?+7?'??'" in lines
        unh, unt = lines.index("UNH+1+DESADV:D:96A:UN:EAN005'"), lines[-2]
        assert unt == f"UNT+{len(lines) - 1 - unh}+1'"
        assert lines[-1] == "UNZ+1+SH00001'"
