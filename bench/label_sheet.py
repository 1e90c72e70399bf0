"""A sheet of 126 location labels as a PDF: size and render time, raster images vs vectors.

The raster way is how `wms labels location --format pdf` drew sheets before issue 16: each
label rendered to a 300 dpi PNG (python-barcode, Pillow) and placed on the page as an image.
It is rebuilt here from `render.label_image`, so both ways run in one invocation on the same
labels. The vector way is `pdf.labels_pdf`: text and reportlab's own Code 128 bars.

    python bench/label_sheet.py              # 5 runs each, a table
    python bench/label_sheet.py --runs 3 --json
"""

from __future__ import annotations

import argparse
import io
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.labels import Label, LocationLabel
from wms_tui.labels import pdf, render

LABELS = 126


def location_labels() -> list[LocationLabel]:
    """126 bins: A-01-01-1 to A-03-21-2 (3 aisles, 21 bays, 2 levels)."""
    codes = [f"A-{aisle:02d}-{bay:02d}-{level}" for aisle in range(1, 4) for bay in range(1, 22)
             for level in (1, 2)]
    assert len(codes) == LABELS
    return [LocationLabel(code, code, location_check_digits(code)) for code in codes]


def raster_sheet(labels: Sequence[Label]) -> bytes:
    """The sheet as it was drawn before: each label's PNG fitted into its A4 grid cell."""
    columns, rows = pdf.PDF_GRID["location"]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    page_width, page_height = A4
    margin, padding = pdf.PDF_MARGIN_MM * mm, pdf.PDF_PADDING_MM * mm
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
            canvas.setStrokeGray(0.8)
            canvas.rect(x, y, cell_width, cell_height)
            image = render.label_image(label)
            scale = min((cell_width - 2 * padding) / image.width,
                        (cell_height - 2 * padding) / image.height)
            canvas.drawImage(ImageReader(image), x + (cell_width - image.width * scale) / 2,
                             y + (cell_height - image.height * scale) / 2,
                             width=image.width * scale, height=image.height * scale)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def measure(make: Callable[[Sequence[Label]], bytes], labels: Sequence[Label],
            runs: int) -> dict[str, float]:
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        size = len(make(labels))
        times.append(time.perf_counter() - started)
    return {"bytes": size, "median_s": statistics.median(times), "fastest_s": min(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    labels = location_labels()
    # One warm-up each: fonts and reportlab modules load once per process.
    raster_sheet(labels[:1])
    pdf.labels_pdf(labels[:1])
    results = {"raster images (before)": measure(raster_sheet, labels, args.runs),
               "vector bars (now)": measure(pdf.labels_pdf, labels, args.runs)}
    if args.json:
        print(json.dumps({"labels": LABELS, "runs": args.runs, "results": results}))
        return
    print(f"{LABELS} location labels, {args.runs} runs each")
    print(f"{'PDF':<24} {'size':>12} {'median':>10} {'fastest':>10}")
    for name, figures in results.items():
        print(f"{name:<24} {figures['bytes'] / 1e6:>9.3f} MB {figures['median_s'] * 1e3:>7.0f} ms "
              f"{figures['fastest_s'] * 1e3:>7.0f} ms")


if __name__ == "__main__":
    main()
