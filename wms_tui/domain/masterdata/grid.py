"""Generating a rack grid's locations in serpentine walk order."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, cast

from wms_tui.domain.checkdigits import is_ascii_digits, location_check_digits
from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import show as _show
from wms_tui.domain.importing import ImportReport
from wms_tui.domain.masterdata.locations import barcode_clash
from wms_tui.domain.masterdata.warehouse import ZONE_CODE, UowFactory, ensure_zones
from wms_tui.domain.model import LocationType
from wms_tui.domain.ports import LocationSpec
from wms_tui.domain.stock import with_retry
from wms_tui.domain.text import shown

MAX_GENERATED = 100_000

_PREFIX = re.compile(r"[A-Z0-9._/-]*")
_NUMBER = re.compile(r"[0-9]{1,4}")
_LETTER = re.compile(r"[A-Z]")


def _expand(text: str, option: str, *, letters: bool) -> list[str]:
    """'1-10', 'A-C' or lists such as 'A,C,F-H' into labels, in the order written."""
    labels: list[str] = []
    for token in (t.strip().upper() for t in text.split(",")):
        low, dash, high = token.partition("-")
        high = high if dash else low
        if _NUMBER.fullmatch(low) and _NUMBER.fullmatch(high):
            first, last = int(low), int(high)
            if first > last:
                raise BadInput(f"{option}: range {token} runs backwards")
            if last - first >= 1000:
                raise BadInput(f"{option}: {token} is more than 1000 values")
            labels.extend(str(n) for n in range(first, last + 1))
        elif letters and _LETTER.fullmatch(low) and _LETTER.fullmatch(high):
            if high < low:
                raise BadInput(f"{option}: range {token} runs backwards")
            labels.extend(chr(c) for c in range(ord(low), ord(high) + 1))
        else:
            kind = "numbers or single letters" if letters else "numbers"
            raise BadInput(f"{option}: {_show(token)} is not a range of {kind} such as 1-10")
    if len(set(labels)) != len(labels):
        raise BadInput(f"{option}: {shown(text)} names a value twice")
    return labels


def _pad(labels: list[str], minimum: int) -> list[str]:
    """Zero-pad numbers to one width so codes sort as they read."""
    width = max([minimum, *(len(x) for x in labels if is_ascii_digits(x))])
    return [x.zfill(width) if is_ascii_digits(x) else x for x in labels]


@dataclass(frozen=True)
class GridSlot:
    code: str
    aisle: str
    bay: str
    level: str


def serpentine(
    aisles: Sequence[str],
    bays: Sequence[str],
    levels: Sequence[str],
    positions: Sequence[str] = ("1",),
    prefix: str = "",
    *,
    first_down: bool = False,
) -> list[GridSlot]:
    """The slots of a rack grid in serpentine walk order.

    Aisles are walked in the order given. In the 1st, 3rd, 5th... aisle the bays go up;
    in the 2nd, 4th... they come back down, so the picker never walks an aisle empty
    (first_down swaps the two, for a grid that continues a walk ending at the top of an
    aisle). Inside a bay the levels go up, inside a level the positions go up. The code of a
    slot is prefix + aisle-bay-level-position, e.g. A-01-02-3.
    """
    slots = []
    for index, aisle in enumerate(aisles):
        walk = bays if (index + first_down) % 2 == 0 else list(reversed(bays))
        for bay in walk:
            for level in levels:
                for position in positions:
                    code = f"{prefix}{aisle}-{bay}-{level}-{position}"
                    slots.append(GridSlot(code, aisle, bay, level))
    return slots


class WalkReads(Protocol):
    """Where the warehouse's walk ends (the SQL master data repository has it)."""

    def last_aisle_walk(self) -> tuple[str, list[str]]: ...


def _bay_order(bay: str) -> tuple[int, int, str]:
    return (0, int(bay), "") if is_ascii_digits(bay) else (1, 0, bay)


def continues_down(last_aisle: str, walked: Sequence[str], first_aisle: str) -> bool:
    """Whether the first aisle of a new grid walks its bays down to continue the existing
    walk: the aisle after one walked up comes down; more of the same aisle keeps its way."""
    if len(set(walked)) < 2:
        return False  # No way walked yet: a new walk begins going up.
    went_up = _bay_order(walked[-1]) > _bay_order(walked[0])
    return not went_up if first_aisle == last_aisle else went_up


