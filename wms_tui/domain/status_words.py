"""The word a message shows for a stored status, so it is translated with the message."""

from __future__ import annotations

from wms_tui.domain.errors import N_, Term

# Keyed by the stored value: statuses of different things that share a value share its word.
_WORDS: dict[str, str] = {
    "open": N_("open"),
    "released": N_("released"),
    "picking": N_("picking"),
    "picked": N_("picked"),
    "short": N_("short"),
    "shipped": N_("shipped"),
    "cancelled": N_("cancelled"),
    "done": N_("done"),
    "in_progress": N_("in progress"),
    "receiving": N_("receiving"),
    "closed": N_("closed"),
    "packed": N_("packed"),
    "loaded": N_("loaded"),
    "available": N_("available"),
    "qc_hold": N_("QC hold"),
    "damaged": N_("damaged"),
    "blocked": N_("blocked"),
}


def status_word(status: str) -> Term:
    """The status as a message value: English in logs, the user's language on a screen; a
    status with no word here shows as stored."""
    value = str(status)
    return Term(_WORDS.get(value, value))
