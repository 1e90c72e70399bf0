"""Operators and their PINs: slow hashes, lock-out after repeated failures."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta

from wms_tui.domain.errors import N_, AccountLocked, AuthFailed, BadInput
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.ports import UnitOfWork, UserRecord
from wms_tui.domain.text import shown

log = logging.getLogger(__name__)

MAX_FAILED_ATTEMPTS = 5
# How long an account stays locked after MAX_FAILED_ATTEMPTS wrong PINs, unless unlocked.
LOCKOUT = timedelta(minutes=15)
# The one answer to every refused log-in: it must not tell an unknown user from a wrong PIN.
REFUSED = N_("Wrong user ID or PIN, or locked")
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
LANGUAGES = ("en", "zh_CN")


def hash_pin(pin: str) -> str:
    """scrypt with a per-user salt, so a stolen database does not give away PINs."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    enc = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def validate_login(login: str) -> str:
    if not LOGIN_PATTERN.fullmatch(login):
        raise BadInput(f"user ID {login[:20]!r} must be 1-20 letters, digits, '.', '_' or '-'")
    return login.upper()


def validate_pin(pin: str) -> str:
    if not PIN_PATTERN.fullmatch(pin):
        raise BadInput("PIN must be 4 to 8 digits")
    return pin


def parse_role(text: str) -> Role:
    try:
        return Role(text.lower())
    except ValueError:
        raise BadInput(f"role {text!r} must be operator, supervisor or admin") from None


def add_user(
    uow: UnitOfWork, login: str, name: str, role: str, pin: str, language: str = "en"
) -> UserRecord:
    login = validate_login(login)
    validate_pin(pin)
    parsed_role = parse_role(role)
    if language not in LANGUAGES:
        raise BadInput(f"language {language!r} must be one of {', '.join(LANGUAGES)}")
    if not name.strip() or len(name) > 80:
        raise BadInput("name must be 1 to 80 characters")
    with uow:
        if uow.users.by_login(login) is not None:
            raise BadInput(f"user {login} already exists")
        user = uow.users.add(login, name.strip(), parsed_role.value, hash_pin(pin), language)
        uow.commit()
        return user


@functools.cache
def _dummy_hash() -> str:
    # Unknown users cost one scrypt too, so timing does not tell them from known ones.
    return hash_pin("0000")


def authenticate(uow: UnitOfWork, login: str, pin: str, terminal: str = "cli", *,
                 lockout: timedelta | None = LOCKOUT, now: datetime | None = None) -> Actor:
    """Check a PIN; count failures and lock the account at the limit.

    Every refusal gives the operator the same message and costs the same scrypt, so a terminal
    cannot tell an unknown user from a wrong PIN or a locked account; the reason goes in the
    refusal's `detail` for the audit trail. An attempt is counted before its PIN is checked, in
    one conditional update, so parallel sessions cannot check more than MAX_FAILED_ATTEMPTS
    wrong PINs between two good ones. lockout None locks until a supervisor unlocks.
    """
    moment = now or datetime.now(UTC)
    until = None if lockout is None else moment + lockout
    with uow:
        user = uow.users.by_login(login.strip().upper())
        user_id = None if user is None or not user.active else user.id
        # The attempt is counted (and the lock set at the limit) before the slow check.
        count = None if user_id is None else uow.users.claim_attempt(
            user_id, MAX_FAILED_ATTEMPTS, moment, until)
        uow.commit()
    right = verify_pin(pin, user.pin_hash if user is not None else _dummy_hash())
    if user is None or user_id is None:
        raise AuthFailed(REFUSED, detail="unknown user" if user is None else "inactive user")
    if count is None:
        raise AccountLocked(REFUSED, detail=_locked_detail(user.locked_until))
    if right:
        with uow:
            uow.users.clear_attempts(user_id)
            uow.commit()
        return Actor(user_id, user.login, Role(user.role), terminal, user.language)
    if count >= MAX_FAILED_ATTEMPTS:
        # A supervisor alert: the server log names the account, the terminal and the end.
        log.warning("user %s locked at terminal %s after %d wrong PINs, %s", user.login,
                    shown(terminal, 40), count, _locked_detail(until))
        raise AccountLocked(REFUSED, detail=f"wrong PIN {count} of {MAX_FAILED_ATTEMPTS}, "
                            + _locked_detail(until))
    raise AuthFailed(REFUSED, detail=f"wrong PIN {count} of {MAX_FAILED_ATTEMPTS}")


def _locked_detail(until: datetime | None) -> str:
    if until is None:
        return "locked until a supervisor unlocks"
    return f"locked until {until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def is_locked(user: UserRecord, now: datetime | None = None) -> bool:
    """Whether the account refuses every PIN now (for lists; authenticate decides atomically)."""
    if user.failed_attempts < MAX_FAILED_ATTEMPTS:
        return False
    until = user.locked_until
    if until is None:
        return True
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return until > (now or datetime.now(UTC))


def unlock(uow: UnitOfWork, login: str) -> bool:
    """Clear a user's failed PINs and lock; whether the account was locked."""
    with uow:
        user = uow.users.by_login(login.upper())
        if user is None or user.id is None:
            raise BadInput(f"no user {login!r}")
        was_locked = is_locked(user)
        uow.users.clear_attempts(user.id)
        uow.commit()
        return was_locked


def reset_pin(uow: UnitOfWork, login: str, pin: str) -> None:
    validate_pin(pin)
    with uow:
        user = uow.users.by_login(login.upper())
        if user is None:
            raise BadInput(f"no user {login!r}")
        user.pin_hash = hash_pin(pin)
        user.failed_attempts = 0
        user.locked_until = None
        uow.commit()


def set_active(uow: UnitOfWork, login: str, active: bool) -> None:
    with uow:
        user = uow.users.by_login(login.upper())
        if user is None:
            raise BadInput(f"no user {login!r}")
        user.active = active
        uow.commit()
