"""Brute force against the SSH device password, and a connect flood, on a real `wms serve`.

For each server it starts (a subprocess over a temporary SQLite warehouse, device password
"gun-secret"), it measures:

- guessing: `--attackers` concurrent clients from 127.0.0.1, each opening SSH connections and
  trying one wrong password per connection (the password method only) for `--seconds`;
  wrong answers per second, connections refused outright, and how long the last answer took;
- a connect flood: `--flood` TCP connects to the SSH port, each closed at once, then the
  audit rows the server wrote for them (counted in the database after it stopped); during
  the flood a probe commits one small row to the same SQLite database every 10 ms (WAL,
  synchronous=FULL, as `wms` opens it) and its commit latency, p50 and p99, shows what the
  flood's writes cost every other writer, such as a posting.

Servers, side by side in one run:

- `off`: this tree with the throttle switched off (a policy with no delay and no lock-out),
  the baseline;
- `on`: this tree as `wms serve` runs it;
- `before`: with `--compare-tree DIR`, the `wms serve` of another checkout (say, the previous
  commit: `git archive HEAD | tar -x -C DIR`), started through its CLI.

    .venv/bin/python bench/auth_throttle.py                    # ~1 minute
    .venv/bin/python bench/auth_throttle.py --seconds 30 --compare-tree /tmp/old
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh

ROOT = Path(__file__).resolve().parents[1]

PASSWORD = "gun-secret"
# The server of this tree, with the throttle policy given as JSON (so "off" is possible).
SERVE = """
import json, sys
from wms_tui.serve.server import ServeConfig, run_server
from wms_tui.serve.throttle import ThrottlePolicy
url, port, policy = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
run_server(ServeConfig(database_url=url, port=port, ssh_auth="password",
                       device_password="gun-secret", throttle=ThrottlePolicy(**policy)))
"""
MIGRATE = """
import sys
from tests.conftest import fresh_sqlite_engine
fresh_sqlite_engine(sys.argv[1]).dispose()
"""
OFF = {"first_delay": 0.0, "max_delay": 0.0, "max_failures": 10**9}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, name: str, tmp: Path, tree: Path | None, policy: dict[str, float]) -> None:
        self.name = name
        self.port = free_port()
        self.db = tmp / f"{name}.db"
        url = f"sqlite:///{self.db}"
        self.log = tmp / f"serve-{name}.log"
        cwd = tree or ROOT
        env = {k: v for k, v in os.environ.items()
               if k not in ("COLUMNS", "LINES") and not k.startswith("WMS_")}
        env.update(WMS_DATA_DIR=str(tmp / f"data-{name}"), PYTHONPATH=str(cwd))
        (tmp / f"data-{name}").mkdir()
        # Migrated by the tree that serves it, whose migrations may differ from this one's.
        subprocess.run([sys.executable, "-c", MIGRATE, str(self.db)], cwd=cwd, env=env,
                       check=True)
        if tree is None:
            command = [sys.executable, "-c", SERVE, url, str(self.port), json.dumps(policy)]
        else:
            env["WMS_DEVICE_PASSWORD"] = PASSWORD
            command = [sys.executable, "-c", "from cli import app; app(prog_name='wms')",
                       "--database-url", url, "serve", "--port", str(self.port),
                       "--ssh-auth", "password"]
        self.proc = subprocess.Popen(command, stdout=self.log.open("wb"),
                                     stderr=subprocess.STDOUT, cwd=cwd, env=env)
        end = time.monotonic() + 120
        while "wms serve: SSH on" not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > end:
                raise SystemExit(f"wms serve ({name}) did not start:\n{self.log.read_text()}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def audit_rows(self) -> dict[str, int]:
        with sqlite3.connect(self.db) as db:
            return dict(db.execute("SELECT event, count(*) FROM audit_event GROUP BY event"))


@dataclass
class Guessing:
    answered: int = 0
    refused: int = 0
    slowest: float = 0.0


async def guess(port: int, seconds: float, attackers: int) -> Guessing:
    result = Guessing()
    end = time.monotonic() + seconds

    async def attacker(n: int) -> None:
        tries = 0
        while time.monotonic() < end:
            tries += 1
            started = time.monotonic()
            try:
                conn = await asyncssh.connect(
                    "127.0.0.1", port, username="RF01", password=f"guess-{n}-{tries}",
                    known_hosts=None, client_keys=None, agent_path=None,
                    preferred_auth="password", login_timeout=30)
                conn.close()
                raise SystemExit("a guess got in")
            except asyncssh.PermissionDenied:
                result.answered += 1
                result.slowest = max(result.slowest, time.monotonic() - started)
            except (asyncssh.Error, OSError):
                result.refused += 1
                await asyncio.sleep(0.01)

    await asyncio.gather(*(attacker(n) for n in range(attackers)))
    return result


async def flood(port: int, connects: int) -> None:
    for _ in range(connects):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        await writer.wait_closed()


def probe(path: Path, done: threading.Event, latencies: list[float]) -> None:
    """Small commits to the server's database until done: what a posting waits for."""
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS bench_probe (id INTEGER PRIMARY KEY, at REAL)")
    while not done.is_set():
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO bench_probe (at) VALUES (?)", (started,))
        db.execute("COMMIT")
        latencies.append(time.perf_counter() - started)
        time.sleep(0.01)
    db.close()


