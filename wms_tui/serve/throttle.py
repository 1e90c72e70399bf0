"""Guessing the device password gets slow, then stops: per-address delays and lock-outs.

Each address that gets the device password wrong waits before its next try (0.5 s, doubling
per consecutive failure, at most 4 s); ten failures within ten minutes lock it out for ten
minutes, during which its connections are closed before any authentication work. SSH and
telnet share one throttle, so switching doors buys nothing. State is in memory only: a
restart forgets it, which costs an attacker a restart of the server they cannot cause.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger("wms_tui.serve")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class ThrottlePolicy:
    """How hard the throttle pushes back; the defaults are what `wms serve` uses."""

    first_delay: float = 0.5
    max_delay: float = 4.0
    max_failures: int = 10
    window: float = 600.0
    lockout: float = 600.0
    # Beyond this many addresses the quietest are forgotten, so a spread attack costs bounded
    # memory; locked addresses are forgotten last.
    max_addresses: int = 10_000


def address_key(host: str) -> str:
    """The unit an attacker pays per: an IPv4 address, or an IPv6 /64 (one subscriber's
    network, whose 2^64 addresses cost nothing to rotate through)."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass
class _Record:
    failures: deque[float] = field(default_factory=deque)
    consecutive: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0


class AuthThrottle:
    """Failed device passwords per address: how long the next try waits, and who is locked out."""

    def __init__(self, policy: ThrottlePolicy | None = None, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.policy = policy or ThrottlePolicy()
        self.clock = clock
        self.sleep = sleep
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def locked(self, address: str) -> bool:
        """Whether connections from the address are refused now (it is cooling down)."""
        record = self._records.get(address_key(address))
        return record is not None and record.locked_until > self.clock()

    def delay(self, address: str) -> float:
        """Seconds the address's next password waits before it is checked."""
        record = self._records.get(address_key(address))
        if record is None or record.consecutive == 0:
            return 0.0
        if self.clock() - record.last_failure > self.policy.window:
            return 0.0
        # The exponent is capped: years of failures must not overflow a float.
        doublings = min(record.consecutive - 1, 32)
        return min(self.policy.first_delay * 2.0 ** doublings, self.policy.max_delay)

    async def wait_turn(self, address: str) -> None:
        """Wait out the address's delay; a correct password waits as long as a wrong one, so
        firing many guesses at once (each cancelling the last) learns nothing sooner."""
        seconds = self.delay(address)
        if seconds > 0:
            await self.sleep(seconds)

    def failed(self, address: str) -> bool:
        """Count a wrong password; True when it locks the address out (logged here, once)."""
        key = address_key(address)
        now = self.clock()
        record = self._records.get(key)
        if record is None:
            self._forget_quiet(now)
            record = self._records[key] = _Record()
        self._records.move_to_end(key)
        if now - record.last_failure > self.policy.window:
            record.consecutive = 0
        record.consecutive += 1
        record.last_failure = now
        record.failures.append(now)
        while record.failures and now - record.failures[0] > self.policy.window:
            record.failures.popleft()
        if len(record.failures) < self.policy.max_failures or record.locked_until > now:
            return False
        record.locked_until = now + self.policy.lockout
        record.failures.clear()
        log.warning("device authentication from %s: %d wrong passwords within %.0f s; "
                    "its connections are refused for %.0f s", key, self.policy.max_failures,
                    self.policy.window, self.policy.lockout)
        return True

    def succeeded(self, address: str) -> None:
        """A right password: the address's next mistake starts from the first delay again."""
        record = self._records.get(address_key(address))
        if record is not None:
            record.consecutive = 0

    def _forget_quiet(self, now: float) -> None:
        # Room for one more address. Records are kept in order of their last failure, so the
        # first unlocked one is the quietest.
        while len(self._records) >= self.policy.max_addresses:
            quiet = next((k for k, r in self._records.items() if r.locked_until <= now), None)
            if quiet is None:
                self._records.popitem(last=False)
            else:
                del self._records[quiet]

    def addresses(self) -> int:
        """How many addresses the throttle remembers."""
        return len(self._records)


class DevicePassword:
    """The shared device password behind the throttle: the one check SSH and telnet both make."""

    def __init__(self, password: str, throttle: AuthThrottle) -> None:
        self._expected = password.encode()
        self.throttle = throttle

    async def check(self, address: str, given: str) -> bool:
        """Wait the address's turn, then compare; a locked-out address is never compared."""
        if self.throttle.locked(address):
            return False
        await self.throttle.wait_turn(address)
        if self.throttle.locked(address):
            return False
        if hmac.compare_digest(given.encode(errors="surrogateescape"), self._expected):
            self.throttle.succeeded(address)
            return True
        self.throttle.failed(address)
        return False
