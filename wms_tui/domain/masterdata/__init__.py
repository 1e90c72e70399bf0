"""Master data services: location and item imports and location generation.

Every import reads the whole file, checks every row and collects every problem as
"row N: column: reason" (see importing.py for the run every import shares). Only a file
without a single problem is written (or, partial, every clean document), in one transaction,
upserting by code: running the same file twice changes nothing the second time. A column
left out of the file leaves that field of an existing record as it is; an empty cell means
"none" (or the default).

The package, by resource: `warehouse` (the warehouse, zones and shared code patterns),
`locations` (the location import), `grid` (generated rack grids), `items` (the item import)
and `listings` (admins' look-ups of items, locations, stock and the ledger). Each name is
imported on first use (`domain/lazy_exports.py`), so `wms stock` loads no import code.
"""

from typing import TYPE_CHECKING

from wms_tui.domain.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from wms_tui.domain.import_files import CsvRow, CsvTable, read_csv
    from wms_tui.domain.importing import ImportReport, Progress
    from wms_tui.domain.masterdata.grid import (
        MAX_GENERATED,
        GridSlot,
        generate_locations,
        serpentine,
    )
    from wms_tui.domain.masterdata.items import (
        ITEM_FIELDS,
        ITEM_OPTIONAL,
        ITEM_REQUIRED,
        MAX_FACTOR,
        import_items,
    )
    from wms_tui.domain.masterdata.listings import (
        find_item,
        find_location,
        movement_listing,
        parse_instant,
        stock_listing,
    )
    from wms_tui.domain.masterdata.locations import (
        LOCATION_OPTIONAL,
        LOCATION_REQUIRED,
        import_locations,
    )
    from wms_tui.domain.masterdata.warehouse import (
        DEFAULT_WAREHOUSE,
        DEFAULT_WAREHOUSE_NAME,
        UowFactory,
        ensure_default_warehouse,
    )
else:
    __getattr__, __dir__ = lazy_exports(__name__, {
        "wms_tui.domain.import_files": ("CsvRow", "CsvTable", "read_csv"),
        "wms_tui.domain.importing": ("ImportReport", "Progress"),
        ".grid": ("MAX_GENERATED", "GridSlot", "generate_locations", "serpentine"),
        ".items": ("ITEM_FIELDS", "ITEM_OPTIONAL", "ITEM_REQUIRED", "MAX_FACTOR", "import_items"),
        ".listings": (
            "find_item", "find_location", "movement_listing", "parse_instant", "stock_listing",
        ),
        ".locations": ("LOCATION_OPTIONAL", "LOCATION_REQUIRED", "import_locations"),
        ".warehouse": (
            "DEFAULT_WAREHOUSE", "DEFAULT_WAREHOUSE_NAME", "UowFactory", "ensure_default_warehouse",
        ),
    })

__all__ = [
    "DEFAULT_WAREHOUSE",
    "DEFAULT_WAREHOUSE_NAME",
    "ITEM_FIELDS",
    "ITEM_OPTIONAL",
    "ITEM_REQUIRED",
    "LOCATION_OPTIONAL",
    "LOCATION_REQUIRED",
    "MAX_FACTOR",
    "MAX_GENERATED",
    "CsvRow",
    "CsvTable",
    "GridSlot",
    "ImportReport",
    "Progress",
    "UowFactory",
    "ensure_default_warehouse",
    "find_item",
    "find_location",
    "generate_locations",
    "import_items",
    "import_locations",
    "movement_listing",
    "parse_instant",
    "read_csv",
    "serpentine",
    "stock_listing",
]