def flood_with_probe(server: Server, connects: int) -> list[float]:
    latencies: list[float] = []
    done = threading.Event()
    prober = threading.Thread(target=probe, args=(server.db, done, latencies))
    prober.start()
    try:
        asyncio.run(flood(server.port, connects))
        time.sleep(0.5)  # the server finishes the last connections
    finally:
        done.set()
        prober.join()
    return sorted(latencies)


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0.0


def run(name: str, tmp: Path, tree: Path | None, policy: dict[str, float],
        args: argparse.Namespace) -> list[str]:
    print(f"{name}: guessing for {args.seconds:.0f} s, then {args.flood} connects", flush=True)
    server = Server(f"flood-{name}", tmp, tree, policy)
    try:
        latencies = flood_with_probe(server, args.flood)
    finally:
        server.stop()
    flood_rows = server.audit_rows()
    server = Server(f"guess-{name}", tmp, tree, policy)
    try:
        guessing = asyncio.run(guess(server.port, args.seconds, args.attackers))
    finally:
        server.stop()
    rows = sum(flood_rows.values())
    return [name, f"{guessing.answered}", f"{guessing.answered / args.seconds:.1f}",
            f"{guessing.refused}", f"{guessing.slowest:.2f}", f"{rows}",
            f"{percentile(latencies, 0.5) * 1000:.1f}", f"{percentile(latencies, 0.99) * 1000:.1f}",
            ", ".join(f"{k} {v}" for k, v in sorted(flood_rows.items())) or "-"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--flood", type=int, default=1000)
    parser.add_argument("--compare-tree", type=Path, default=None)
    args = parser.parse_args()
    table = [["server", "wrong answers", "guesses/s", "refused conns", "slowest answer s",
              "flood audit rows", "probe p50 ms", "probe p99 ms", "rows by event"]]
    with tempfile.TemporaryDirectory(prefix="wms-bench-auth-") as directory:
        tmp = Path(directory)
        if args.compare_tree is not None:
            table.append(run("before", tmp, args.compare_tree.resolve(), {}, args))
        table.append(run("off", tmp, None, OFF, args))
        table.append(run("on", tmp, None, {}, args))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    print()
    print(f"{args.attackers} attackers from one address for {args.seconds:.0f} s; "
          f"flood of {args.flood} connects")
    for row in table:
        print("  ".join(cell.ljust(width) if i in (0, len(row) - 1) else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(row, widths, strict=True))))


if __name__ == "__main__":
    main()
