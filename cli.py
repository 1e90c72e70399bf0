"""The `wms` console script's entry point (`cli:app`); the commands live in wms_tui.cli."""

from wms_tui.cli import app

__all__ = ["app"]

if __name__ == "__main__":  # pragma: no cover
    app(prog_name="wms")
