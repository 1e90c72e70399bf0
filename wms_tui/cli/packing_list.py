"""The packing list of a shipment as an A4 PDF (reportlab): a header, then each carton with
its SSCC, type and weight and its lines; text with Chinese in it is drawn in the CID font the
labels use (labels/fonts.PDF_CJK_FONT), so a description never prints as boxes."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from wms_tui.domain.shipping.model import ShipmentView
from wms_tui.labels import fonts

MARGIN = 15 * mm
LINE = 5.5 * mm
BODY_PT = 9
HEAD_PT = 13
# x positions of the line columns: line, SKU, description, quantity, lot, expiry.
COLUMNS = (0, 12 * mm, 45 * mm, 120 * mm, 140 * mm, 160 * mm)


def _font(text: str) -> str:
    if fonts.has_cjk(text):
        if fonts.PDF_CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(fonts.PDF_CJK_FONT))
        return fonts.PDF_CJK_FONT
    return "Helvetica"


class _Page:
    """A cursor down A4 pages: each line drawn below the last, a new page when full."""

    def __init__(self, canvas: Canvas, title: str) -> None:
        self.canvas = canvas
        self.title = title
        self.y = 0.0
        self.page = 0
        self._new_page()

    def _new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        self.y = A4[1] - MARGIN
        self.text(0, f"{self.title}  page {self.page}", HEAD_PT)
        self.down(1.5)

    def down(self, lines: float = 1) -> None:
        self.y -= LINE * lines
        if self.y < MARGIN:
            self._new_page()

    def text(self, x: float, value: str, size: float = BODY_PT) -> None:
        self.canvas.setFont(_font(value), size)
        self.canvas.drawString(MARGIN + x, self.y, value)


def packing_list_pdf(view: ShipmentView) -> bytes:
    s = view.shipment
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"Packing list {s.code}")
    page = _Page(canvas, f"Packing list {s.code}")
    page.text(0, f"Dock {s.dock}   status {s.status.value}   cartons {len(view.cartons)}")
    page.down()
    customers = sorted({f"{c.order_ref} {c.customer}".strip() for c in view.cartons})
    page.text(0, "Orders: " + "; ".join(customers))
    page.down(1.5)
    for carton in view.cartons:
        weight = f"   {carton.weight_kg:f} kg" if carton.weight_kg else ""
        page.text(0, f"SSCC {carton.sscc}   {carton.carton_type}   order {carton.order_ref}"
                  f"{weight}", BODY_PT + 1)
        page.down()
        for x, head in zip(COLUMNS, ("line", "SKU", "description", "qty", "lot", "expiry"),
                           strict=True):
            page.text(x, head)
        page.down()
        for ln in carton.lines:
            cells = (str(ln.line_no), ln.sku, ln.description, f"{ln.quantity} {ln.base_uom}",
                     ln.lot or "", ln.expiry.isoformat() if ln.expiry else "")
            for x, cell in zip(COLUMNS, cells, strict=True):
                page.text(x, cell)
            page.down()
            if ln.serials:
                page.text(COLUMNS[1], "serials " + " ".join(ln.serials))
                page.down()
        page.down(0.5)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
