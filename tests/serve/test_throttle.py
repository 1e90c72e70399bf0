"""The device password throttle: delays that double, a lock-out per address, bounded memory."""

from __future__ import annotations

import asyncio
import logging

import pytest

from wms_tui.serve.throttle import AuthThrottle, DevicePassword, ThrottlePolicy, address_key


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """Records every wait the throttle asks for and returns at once."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


def throttle(policy: ThrottlePolicy | None = None) -> tuple[AuthThrottle, Clock, Sleeps]:
    clock, sleeps = Clock(), Sleeps()
    return AuthThrottle(policy, clock=clock, sleep=sleeps), clock, sleeps


def test_each_consecutive_failure_doubles_the_next_wait_up_to_the_cap() -> None:
    t, _, _ = throttle()
    waits = []
    for _ in range(7):
        waits.append(t.delay("10.0.0.5"))
        t.failed("10.0.0.5")
    assert waits == [0.0, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert t.delay("10.0.0.6") == 0.0  # another address pays nothing


def test_a_right_password_starts_the_waits_afresh() -> None:
    t, _, _ = throttle()
    for _ in range(3):
        t.failed("10.0.0.5")
    t.succeeded("10.0.0.5")
    assert t.delay("10.0.0.5") == 0.0
    t.failed("10.0.0.5")
    assert t.delay("10.0.0.5") == 0.5


def test_ten_failures_in_the_window_lock_the_address_out_until_the_cool_down_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    t, clock, _ = throttle()
    caplog.set_level(logging.WARNING, "wms_tui.serve")
    locks = []
    for _ in range(10):
        assert not t.locked("10.0.0.5")
        locks.append(t.failed("10.0.0.5"))
        clock.now += 30
    assert locks == [False] * 9 + [True]
    assert t.locked("10.0.0.5") and not t.locked("10.0.0.6")
    locked = [r for r in caplog.records if "refused for 600 s" in r.getMessage()]
    assert len(locked) == 1 and "10.0.0.5" in locked[0].getMessage()
    clock.now += 600 - 31  # the tenth failure was 30 s ago
    assert t.locked("10.0.0.5")
    clock.now += 1
    assert not t.locked("10.0.0.5")


def test_failures_spread_wider_than_the_window_never_lock() -> None:
    t, clock, _ = throttle()
    for _ in range(30):
        assert not t.failed("10.0.0.5")
        clock.now += 67  # any 10 of them span more than 600 s
    assert not t.locked("10.0.0.5")
    # And a long quiet spell forgets the consecutive failures too.
    clock.now += 601
    assert t.delay("10.0.0.5") == 0.0


def test_ipv6_addresses_of_one_64_count_as_one_and_mapped_ipv4_as_ipv4() -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("::ffff:10.0.0.5") == "10.0.0.5"
    assert address_key("fe80::1%eth0") == "fe80::/64"
    assert address_key("not an address") == "not an address"
    t, _, _ = throttle(ThrottlePolicy(max_failures=3))
    for n in range(3):
        t.failed(f"2001:db8:1:2::{n + 1:x}")
    assert t.locked("2001:db8:1:2::abcd")


def test_memory_is_bounded_and_locked_addresses_are_forgotten_last() -> None:
    t, clock, _ = throttle(ThrottlePolicy(max_addresses=3, max_failures=2))
    t.failed("10.0.0.1")
    t.failed("10.0.0.1")
    for n in range(2, 50):
        clock.now += 1
        t.failed(f"10.0.1.{n}")
    assert t.addresses() == 3
    assert t.locked("10.0.0.1")  # the oldest, but locked: the quiet ones went instead
    assert t.delay("10.0.1.49") == 0.5 and t.delay("10.0.1.2") == 0.0
    # When every address is locked, the oldest lock is forgotten.
    t, clock, _ = throttle(ThrottlePolicy(max_addresses=3, max_failures=1))
    for n in range(1, 5):
        t.failed(f"10.0.0.{n}")
    assert t.addresses() == 3
    assert [t.locked(f"10.0.0.{n}") for n in range(1, 5)] == [False, True, True, True]


def test_the_device_password_waits_its_turn_and_is_never_compared_while_locked() -> None:
    t, _, sleeps = throttle(ThrottlePolicy(max_failures=3))
    password = DevicePassword("gun-secret", t)

    async def guesses() -> list[bool]:
        results = [await password.check("10.0.0.5", guess)
                   for guess in ("a", "b", "c", "gun-secret")]
        return results

    assert asyncio.run(guesses()) == [False, False, False, False]
    assert sleeps.asked == [0.5, 1.0]  # the fourth try is refused before any wait
    assert t.locked("10.0.0.5")


def test_a_right_password_also_waits_so_a_burst_of_guesses_gains_nothing() -> None:
    t, _, sleeps = throttle()
    password = DevicePassword("gun-secret", t)
    t.failed("10.0.0.5")
    t.failed("10.0.0.5")

    async def right() -> bool:
        return await password.check("10.0.0.5", "gun-secret")

    assert asyncio.run(right())
    assert sleeps.asked == [1.0]
    assert t.delay("10.0.0.5") == 0.0


def test_thousands_of_consecutive_failures_still_wait_the_cap() -> None:
    t, _, _ = throttle(ThrottlePolicy(max_failures=10**9))
    for _ in range(5000):
        t.failed("10.0.0.5")
    assert t.delay("10.0.0.5") == 4.0
