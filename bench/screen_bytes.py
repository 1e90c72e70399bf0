"""Bytes the RF app sends a terminal: per scan step of a Move and while idle.

Runs `wms_tui.app.run_tui` in a subprocess on a real pseudo-terminal (TERM=vt220, 20x16 by
default) against a temporary SQLite warehouse, types like a scanner (a whole scan plus Enter
in one write) or like a person (one key every 100 ms), and counts what comes back.

    .venv/bin/python bench/screen_bytes.py [--term vt220] [--cols 20] [--rows 16] [--typed]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import fresh_sqlite_engine  # noqa: E402
from tests.factories import build_warehouse  # noqa: E402
from tests.tui.pty_terminal import PtyTerminal  # noqa: E402
from wms_tui.db.uow import uow_factory  # noqa: E402
from wms_tui.domain.stock import Receive, post  # noqa: E402

IDLE = 5.0
BEL = b"\a"


def seed(path: str) -> str:
    engine = fresh_sqlite_engine(path)
    wh = build_warehouse(engine)
    post(uow_factory(engine), wh.admin, Receive(wh.widget, 30, wh.a1, "ASN-1"))
    engine.dispose()
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--term", default="vt220")
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--rows", type=int, default=16)
    parser.add_argument("--typed", action="store_true", help="one key every 100 ms")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = seed(str(Path(tmp) / "wms.db"))
        terminal = PtyTerminal(url, args.term, args.cols, args.rows, tmp)
        per_key = 0.1 if args.typed else 0.0
        try:
            rows: list[tuple[str, str, bytes]] = []
            start = terminal.wait_for(b"User ID") + terminal.drain()
            rows.append(("start: login screen", "", start))
            script = [
                ("user ID", "OP1\r"), ("PIN", "1234\r"), ("menu: 3 Move", "3"),
                ("from location", "A-01-01-1\r"), ("item: 14-digit GTIN", "09501101530003\r"),
                ("quantity", "5\r"), ("to location (posts)", "A-01-02-1\r"),
                ("wrong scan (refused)", "09501101530003\r"),
            ]
            for label, keys in script:
                terminal.send(keys, per_key)
                rows.append((label, repr(keys)[1:-1], terminal.drain()))
            rows.append((f"idle {IDLE:.0f} s", "", terminal.read_for(IDLE)))
            alive = terminal.proc.poll() is None
        finally:
            terminal.close()

    mode = "typed, 100 ms/key" if args.typed else "scanner burst"
    print(f"TERM={args.term} {args.cols}x{args.rows} ({args.rows} rows x {args.cols} cols), "
          f"{mode}; app alive at end: {alive}")
    print(f"{'step':<26}{'keys':<20}{'bytes':>7}{'BEL':>5}")
    for label, keys, sent in rows:
        print(f"{label:<26}{keys:<20}{len(sent):>7}{sent.count(BEL):>5}")
    print(f"{'total':<46}{len(terminal.received):>7}")


if __name__ == "__main__":
    main()
