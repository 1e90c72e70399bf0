"""API clients and their keys: who may call the HTTP API, with which scopes, as which user.

A key is shown once, when its client is added, and stored only as its SHA-256: a key is 32
random bytes, so a fast hash is as good as a slow one and costs nothing per request. The
clients live in one JSON file in the data directory (`api_clients.json`, mode 0600), read
again whenever it changes, so `wms api client revoke` takes effect without a restart.

This module imports no web framework: the `wms api client` commands use it as it is.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wms_tui.domain.errors import BadInput

CLIENTS_FILE = "api_clients.json"
KEY_PREFIX = "wms_"
CLIENT_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,15}")
DEFAULT_RATE = 20.0
DEFAULT_BURST = 40


class Scope(enum.StrEnum):
    """What a client may do; admin may do everything."""

    READ = "read"
    ORDERS = "orders"
    MASTERDATA = "masterdata"
    ADMIN = "admin"


@dataclass(frozen=True)
class ApiClient:
    """One client as stored: its key only as a hash, and the WMS user it acts as."""

    name: str
    scopes: tuple[Scope, ...]
    key_hash: str
    login: str
    created_at: str
    # The key's first characters, so an admin can tell which key a client holds.
    key_hint: str = ""
    revoked_at: str | None = None
    # Requests per second, and how many may come at once after a quiet spell.
    rate: float = DEFAULT_RATE
    burst: int = DEFAULT_BURST
    # The client's field mapping as its file holds it (domain/field_mapping.py), or none.
    mapping: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes


def client_login(name: str) -> str:
    """The WMS user a client acts as by default: API- and its name, upper-cased."""
    return f"API-{name.upper()}"


def check_name(name: str) -> str:
    if not CLIENT_NAME.fullmatch(name):
        raise BadInput(f"client name {name[:20]!r} must be 1-16 lower-case letters, digits "
                       "or '-', starting with a letter or digit")
    return name


def parse_scopes(values: Iterable[str]) -> tuple[Scope, ...]:
    picked: list[Scope] = []
    for value in values:
        try:
            scope = Scope(value.strip().lower())
        except ValueError:
            raise BadInput(f"scope {value[:20]!r}: choose from "
                           f"{', '.join(s.value for s in Scope)}") from None
        if scope not in picked:
            picked.append(scope)
    if not picked:
        raise BadInput("give a client at least one --scope")
    return tuple(picked)


def new_key() -> str:
    """A fresh key: 32 random bytes, URL-safe, with a prefix a secret scanner can spot."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class _Loaded:
    stamp: tuple[int, int, int] | None = None
    clients: tuple[ApiClient, ...] = field(default_factory=tuple)


class ClientBook:
    """The clients file: add, list, revoke, and find the client a key belongs to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._loaded = _Loaded()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ClientBook:
        return cls(data_dir / CLIENTS_FILE)

    def clients(self) -> tuple[ApiClient, ...]:
        """Every client, revoked ones too; the file is read again only when it changed."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return ()
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            if self._loaded.stamp != stamp:
                self._loaded = _Loaded(stamp, self._read())
            return self._loaded.clients

    def _read(self) -> tuple[ApiClient, ...]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return tuple(
                ApiClient(**{**raw, "scopes": tuple(Scope(s) for s in raw["scopes"])})
                for raw in data["clients"]
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"{self.path} is not a clients file wms wrote: {exc}") from None

    def find(self, key: str) -> ApiClient | None:
        """The active client holding key; every client's hash is compared, in constant time."""
        wanted = key_hash(key).encode()
        found = None
        for client in self.clients():
            if hmac.compare_digest(wanted, client.key_hash.encode()) and client.active:
                found = client
        return found

    def get(self, name: str) -> ApiClient | None:
        return next((c for c in self.clients() if c.name == name), None)

    def add(self, name: str, scopes: tuple[Scope, ...], login: str, *,
            rate: float = DEFAULT_RATE, burst: int = DEFAULT_BURST) -> tuple[ApiClient, str]:
        """A new client and its key, which is never stored and cannot be shown again."""
        check_name(name)
        if not 0 < rate <= 10_000 or not 1 <= burst <= 100_000:
            raise BadInput("rate must be above 0 and at most 10000 a second, burst 1 to 100000")
        existing = self.get(name)
        if existing is not None and existing.active:
            raise BadInput(f"client {name} exists: revoke it first to give it a new key")
        key = new_key()
        client = ApiClient(name, scopes, key_hash(key), login, _now(), key[:8], rate=rate,
                           burst=burst)
        others = [c for c in self.clients() if c.name != name]
        self._write([*others, client])
        return client, key

    def revoke(self, name: str) -> ApiClient:
        client = self.get(name)
        if client is None:
            raise BadInput(f"no client {name[:20]!r}")
        if not client.active:
            return client
        revoked = replace(client, revoked_at=_now())
        self._write([revoked if c.name == name else c for c in self.clients()])
        return revoked

    def set_mapping(self, name: str, mapping: dict[str, Any] | None) -> ApiClient:
        """Store (or, with None, drop) a client's field mapping; the caller has checked it."""
        client = self.get(name)
        if client is None:
            raise BadInput(f"no client {name[:20]!r}")
        changed = replace(client, mapping=mapping)
        self._write([changed if c.name == name else c for c in self.clients()])
        return changed

    def _write(self, clients: list[ApiClient]) -> None:
        """Replace the file at once, readable by its owner only."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        rows = [{**asdict(c), "scopes": [s.value for s in c.scopes]} for c in clients]
        fd, temp = tempfile.mkstemp(prefix=".api_clients.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"clients": rows}, handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
