"""Where rendered labels go on disk: a file per label, or one sheet for a whole run."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from wms_tui.domain.errors import BadInput
from wms_tui.domain.labels import Label

if TYPE_CHECKING:
    from wms_tui.labels.zpl import ZplSettings


class LabelFormat(Enum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    zpl = "zpl"

    @property
    def per_label(self) -> bool:
        """SVG and PNG hold one label each; PDF and ZPL hold a whole run."""
        return self in (LabelFormat.svg, LabelFormat.png)


def _names_file(out: Path, fmt: LabelFormat) -> bool:
    """--out ending in the format's suffix is the file itself; anything else is a folder."""
    return out.suffix.lower() == f".{fmt.value}"


def label_paths(labels: Sequence[Label], fmt: LabelFormat, out: Path) -> list[Path]:
    """One file per label: out itself for a single label named *.svg/*.png, else files in the
    folder out named after each label (a second label of one name gets -2, and so on)."""
    if _names_file(out, fmt):
        if len(labels) != 1:
            raise BadInput(f"{len(labels)} labels need a folder for --out, not {out}")
        return [out]
    seen: dict[str, int] = {}
    paths = []
    for label in labels:
        seen[label.name] = seen.get(label.name, 0) + 1
        copy = f"-{seen[label.name]}" if seen[label.name] > 1 else ""
        paths.append(out / f"{label.name}{copy}.{fmt.value}")
    return paths


def sheet_path(kind: str, fmt: LabelFormat, out: Path) -> Path:
    """A run's sheet: out itself when it names a *.pdf/*.zpl file, else labels-KIND in it."""
    return out if _names_file(out, fmt) else out / f"labels-{kind}.{fmt.value}"


def write_labels(labels: Sequence[Label], kind: str, fmt: LabelFormat, out: Path,
                 zpl_settings: ZplSettings | None = None) -> list[Path]:
    """Render the labels in fmt and write them under out; the files written."""
    # Imported here: Pillow and reportlab add start-up time every other command would pay.
    from wms_tui.labels import pdf, render, zpl

    if fmt.per_label:
        paths = label_paths(labels, fmt, out)
        if not _names_file(out, fmt):
            out.mkdir(parents=True, exist_ok=True)
        for label, path in zip(labels, paths, strict=True):
            if fmt is LabelFormat.svg:
                path.write_text(render.label_svg(label), encoding="utf-8")
            else:
                path.write_bytes(render.label_png(label))
        return paths
    path = sheet_path(kind, fmt, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt is LabelFormat.pdf:
        path.write_bytes(pdf.labels_pdf(labels))
    else:
        path.write_text(zpl.labels_zpl(labels, zpl_settings), encoding="utf-8")
    return [path]
