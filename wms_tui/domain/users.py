"""Operators and their PINs: slow hashes, lock-out after repeated failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from wms_tui.domain.errors import N_, AccountLocked, AuthFailed, BadInput
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.ports import UnitOfWork, UserRecord

MAX_FAILED_ATTEMPTS = 5
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


def authenticate(uow: UnitOfWork, login: str, pin: str, terminal: str = "cli") -> Actor:
    """Check a PIN; count failures and lock the account at the limit."""
    with uow:
        user = uow.users.by_login(login.strip().upper())
        if user is None or not user.active:
            raise AuthFailed(N_("unknown user or PIN"))
        if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
            raise AccountLocked(N_("user {login} is locked: ask a supervisor to reset the PIN"),
                                login=user.login)
        if not verify_pin(pin, user.pin_hash):
            user.failed_attempts += 1
            left = MAX_FAILED_ATTEMPTS - user.failed_attempts
            uow.commit()
            if left <= 0:
                raise AccountLocked(N_("user {login} is now locked: ask a supervisor"),
                                    login=user.login)
            raise AuthFailed(N_("wrong PIN ({left} tries left)"), left=left)
        user.failed_attempts = 0
        assert user.id is not None
        actor = Actor(user.id, user.login, Role(user.role), terminal, user.language)
        uow.commit()
        return actor


def reset_pin(uow: UnitOfWork, login: str, pin: str) -> None:
    validate_pin(pin)
    with uow:
        user = uow.users.by_login(login.upper())
        if user is None:
            raise BadInput(f"no user {login!r}")
        user.pin_hash = hash_pin(pin)
        user.failed_attempts = 0
        uow.commit()


def set_active(uow: UnitOfWork, login: str, active: bool) -> None:
    with uow:
        user = uow.users.by_login(login.upper())
        if user is None:
            raise BadInput(f"no user {login!r}")
        user.active = active
        uow.commit()
