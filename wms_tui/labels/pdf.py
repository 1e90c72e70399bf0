"""Labels as PDF: text and barcodes drawn as vectors with reportlab's own barcode graphics.

Bin and item labels go on A4 sheets in a grid, each label fitted to its cell. Carton and
pallet labels (GS1 logistic labels) are never scaled, so their bars keep the 0.495 mm
X-dimension and 32 mm height: each gets a page of its own size, for a label printer or to
print at 100 %.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.eanbc import Ean13BarcodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from wms_tui.domain.errors import BadInput
from wms_tui.domain.labels import FNC1, LOGISTIC_KINDS, Label, Symbol, Symbology
from wms_tui.labels import fonts
from wms_tui.labels.render import (
    HEADING_PT,
    HRI_PT,
    LINE_GAP_MM,
    LINE_PT,
    LOGISTIC_MIN_WIDTH_MM,
    MARGIN_MM,
    BarGeometry,
    bar_geometry,
)

# Columns x rows per A4 page: bin labels 95 x 55 mm, item labels 63 x 46 mm.
PDF_GRID: dict[str, tuple[int, int]] = {"location": (2, 5), "item": (3, 6)}
PDF_MARGIN_MM = 10.0
PDF_PADDING_MM = 3.0
_HRI_GAP_MM = 1.0

Draw = Callable[[Canvas, float, float], None]


@dataclass(frozen=True)
class _Block:
    """One row of a label: its size in points and how to draw it with its top-left at x, y."""

    width: float
    height: float
    draw: Draw
    centred: bool = False


def _text_block(text: str, points: float) -> _Block:
    font = fonts.pdf_font_for(text)
    height = points * 25.4 / 72 * mm + LINE_GAP_MM * mm

    def draw(canvas: Canvas, x: float, top: float) -> None:
        canvas.setFont(font, points)
        canvas.drawString(x, top - points * 0.8, text)

    return _Block(stringWidth(text, font, points), height, draw)


def _code128_block(symbol: Symbol, geometry: BarGeometry) -> _Block:
    # reportlab's Code 128 writes FNC1 as the same character the domain uses.
    value = FNC1 + symbol.data if symbol.symbology is Symbology.GS1_128 else symbol.data
    code = Code128(value, barWidth=geometry.module_mm * mm, barHeight=geometry.height_mm * mm,
                   quiet=1, lquiet=geometry.quiet_mm * mm, rquiet=geometry.quiet_mm * mm,
                   humanReadable=0)
    line_height = HRI_PT * 1.15
    text_width = max((stringWidth(line, fonts.PDF_LATIN_FONT, HRI_PT) for line in symbol.text),
                     default=0.0)
    height = code.height + _HRI_GAP_MM * mm + line_height * len(symbol.text) + _HRI_GAP_MM * mm

    def draw(canvas: Canvas, x: float, top: float) -> None:
        code.drawOn(canvas, x, top - code.height)
        canvas.setFont(fonts.PDF_LATIN_FONT, HRI_PT)
        y = top - code.height - _HRI_GAP_MM * mm - HRI_PT * 0.8
        for line in symbol.text:
            canvas.drawCentredString(x + code.width / 2, y, line)
            y -= line_height

    return _Block(max(code.width, text_width), height, draw, centred=True)


def _ean13_block(symbol: Symbol, geometry: BarGeometry) -> _Block:
    widget = Ean13BarcodeWidget(symbol.data[:12], barWidth=geometry.module_mm * mm,
                                barHeight=geometry.height_mm * mm)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(x1 - x0, y1 - y0)
    widget.x, widget.y = -x0, -y0
    drawing.add(widget)

    def draw(canvas: Canvas, x: float, top: float) -> None:
        renderPDF.draw(drawing, canvas, x, top - drawing.height)

    return _Block(drawing.width, drawing.height + _HRI_GAP_MM * mm, draw, centred=True)


def _blocks(label: Label) -> list[_Block]:
    blocks = [_text_block(label.heading, HEADING_PT)]
    blocks += [_text_block(line, LINE_PT) for line in label.lines]
    geometry = bar_geometry(label)
    for symbol in label.symbols:
        make = _ean13_block if symbol.symbology is Symbology.EAN13 else _code128_block
        blocks.append(make(symbol, geometry))
    return blocks


@dataclass(frozen=True)
class _Drawn:
    """A label laid out at its natural size, in points."""

    width: float
    height: float
    blocks: list[_Block]

    def draw(self, canvas: Canvas) -> None:
        """Draw with the label's bottom-left corner at the origin."""
        margin = MARGIN_MM * mm
        top = self.height - margin
        for block in self.blocks:
            x = (self.width - block.width) / 2 if block.centred else margin
            block.draw(canvas, x, top)
            top -= block.height


def layout(label: Label) -> _Drawn:
    blocks = _blocks(label)
    margin = MARGIN_MM * mm
    least = LOGISTIC_MIN_WIDTH_MM * mm if label.kind in LOGISTIC_KINDS else 0.0
    width = max([least] + [block.width + (0 if block.centred else 2 * margin)
                           for block in blocks])
    height = sum(block.height for block in blocks) + 2 * margin
    return _Drawn(width, height, blocks)


def pdf_grid(labels: Sequence[Label]) -> tuple[int, int]:
    """Columns and rows per page: the grid of the largest kind of label on the sheet."""
    return min((PDF_GRID[label.kind] for label in labels), key=lambda grid: grid[0] * grid[1])


def _grid_pages(canvas: Canvas, labels: Sequence[Label], grid: tuple[int, int]) -> None:
    columns, rows = grid
    canvas.setPageSize(A4)
    page_width, page_height = A4
    margin, padding = PDF_MARGIN_MM * mm, PDF_PADDING_MM * mm
    cell_width = (page_width - 2 * margin) / columns
    cell_height = (page_height - 2 * margin) / rows
    per_page = columns * rows
    for page in range(math.ceil(len(labels) / per_page)):
        if page:
            canvas.showPage()
        for slot, label in enumerate(labels[page * per_page : (page + 1) * per_page]):
            column, row = slot % columns, slot // columns
            x = margin + column * cell_width
            y = page_height - margin - (row + 1) * cell_height
            # Light cut lines around each label.
            canvas.setStrokeGray(0.8)
            canvas.rect(x, y, cell_width, cell_height)
            drawn = layout(label)
            scale = min((cell_width - 2 * padding) / drawn.width,
                        (cell_height - 2 * padding) / drawn.height)
            canvas.saveState()
            canvas.translate(x + (cell_width - drawn.width * scale) / 2,
                             y + (cell_height - drawn.height * scale) / 2)
            canvas.scale(scale, scale)
            drawn.draw(canvas)
            canvas.restoreState()


def _label_pages(canvas: Canvas, labels: Sequence[Label]) -> None:
    for number, label in enumerate(labels):
        if number:
            canvas.showPage()
        drawn = layout(label)
        canvas.setPageSize((drawn.width, drawn.height))
        drawn.draw(canvas)


def labels_pdf(labels: Sequence[Label], *, grid: tuple[int, int] | None = None) -> bytes:
    """The labels as one PDF: A4 sheets of bin and item labels, a page per logistic label."""
    if not labels:
        raise BadInput("no labels to put on a sheet")
    buffer = io.BytesIO()
    # invariant=1 leaves out creation dates, so the same labels give the same file.
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle("wms labels")
    if any(label.kind in LOGISTIC_KINDS for label in labels):
        _label_pages(canvas, labels)
    else:
        _grid_pages(canvas, labels, grid or pdf_grid(labels))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
