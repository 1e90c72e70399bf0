"""Operator text in the operator's language, through the standard library's gettext.

Catalogues live in `locale/<lang>/LC_MESSAGES/wms.po` (edited) and `wms.mo` (compiled, shipped);
`python -m wms_tui.i18n.extract` refreshes both from the code. See README.md beside this file.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable
from pathlib import Path

DOMAIN = "wms"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh_CN")
# English is the language the code is written in, so it works even without its catalogue.
SOURCE_LANGUAGE = "en"


@functools.cache
def translator(lang: str) -> Callable[[str], str]:
    """The gettext function for one language; unknown languages are refused, not ignored."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} must be one of {', '.join(LANGUAGES)}")
    translation = gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=lang == SOURCE_LANGUAGE
    )

    def translate(text: str) -> str:
        # gettext("") is the catalogue's header, never what an empty label should show.
        return translation.gettext(text) if text else text

    return translate


class Label(str):
    """An English label that keeps its template, so the scanner shows it in the user's language."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Label:
        label = super().__new__(cls, template.format(**values))
        label.template, label.values = template, values
        return label

    def translated(self, t: Callable[[str], str]) -> str:
        return t(self.template).format(**self.values)


def label_text(label: str, t: Callable[[str], str]) -> str:
    """The label in the user's language (a plain string is shown as it is)."""
    return label.translated(t) if isinstance(label, Label) else label