def generate_locations(
    uow_factory: UowFactory,
    *,
    zone: str,
    location_type: str,
    aisles: str,
    bays: str,
    levels: str,
    positions: str = "1",
    prefix: str = "",
    capacity: int | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Create a rack grid's locations in serpentine walk order (see serpentine()).

    New locations get walk sequences continuing after the highest one in the warehouse, and
    the serpentine goes on from where the walk ends: after an aisle walked up, the first new
    aisle comes down. Locations that already exist keep their walk sequence and barcode, so
    running the same command twice changes nothing.
    """
    zone_code = zone.strip().upper()
    if not ZONE_CODE.fullmatch(zone_code) or len(zone_code) > 20:
        raise BadInput(f"zone {_show(zone)} must be 1-20 letters, digits, _ or -")
    try:
        kind = LocationType(location_type.strip().lower())
    except ValueError:
        choices = ", ".join(t.value for t in LocationType)
        raise BadInput(f"type {_show(location_type)} must be one of {choices}") from None
    prefix = prefix.strip().upper()
    if not _PREFIX.fullmatch(prefix) or len(prefix) > 10:
        raise BadInput(f"prefix {_show(prefix)} must be up to 10 letters, digits, . _ / or -")
    if capacity is not None and capacity < 1:
        raise BadInput("capacity must be at least 1")
    grid = [
        _pad(_expand(aisles, "aisles", letters=True), 2),
        _pad(_expand(bays, "bays", letters=False), 2),
        _pad(_expand(levels, "levels", letters=False), 2),
        _pad(_expand(positions, "positions", letters=False), 1),
    ]
    total = len(grid[0]) * len(grid[1]) * len(grid[2]) * len(grid[3])
    if total > MAX_GENERATED:
        raise BadInput(f"that is {total} locations; generate at most {MAX_GENERATED} at once")
    too_long = [s.code for s in serpentine(grid[0], grid[1], grid[2], grid[3], prefix)
                if len(s.code) > 30]
    if too_long:
        raise BadInput(f"location code {too_long[0]} is longer than 30 characters")

    def work() -> ImportReport:
        with uow_factory() as uow:
            md = uow.masterdata
            # The SQL repository reads where the walk ends; a new grid goes on from there.
            last_aisle, walked = cast(WalkReads, md).last_aisle_walk()
            slots = serpentine(grid[0], grid[1], grid[2], grid[3], prefix,
                               first_down=continues_down(last_aisle, walked, grid[0][0]))
            report = ImportReport(
                "locations", rows=len(slots), dry_run=dry_run, counted="location(s)"
            )
            next_seq = md.max_walk_seq() + 1
            specs = []
            for slot in slots:
                existing = md.location(slot.code)
                if existing is None:
                    other = barcode_clash(md, slot.code, slot.code)
                    if other is not None:
                        report.errors.append(
                            f"{slot.code}: already names location {shown(other)}")
                        continue
                    spec = LocationSpec(
                        code=slot.code, barcode=slot.code,
                        check_digits=location_check_digits(slot.code), type=kind,
                        walk_seq=next_seq, zone=zone_code, capacity=capacity,
                    )
                    next_seq += 1
                else:
                    spec = replace(
                        existing, type=kind, zone=zone_code,
                        capacity=existing.capacity if capacity is None else capacity,
                    )
                specs.append((existing, replace(
                    spec, aisle=slot.aisle, bay=slot.bay, level=slot.level,
                )))
            if report.errors:
                report.sort_errors()
                return report
            ensure_zones(md, {zone_code}, report, write=not dry_run)
            new = [spec for existing, spec in specs if existing is None]
            for existing, spec in specs:
                if report.count(existing, spec) and not dry_run:
                    md.save_location(spec)
            if new:
                report.notes.append(
                    f"new: {new[0].code} .. {new[-1].code}, "
                    f"walk sequence {new[0].walk_seq}..{new[-1].walk_seq}"
                )
            if not dry_run:
                uow.commit()
            return report

    return with_retry(work)
