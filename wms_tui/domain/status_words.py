"""The word a message shows for a stored status or kind, so it is translated with the message."""

from __future__ import annotations

from collections.abc import Sequence

from wms_tui.domain.errors import N_, Term, WmsError

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
    # Task kinds, location types, roles, actions and reason kinds: the same value ("pick",
    # "adjust") means the same word wherever it is stored.
    "pick": N_("pick"),
    "replenish": N_("replenish"),
    "dock": N_("dock"),
    "qc": N_("QC"),
    "reserve": N_("reserve"),
    "staging": N_("staging"),
    "operator": N_("operator"),
    "supervisor": N_("supervisor"),
    "admin": N_("admin"),
    "receive": N_("receive"),
    "receive_blind": N_("receive blind"),
    "over_receipt": N_("over receipt"),
    "putaway": N_("putaway"),
    "putaway_override": N_("putaway override"),
    "move": N_("move"),
    "count": N_("count"),
    "adjust": N_("adjust"),
    "change_status": N_("change status"),
    "approve": N_("approve"),
    "manage_users": N_("manage users"),
    "manage_master_data": N_("manage master data"),
    "status": N_("status"),
}


def status_word(status: str) -> Term:
    """A stored status, kind, type, role or action as a message value: English in logs, the
    user's language on a screen; a value with no word here shows as stored."""
    value = str(status)
    return Term(_WORDS.get(value, value))


# One table serves both: a name that says which stored value the caller shows.
kind_word = status_word


def any_of(words: Sequence[Term]) -> Term | WmsError:
    """Words joined by "or" in the message's language (a nested message renders translated)."""
    phrase: Term | WmsError = words[0]
    for word in words[1:]:
        phrase = WmsError(N_("{either} or {other}"), either=phrase, other=word)
    return phrase
