"""`wms labels …`: location, item, pallet and carton labels to files or a Zebra printer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.choices import LabelFormat
from wms_tui.cli.common import handles_errors, open_site
from wms_tui.domain.errors import BadInput
from wms_tui.domain.periods import day
from wms_tui.domain.text import shown

if TYPE_CHECKING:
    from wms_tui.domain.labels import Label

labels_app = typer.Typer(
    help="Labels: locations, items, pallets, cartons as SVG, PNG, PDF or ZPL.",
    no_args_is_help=True,
)

LabelFormatOpt = Annotated[
    LabelFormat | None,
    typer.Option("--format", help="svg or png (a file per label), pdf (A4 sheet), zpl. "
                 "Default png, or zpl with --printer.", show_default=False),
]
LabelOut = Annotated[
    Path | None,
    typer.Option("--out", help="A folder, or a file for one svg/png label or a pdf/zpl "
                 "sheet; a folder gets labels-KIND.pdf/.zpl.", show_default=False),
]
PrinterOpt = Annotated[
    str | None,
    typer.Option("--printer", help="Send the ZPL to this Zebra printer, HOST:PORT (port 9100).",
                 show_default=False),
]
PrinterTimeout = Annotated[
    float, typer.Option("--timeout", help="Seconds to wait for the printer.")
]


def _deliver(labels: Sequence[Label], kind: str, fmt: LabelFormat | None, out: Path | None,
             printer: str | None, timeout: float) -> None:
    """Write the labels under out and/or send them as ZPL to the printer, saying where."""
    # Imported here: Pillow and reportlab add start-up time every other command would pay.
    from wms_tui.labels import files, zpl

    fmt = fmt or (LabelFormat.zpl if printer else LabelFormat.png)
    if printer is not None and fmt is not LabelFormat.zpl:
        raise BadInput("--printer sends ZPL: use --format zpl")
    if out is None and printer is None:
        raise BadInput("say where the labels go: --out FOLDER_OR_FILE (or --printer for ZPL)")
    settings = zpl.ZplSettings.from_env() if fmt is LabelFormat.zpl else None
    written = (files.write_labels(labels, kind, files.LabelFormat(fmt.value), out, settings)
               if out is not None else [])
    if len(written) == 1:
        typer.echo(f"{len(labels)} {kind} label(s): {shown(str(written[0]))}")
    elif written:
        typer.echo(f"{len(labels)} {kind} labels: {shown(str(written[0].parent))}")
    if printer is not None:
        sent = zpl.send_to_printer(zpl.labels_zpl(labels, settings), printer, timeout=timeout)
        typer.echo(f"{len(labels)} {kind} label(s) sent to printer {shown(printer)} "
                   f"({sent} bytes)")


@labels_app.command("location")
@handles_errors
def labels_location(
    ctx: typer.Context,
    zone: Annotated[str | None, typer.Option(help="Only this zone.", show_default=False)] = None,
    code: Annotated[
        str | None,
        typer.Option(help="Only codes matching this pattern, e.g. 'A-01-*'.", show_default=False),
    ] = None,
    fmt: LabelFormatOpt = None,
    out: LabelOut = None,
    printer: PrinterOpt = None,
    timeout: PrinterTimeout = 10.0,
) -> None:
    """Bin labels in walk order: Code 128 of the location barcode with its check digits."""
    from wms_tui.labels import data as label_data

    labels = label_data.location_labels(open_site(ctx).engine, zone=zone, code=code)
    _deliver(labels, "location", fmt, out, printer, timeout)


@labels_app.command("item")
@handles_errors
def labels_item(
    ctx: typer.Context,
    skus: Annotated[list[str], typer.Argument(help="SKUs to label.")],
    uom: Annotated[
        str | None,
        typer.Option(help="Label this unit (default: the base unit).", show_default=False),
    ] = None,
    fmt: LabelFormatOpt = None,
    out: LabelOut = None,
    printer: PrinterOpt = None,
    timeout: PrinterTimeout = 10.0,
) -> None:
    """Item labels: EAN-13 for a GTIN-13, Code 128 of a GTIN-14, else Code 128 of the SKU."""
    from wms_tui.labels import data as label_data

    labels = label_data.item_labels(open_site(ctx).engine, skus, uom=uom)
    _deliver(labels, "item", fmt, out, printer, timeout)


@labels_app.command("pallet")
@handles_errors
def labels_pallet(
    ctx: typer.Context,
    lpn: Annotated[
        str | None,
        typer.Option(help="Label this LPN (by code or SSCC) with what is on it.",
                     show_default=False),
    ] = None,
    sku: Annotated[
        str | None, typer.Option(help="Label a new pallet of this item.", show_default=False)
    ] = None,
    count: Annotated[
        int | None, typer.Option(help="Units on the new pallet (37).", show_default=False)
    ] = None,
    lot: Annotated[str | None, typer.Option(help="Lot (10).", show_default=False)] = None,
    expiry: Annotated[
        str | None, typer.Option(help="Expiry date YYYY-MM-DD (17).", show_default=False)
    ] = None,
    uom: Annotated[
        str | None,
        typer.Option(help="Unit counted, whose GTIN goes in (02); default the base unit.",
                     show_default=False),
    ] = None,
    best_before: Annotated[
        bool, typer.Option("--best-before", help="Print the date as best before (15).")
    ] = False,
    company_prefix: Annotated[
        str | None,
        typer.Option("--company-prefix", envvar="WMS_GS1_COMPANY_PREFIX",
                     help="GS1 company prefix for new SSCCs.", show_default=False),
    ] = None,
    fmt: LabelFormatOpt = None,
    out: LabelOut = None,
    printer: PrinterOpt = None,
    timeout: PrinterTimeout = 10.0,
) -> None:
    """A GS1 logistic pallet label: the SSCC lowest, above it content GTIN, count, lot, expiry.

    With --lpn the LPN's stock fills the label (an LPN without an SSCC gets the next one);
    with --sku a new SSCC is issued and registered as an empty LPN of that name.
    """
    from wms_tui.labels import data as label_data

    if (lpn is None) == (sku is None):
        raise BadInput("give either --lpn CODE or --sku SKU --count N")
    if lpn is not None:
        extra = [name for name, value in (("--count", count), ("--lot", lot),
                 ("--expiry", expiry), ("--uom", uom)) if value is not None]
        if extra:
            raise BadInput(f"{', '.join(extra)} go with --sku; an LPN's label shows its stock")
        label = label_data.lpn_pallet_label(
            open_site(ctx).engine, lpn, prefix=company_prefix, best_before=best_before
        )
    else:
        assert sku is not None
        if count is None:
            raise BadInput("--sku needs --count N")
        expires = day(expiry, "--expiry") if expiry is not None else None
        label = label_data.new_pallet_label(
            open_site(ctx).engine, sku=sku, count=count, prefix=company_prefix, lot=lot,
            expiry=expires, uom=uom, best_before=best_before,
        )
    typer.echo(f"SSCC {label.sscc}  {shown(label.hri)}")
    _deliver([label], "pallet", fmt, out, printer, timeout)


def _address(text: str, option: str) -> tuple[str, ...]:
    """An address block from one option: lines separated by ';' (or new lines)."""
    lines = tuple(line.strip() for line in text.replace("\n", ";").split(";") if line.strip())
    if not lines:
        raise BadInput(f"{option} needs a name and address, lines separated by ';'")
    return lines


@labels_app.command("carton")
@handles_errors
def labels_carton(
    ctx: typer.Context,
    sscc: Annotated[str, typer.Option(help="The carton's SSCC, 18 digits.", show_default=False)],
    ship_from: Annotated[
        str, typer.Option("--ship-from", help="Shipper: name; street; city (lines split by ';').",
                          show_default=False),
    ],
    ship_to: Annotated[
        str, typer.Option("--ship-to", help="Consignee: name; street; city (lines split by ';').",
                          show_default=False),
    ],
    sku: Annotated[str | None, typer.Option(help="Item in the carton.", show_default=False)] = None,
    qty: Annotated[
        int | None, typer.Option("--qty", help="How many of --uom (default the base unit).",
                                 show_default=False),
    ] = None,
    uom: Annotated[str | None, typer.Option(help="Unit of --qty.", show_default=False)] = None,
    lot: Annotated[str | None, typer.Option(help="Lot (10).", show_default=False)] = None,
    expiry: Annotated[
        str | None, typer.Option(help="Expiry date YYYY-MM-DD (17).", show_default=False)
    ] = None,
    weight: Annotated[
        str | None, typer.Option(help="Gross weight in kg, e.g. 12.5 (330n).", show_default=False)
    ] = None,
    fmt: LabelFormatOpt = None,
    out: LabelOut = None,
    printer: PrinterOpt = None,
    timeout: PrinterTimeout = 10.0,
) -> None:
    """A GS1 logistic carton label: ship-from and ship-to, contents, weight, the SSCC lowest.

    With --sku and --qty filling whole units of a GTIN, the content GTIN (02), count (37), lot
    and expiry are barcoded too; otherwise the contents are printed as text only.
    """
    from decimal import Decimal, InvalidOperation

    from wms_tui.domain.checkdigits import SSCC_LENGTH, gs1_check_digit, is_ascii_digits
    from wms_tui.labels import data as label_data

    code = sscc.strip()
    if not (is_ascii_digits(code) and len(code) == SSCC_LENGTH):
        raise BadInput(f"--sscc {shown(sscc)} is not an SSCC: it must be {SSCC_LENGTH} digits")
    if gs1_check_digit(code[:-1]) != code[-1]:
        raise BadInput(f"--sscc {code} has a wrong check digit: the last digit should be "
                       f"{gs1_check_digit(code[:-1])}, not {code[-1]}")
    expires = day(expiry, "--expiry") if expiry is not None else None
    try:
        kilograms = Decimal(weight.strip()) if weight is not None else None
    except InvalidOperation:
        raise BadInput(f"--weight must be kg as a number such as 12.5, got {shown(weight or '')}"
                       ) from None
    from_lines, to_lines = _address(ship_from, "--ship-from"), _address(ship_to, "--ship-to")
    engine = open_site(ctx).engine if sku is not None else None
    label = label_data.carton_label(
        engine, sscc=code, ship_from=from_lines, ship_to=to_lines, sku=sku, quantity=qty,
        uom=uom, lot=lot, expiry=expires, weight_kg=kilograms,
    )
    typer.echo(f"SSCC {label.sscc}  {shown(label.hri)}")
    _deliver([label], "carton", fmt, out, printer, timeout)


@labels_app.command("shipment")
@handles_errors
def labels_shipment(
    ctx: typer.Context,
    shipment: Annotated[str, typer.Argument(help="The shipment, e.g. SH00001.")],
    ship_from: Annotated[
        str, typer.Option("--ship-from", help="Shipper: name; street; city (lines split by ';').",
                          show_default=False),
    ],
    ship_to: Annotated[
        str | None, typer.Option("--ship-to", help="Consignee (default: each order's customer).",
                                 show_default=False),
    ] = None,
    fmt: LabelFormatOpt = None,
    out: LabelOut = None,
    printer: PrinterOpt = None,
    timeout: PrinterTimeout = 10.0,
) -> None:
    """One GS1 logistic carton label per carton of the shipment: SSCC, weight, contents.

    A carton of one item and lot also barcodes its content GTIN, count, lot and expiry.
    """
    from wms_tui.domain import shipping
    from wms_tui.domain.labels import LabelContent, LogisticLabel
    from wms_tui.labels import data as label_data

    site = open_site(ctx)
    view = shipping.shipment_view(site.read_factory, shipment)
    if not view.cartons:
        raise BadInput(f"shipment {view.shipment.code} has no cartons")
    from_lines = _address(ship_from, "--ship-from")
    labels: list[Label] = []
    for carton in view.cartons:
        to_lines = (_address(ship_to, "--ship-to") if ship_to is not None
                    else (carton.customer or carton.order_ref,))
        if len(carton.lines) == 1:
            ln = carton.lines[0]
            labels.append(label_data.carton_label(
                site.engine, sscc=carton.sscc, ship_from=from_lines, ship_to=to_lines,
                sku=ln.sku, quantity=ln.quantity, lot=ln.lot, expiry=ln.expiry,
                weight_kg=carton.weight_kg))
        else:
            labels.append(LogisticLabel(
                carton.sscc, unit="carton", ship_from=from_lines, ship_to=to_lines,
                contents=tuple(LabelContent(ln.sku, ln.description, ln.quantity, ln.base_uom,
                                            ln.lot, ln.expiry) for ln in carton.lines),
                gross_weight_kg=carton.weight_kg))
    _deliver(labels, "carton", fmt, out, printer, timeout)
