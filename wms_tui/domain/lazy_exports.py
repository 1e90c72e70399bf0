"""A package's public names imported on first use, so importing the package loads no module.

A command that needs one listing should not pay for every import, check and rule its package
offers. The package keeps its names for the type checker under `TYPE_CHECKING` and hands the
same names to `lazy_exports`, which builds its module `__getattr__` and `__dir__`;
`tests/unit/test_lazy_exports.py` checks that the two lists agree.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping, Sequence


def lazy_exports(
    package: str, exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for package; exports maps a module (absolute, or relative
    to package with a leading dot) to the names the package takes from it."""
    module_of = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> object:
        module = module_of.get(name)
        if module is not None:
            value = getattr(importlib.import_module(module, package), name)
        elif not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}"):
            # A submodule reached as an attribute, as the eager package made it.
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # Kept on the package, so the next use is a plain attribute read.
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *module_of})

    return __getattr__, __dir__
