"""Webhooks: the signature an ERP checks, the retry schedule, and what a failed try leads to.

Pure: the worker (wms_tui/api/webhook_worker.py) and the SQL store (wms_tui/db/webhooks.py)
apply these rules; docs/api.md describes them to the receivers.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from wms_tui.domain.errors import BadInput
from wms_tui.domain.exports import EventKind

SIGNATURE_VERSION = "v1"
SECRET_PREFIX = "whsec_"
# Seconds before the 2nd, 3rd, ... try; past the end the last delay repeats.
DEFAULT_DELAYS: tuple[float, ...] = (10, 30, 120, 600, 3600)
DEFAULT_MAX_TRIES = 8
MAX_URL = 2000
# What a receiver's error is cut to before it is kept.
MAX_ERROR = 200


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    # Failed max_tries times: kept until `wms api webhook replay` puts it back.
    DEAD = "dead"


@dataclass(frozen=True)
class Subscription:
    """One client's webhook: where events go, which kinds, and how far it has been fed."""

    id: int
    client: str
    url: str
    kinds: tuple[EventKind, ...]
    secret: str
    active: bool
    # The outbox position up to which events were queued for it (exports.Cursor text).
    cursor: str
    created_at: datetime

    def wants(self, kind: EventKind) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class Delivery:
    """One event for one subscription, with its tries so far."""

    id: int
    subscription_id: int
    event_id: str
    event: str
    body: str
    state: DeliveryState
    tries: int
    next_at: datetime
    last_error: str | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait after each failed try, and after how many tries to give up."""

    delays: tuple[float, ...] = DEFAULT_DELAYS
    max_tries: int = DEFAULT_MAX_TRIES

    def __post_init__(self) -> None:
        if self.max_tries < 1:
            raise BadInput("webhook tries must be at least 1")
        if not self.delays or any(d < 0 for d in self.delays):
            raise BadInput("webhook retry delays must be one or more seconds, none negative")

    def delay_after(self, tries: int) -> float | None:
        """Seconds until the next try once `tries` tries have failed; None: dead letter."""
        if tries >= self.max_tries:
            return None
        return self.delays[min(max(tries, 1), len(self.delays)) - 1]

    @classmethod
    def parse(cls, delays: str | None, max_tries: int = DEFAULT_MAX_TRIES) -> RetryPolicy:
        """From `10,30,120` (seconds); None or empty: the default schedule."""
        if not delays or not delays.strip():
            return cls(max_tries=max_tries)
        try:
            parsed = tuple(float(d) for d in delays.split(","))
        except ValueError:
            raise BadInput(f"retry delays {delays[:40]!r} must be seconds separated by commas, "
                           "like 10,30,120") from None
        return cls(parsed, max_tries)


def new_secret() -> str:
    """A signing secret: shown once when the subscription is made."""
    return SECRET_PREFIX + secrets.token_hex(24)


def signed_content(event_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{event_id}.{timestamp}.".encode() + body


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """`v1=` and the hex HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed by the secret's UTF-8."""
    digest = hmac.new(secret.encode(), signed_content(event_id, timestamp, body),
                      hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify(secret: str, event_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether any of the space-separated signatures in header is right for this body."""
    expected = signature(secret, event_id, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in header.split())


def event_body(record: Mapping[str, object]) -> str:
    """The JSON a receiver gets: the feed's record, led by its event id (the cursor)."""
    return json.dumps({"id": record["cursor"], **record}, ensure_ascii=False,
                      separators=(",", ":"))


def parse_kinds(values: Iterable[str]) -> tuple[EventKind, ...]:
    kinds: list[EventKind] = []
    for value in values:
        try:
            kind = EventKind(value.strip().lower())
        except ValueError:
            known = ", ".join(k.value for k in EventKind)
            raise BadInput(f"event kind {value[:20]!r} is not one of {known}") from None
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def check_url(url: str) -> str:
    """An http(s) URL with a host, no spaces or control characters, at most MAX_URL long."""
    url = url.strip()
    parts = urlsplit(url)
    if (len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname
            or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url)):
        raise BadInput(f"webhook URL {url[:60]!r} must be http:// or https:// with a host, "
                       f"at most {MAX_URL} characters")
    return url


def short_error(text: str) -> str:
    """A failure as kept on the delivery: one line, at most MAX_ERROR characters."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_ERROR else line[:MAX_ERROR - 3] + "..."
