"""Fonts for label text: DejaVu Sans Mono for Latin text, a CJK font for Chinese.

DejaVu has no CJK glyphs (it draws a box for each), so a line with CJK characters is drawn
with WenQuanYi Micro Hei, which the paperang-p2-fonts-cjk package ships, or a CJK font the
system has. In PDFs the line uses reportlab's CID font STSong-Light, which PDF viewers supply.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from importlib import resources
from pathlib import Path

import barcode

log = logging.getLogger(__name__)

# The font python-barcode ships, so labels look the same on every machine.
LATIN_FONT_PATH = Path(barcode.__file__).parent / "fonts" / "DejaVuSansMono.ttf"
_CJK_PACKAGE = ("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc")
# Where Debian's fonts-wqy-microhei, fonts-wqy-zenhei and fonts-noto-cjk put theirs.
_SYSTEM_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
# Reportlab's built-in Adobe-GB1 CID font: PDF viewers bring the glyphs, nothing is embedded.
PDF_CJK_FONT = "STSong-Light"
PDF_LATIN_FONT = "Courier"

# CJK radicals and symbols, kana, unified ideographs (with extension A), Hangul, compatibility
# ideographs and the full-width forms: characters DejaVu Sans Mono draws as boxes.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


def has_cjk(text: str) -> bool:
    """True when the text has a character only a CJK font draws."""
    return _CJK.search(text) is not None


@cache
def cjk_font_path() -> Path | None:
    """A CJK TrueType font for Pillow: the packaged one, else a system one, else None."""
    package, name = _CJK_PACKAGE
    try:
        packaged = resources.files(package).joinpath(name)
        if packaged.is_file():
            return Path(str(packaged))
    except ModuleNotFoundError:
        pass
    for candidate in map(Path, _SYSTEM_CJK_FONTS):
        if candidate.is_file():
            return candidate
    log.warning("no CJK font found (install paperang-p2-fonts-cjk or fonts-wqy-microhei): "
                "Chinese on PNG labels is drawn as boxes")
    return None


def font_path_for(text: str) -> Path:
    """The font a PNG label draws this text in."""
    if has_cjk(text):
        return cjk_font_path() or LATIN_FONT_PATH
    return LATIN_FONT_PATH


@cache
def _register_pdf_cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_CJK_FONT))
    return PDF_CJK_FONT


def pdf_font_for(text: str) -> str:
    """The reportlab font name a PDF label draws this text in (registering the CID font)."""
    return _register_pdf_cjk_font() if has_cjk(text) else PDF_LATIN_FONT
