"""Check digits for GS1 keys (GTIN, SSCC) and for location labels."""

from __future__ import annotations

from wms_tui.domain.errors import N_, ScanRejected

GTIN_LENGTHS = (8, 12, 13, 14)
SSCC_LENGTH = 18

# The modulus is prime, so no weight below it can cancel a one-character change.
_LOCATION_MODULUS = 97
# An exponent coprime to 96 makes x -> x**5 a permutation of 0..96, keeping distinct sums distinct.
_LOCATION_EXPONENT = 5


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9: what a digit means in any code, quantity or answer.

    str.isdigit (and int()) also take other scripts' digits such as Arabic-Indic and fullwidth
    ones, and isdigit superscripts too; none of them is a digit on a label or a keypad here.
    """
    return text.isascii() and text.isdigit()


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for a key body: weights 3,1,3,... from the right."""
    if not is_ascii_digits(body):
        raise ValueError(f"a GS1 key body must be digits, got {body!r}")
    total = sum(
        int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body))
    )
    return str((10 - total % 10) % 10)


def _has_valid_check_digit(code: str) -> bool:
    return gs1_check_digit(code[:-1]) == code[-1]


def is_valid_gtin(code: str) -> bool:
    """True for an 8, 12, 13 or 14 digit GTIN whose check digit is right."""
    return len(code) in GTIN_LENGTHS and is_ascii_digits(code) and _has_valid_check_digit(code)


def is_valid_sscc(code: str) -> bool:
    """True for an 18 digit SSCC whose check digit is right."""
    return len(code) == SSCC_LENGTH and is_ascii_digits(code) and _has_valid_check_digit(code)


def normalize_gtin(code: str) -> str:
    """The GTIN-14 form of a GTIN-8/12/13/14, so one key finds an item from any label."""
    if not is_ascii_digits(code):
        raise ScanRejected(N_("GTIN {code!r} must be digits only"), code=code)
    if len(code) not in GTIN_LENGTHS:
        raise ScanRejected(N_("GTIN {code!r} has {length} digits; expected 8, 12, 13 or 14"),
                           code=code, length=len(code))
    expected = gs1_check_digit(code[:-1])
    if code[-1] != expected:
        raise ScanRejected(N_("GTIN {code} has check digit {digit}; expected {expected}"),
                           code=code, digit=code[-1], expected=expected)
    return code.zfill(14)


def location_check_digits(code: str) -> str:
    """The two check digits printed on a location label, keyed when the barcode is damaged.

    Rule: take the location code stripped and upper-cased; s = sum of (position x code
    point) over its characters, positions counted from 1 (wrapping 97 back to 1), mod 97;
    the check value is s**5 mod 97, written as two digits "00".."96".

    For ASCII codes any single changed character or swapped adjacent pair gives different
    check digits, so neighbouring slots never share them; the final power keeps the
    difference between consecutive slots from being a constant an operator could learn.
    """
    canonical = code.strip().upper()
    if not canonical:
        raise ValueError("a location code is needed to compute check digits")
    weighted = sum(
        (index % (_LOCATION_MODULUS - 1) + 1) * ord(character)
        for index, character in enumerate(canonical)
    )
    value = pow(weighted % _LOCATION_MODULUS, _LOCATION_EXPONENT, _LOCATION_MODULUS)
    return f"{value:02d}"


def make_sscc(company_prefix: str, serial: int, extension: str = "0") -> str:
    """An 18 digit SSCC: extension digit, company prefix, zero-padded serial, check digit."""
    if len(extension) != 1 or not is_ascii_digits(extension):
        raise ValueError(f"SSCC extension must be one digit, got {extension!r}")
    if not is_ascii_digits(company_prefix):
        raise ValueError(f"GS1 company prefix must be digits, got {company_prefix!r}")
    if serial < 0:
        raise ValueError(f"SSCC serial must not be negative, got {serial}")
    serial_width = SSCC_LENGTH - 2 - len(company_prefix)
    serial_digits = str(serial)
    if serial_width < 1 or len(serial_digits) > serial_width:
        raise ValueError(
            f"company prefix {company_prefix} leaves {max(serial_width, 0)} digits for the "
            f"serial; {serial} does not fit in the 17 digits before the check digit"
        )
    body = extension + company_prefix + serial_digits.zfill(serial_width)
    return body + gs1_check_digit(body)
