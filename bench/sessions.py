"""RF sessions over SSH on loopback: zygote fork vs plain spawn, side by side.

For each launcher it starts `wms serve` (a subprocess, temporary SQLite warehouse) and, with
asyncssh clients rendering into pyte screens of 20x16 (TERM=vt220), measures:

- connect-to-login-screen time (TCP connect until "User ID" is on the client's screen), median
  and p95, filling up to 1, 50 and 200 concurrent sessions (one at a time by default, or
  --at-once N together; every session is kept open);
- memory per idle session: PSS of each session process (/proc/PID/smaps_rollup), and the
  zygote's own PSS spread over the sessions;
- bytes sent to idle terminals and CPU of idle sessions (per session per minute; target 0),
  and the server's open files per session;
- scan-to-screen latency (Enter of a scan until the next step is fully drawn on the client's
  screen), median, p95 and p99, with 1 session and with 100 sessions each scanning every 3 s
  (Move flow: from location, item, quantity, to location, which posts; then back again),
  timed once every operator has logged in, with the server side's CPU per scan;
- bytes sent to the terminal per flow step at 20x16;
- session CPU per scan: utime+stime of the session processes over the scanning window
  (/proc/PID/stat), divided by the scans in that window.

With --json one JSON object goes to stdout (rows go to stderr as they come):
{"active", "scan_ms": {"p50", "p95", "p99"}, "posting_scan_ms": {...}, "cpu_ms_per_scan",
"server_cpu_ms_per_scan", "client_cpu_ms_per_scan" (this bench's own SSH clients and pyte
screens, which share the CPUs), "scans", "pss_mb_per_session", "load_average", "errors"}, and on
PostgreSQL "pg_connections" (the server's "N of M") and "refusals" (steps the sessions logged
as refused: "too many clients" from PostgreSQL, "database busy" waiting for a slot).

    .venv/bin/python bench/sessions.py                      # full run, ~20 minutes
    .venv/bin/python bench/sessions.py --sizes 1,10 --active 10 --seconds 15   # quick
    .venv/bin/python bench/sessions.py --launchers zygote --markdown
    .venv/bin/python bench/sessions.py --launchers zygote --sizes 200 --active 200 \
        --seconds 45 --json
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncssh  # noqa: E402
import pyte  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from tests.conftest import fresh_sqlite_engine  # noqa: E402
from tests.factories import FAST_PIN_HASH, build_warehouse  # noqa: E402
from wms_tui.db.engine import make_engine  # noqa: E402
from wms_tui.db.migrate import upgrade  # noqa: E402
from wms_tui.db.tables import User  # noqa: E402
from wms_tui.db.uow import uow_factory  # noqa: E402
from wms_tui.domain.stock import Receive, post  # noqa: E402

EA_GTIN = "09501101530003"
COLS, ROWS = 20, 16


def fresh_engine(path: Path, pg_url: str | None) -> tuple[Engine, str]:
    """A migrated, empty warehouse: a SQLite file in the run's directory, or the PostgreSQL
    database at pg_url with its public schema dropped and made again."""
    if pg_url is None:
        return fresh_sqlite_engine(str(path)), f"sqlite:///{path}"
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine, pg_url


def seed(path: Path, operators: int, pg_url: str | None = None) -> str:
    engine, url = fresh_engine(path, pg_url)
    wh = build_warehouse(engine)
    post(uow_factory(engine), wh.admin, Receive(wh.widget, 100_000, wh.a1, "ASN-1"))
    with Session(engine) as session:
        session.add_all([User(login=f"B{n:03d}", name=f"Bench {n}", role="operator",
                              pin_hash=FAST_PIN_HASH) for n in range(1, operators + 1)])
        session.commit()
    engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, url: str, tmp: Path, launcher: str,
                 pg_connections: int | None = None) -> None:
        self.port = free_port()
        self.log = tmp / f"serve-{launcher}.log"
        self.data_dir = tmp / f"data-{launcher}"
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env.update(WMS_DATA_DIR=str(self.data_dir), PYTHONPATH=str(ROOT))
        args = ["--spawn"] if launcher == "spawn" else []
        if pg_connections is not None:
            args += ["--pg-connections", str(pg_connections)]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from cli import app; app(prog_name='wms')",
             "--database-url", url, "serve", "--port", str(self.port), "--ssh-auth", "none",
             "--max-sessions", "1000", "--idle-timeout", "0", *args],
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        end = time.monotonic() + 120
        while "wms serve: SSH on" not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > end:
                raise SystemExit(f"wms serve did not start:\n{self.log.read_text()}")
            time.sleep(0.05)

    def refusals(self) -> dict[str, int]:
        """Steps the sessions logged as refused by PostgreSQL (no connection left) or as
        busy (no connection slot within the wait), from rf.log."""
        path = self.data_dir / "rf.log"
        text = path.read_text(errors="replace").lower() if path.exists() else ""
        return {"too_many_clients": text.count("too many clients"),
                "database_busy": text.count("database busy")}

    def pg_connections(self) -> str | None:
        """The server's "PostgreSQL connections: N of M", if it logged one."""
        for line in self.log.read_text(errors="replace").splitlines():
            if "PostgreSQL connections:" in line:
                return line.split("PostgreSQL connections:", 1)[1].strip()
        return None

    def session_pids(self) -> tuple[list[int], int | None]:
        """Session processes, and the zygote's pid when there is one."""
        zygote = None
        sessions = []
        for pid in _children(self.proc.pid):
            cmdline = _cmdline(pid)
            if "wms_tui.serve.zygote" in cmdline:
                zygote = pid
                sessions += _children(pid)
            elif "wms_tui.serve.session" in cmdline:
                sessions.append(pid)
        return sessions, zygote

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(p) for p in text]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def available_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return 0


# A spawned session costs ~60 MB: stop opening sessions before the machine runs out.
MIN_AVAILABLE_MB = 2048


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


@dataclass
class Terminal(asyncssh.SSHClientSession[bytes]):
    """An asyncssh client whose screen is a pyte VT220 of 20x16; checks run on every chunk."""

    screen: pyte.Screen = field(default_factory=lambda: pyte.Screen(COLS, ROWS))
    received: int = 0
    chan: asyncssh.SSHClientChannel[bytes] | None = None
    conn: asyncssh.SSHClientConnection | None = None
    check: Callable[[str], bool] | None = None
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    reached_at: float = 0.0

    def __post_init__(self) -> None:
        self.stream = pyte.ByteStream(self.screen)

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.received += len(data)
        self.stream.feed(data)
        if self.check is not None and self.check(self.words()):
            self.reached_at = time.perf_counter()
            self.check = None
            self.reached.set()

    def words(self) -> str:
        return " ".join(" ".join(self.screen.display).split())

    async def until(self, *texts: str, timeout: float = 60) -> float:
        """Wait until every text is on screen; the time it got there."""
        self.reached.clear()
        self.check = lambda words: all(t in words for t in texts)
        if self.check(self.words()):
            self.check = None
            return time.perf_counter()
        try:
            await asyncio.wait_for(self.reached.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{texts} not on screen: {self.words()}") from None
        return self.reached_at

    def send(self, text: str) -> float:
        assert self.chan is not None
        self.chan.write(text.encode())
        return time.perf_counter()

    async def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            await self.conn.wait_closed()


async def connect(port: int, name: str, handshakes: list[float] | None = None,
                  ) -> tuple[Terminal, float]:
    """A new terminal and its connect-to-login-screen time in seconds."""
    start = time.perf_counter()
    conn = await asyncssh.connect("127.0.0.1", port, username=name, known_hosts=None,
                                  client_keys=None, agent_path=None)
    terminal = Terminal()
    terminal.conn = conn
    terminal.chan, _ = await conn.create_session(lambda: terminal, term_type="vt220",
                                                 term_size=(COLS, ROWS), encoding=None)
    if handshakes is not None:
        handshakes.append(time.perf_counter() - start)
    drawn = await terminal.until("User ID")
    return terminal, drawn - start


def quantiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    if not ordered:
        return (float("nan"),) * 3

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return statistics.median(ordered), at(0.95), at(0.99)


@dataclass
class Row:
    launcher: str
    what: str
    value: str

    def __post_init__(self) -> None:
        # As it comes, so a long run that fails late still leaves its figures.
        print(f"  {self.launcher} {self.what}: {self.value}", file=sys.stderr)


async def idle_sessions(server: Server, launcher: str, size: int, idle: float,
                        rows: list[Row], at_once: int) -> float:
    """The figures as rows; the mean PSS per session process, MB."""
    terminals: list[Terminal] = []
    times: list[float] = []
    handshakes: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(at_once)

    async def open_one(n: int) -> None:
        nonlocal errors
        async with gate:
            if available_mb() < MIN_AVAILABLE_MB:
                errors += 1
                return
            try:
                terminal, seconds = await connect(server.port, f"RF{n:03d}", handshakes)
            except Exception as exc:
                errors += 1
                print(f"  session {n}: {exc!r}", file=sys.stderr)
                return
        terminals.append(terminal)
        times.append(seconds)

    files_before = open_files(server.proc.pid)
    await asyncio.gather(*(open_one(n) for n in range(size)))
    await asyncio.sleep(2)
    # What the server's open-files limit must hold per session (wms_tui/serve/capacity.py).
    files_per_session = (open_files(server.proc.pid) - files_before) / max(len(terminals), 1)
    before = sum(t.received for t in terminals)
    pids, zygote = server.session_pids()
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    await asyncio.sleep(idle)
    idle_bytes = sum(t.received for t in terminals) - before
    idle_cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    pss = [pss_kb(pid) for pid in pids]
    median, p95, _ = quantiles(times)
    ssh_median, ssh_p95, _ = quantiles(handshakes)
    rows.append(Row(launcher, f"login screen, {size} sessions ({at_once} at a time): "
                              "median / p95",
                    f"{median * 1000:.0f} / {p95 * 1000:.0f} ms (SSH handshake alone "
                    f"{ssh_median * 1000:.0f} / {ssh_p95 * 1000:.0f} ms)"))
    zygote_kb = pss_kb(zygote) if zygote else 0
    per_session = statistics.mean(pss) / 1024 if pss else float("nan")
    with_zygote = (sum(pss) + zygote_kb) / 1024 / max(len(pss), 1)
    rows.append(Row(launcher, f"PSS per idle session, {size} sessions",
                    f"{per_session:.1f} MB ({with_zygote:.1f} MB with the zygote's share)"
                    if zygote else f"{per_session:.1f} MB"))
    per_minute = idle_bytes / max(len(terminals), 1) / idle * 60
    rows.append(Row(launcher, f"idle bytes per session per minute, {size} sessions",
                    f"{per_minute:.0f}"))
    rows.append(Row(launcher, f"CPU of idle sessions, ms per session per minute, {size} "
                              "sessions",
                    f"{idle_cpu * 1000 / max(len(pids), 1) / idle * 60:.1f}"))
    rows.append(Row(launcher, f"open files in the server per session, {size} sessions",
                    f"{files_per_session:.1f}"))
    rows.append(Row(launcher, f"sessions held / errors, {size} sessions",
                    f"{len(terminals)} held ({len(pss)} processes) / {errors} errors"))
    await asyncio.gather(*(t.close() for t in terminals))
    await asyncio.sleep(3)
    return per_session


STEPS = (
    # (keys, what must be on screen after them), formatted with src and dst.
    ("{src}\r", ("Scan item", "From: {src}")),
    (EA_GTIN + "\r", ("Qty in EA", "Item: WIDGET")),
    ("1\r", ("Scan to location", "Qty: 1 EA")),
    ("{dst}\r", ("Moved 1 EA to {dst}", "Scan from location")),
)


def in_ms(values: list[float]) -> dict[str, float]:
    median, p95, p99 = quantiles(values)
    return {"p50": round(median * 1000, 1), "p95": round(p95 * 1000, 1),
            "p99": round(p99 * 1000, 1)}


async def scanning(server: Server, launcher: str, size: int, seconds: float, interval: float,
                   rows: list[Row], first_user: int) -> dict[str, object]:
    """The figures as rows, and as a dict for --json."""
    latencies: list[float] = []
    posting: list[float] = []
    step_bytes: list[int] = []
    errors = 0
    gate = asyncio.Semaphore(4)
    # Everyone logs in first: the figures are for steady scanning, not for log-in bursts.
    logged_in = asyncio.Barrier(size + 1)

    async def operator(n: int) -> None:
        nonlocal errors
        async with gate:
            terminal, _ = await connect(server.port, f"RF{n:03d}")
            # Fresh operators every run, so no saved flow offers to resume.
            terminal.send(f"B{first_user + n:03d}\r")
            await terminal.until("PIN")
            terminal.send("1234\r")
            await terminal.until("0 Logout")
            terminal.send("3")
            await terminal.until("Scan from location")
        await logged_in.wait()
        await asyncio.sleep(random.uniform(0, interval))
        end = time.monotonic() + seconds
        places = ("A-01-01-1", "A-01-02-1")
        while time.monotonic() < end:
            for keys, expect in STEPS:
                src, dst = places
                before = terminal.received
                sent = terminal.send(keys.format(src=src, dst=dst))
                try:
                    drawn = await terminal.until(*(e.format(src=src, dst=dst) for e in expect))
                except TimeoutError:
                    errors += 1
                    print(f"  RF{n:03d}: no {expect} on\n{terminal.words()}", file=sys.stderr)
                    return
                latencies.append(drawn - sent)
                if keys.startswith("{dst}"):
                    posting.append(drawn - sent)
                await asyncio.sleep(interval)
                step_bytes.append(terminal.received - before)
            places = places[::-1]
        await terminal.close()

    async def meter() -> tuple[float, float, int, float]:
        """CPU seconds the server, its zygote and the sessions used while scanning, CPU seconds
        of the session processes alone (/proc utime+stime), the scans in that window, and the
        CPU seconds this bench's own terminals (SSH clients and pyte screens) used meanwhile."""
        await logged_in.wait()
        sessions, zygote = server.session_pids()
        pids = [server.proc.pid, *sessions, *([zygote] if zygote else [])]
        before = {pid: cpu_seconds(pid) for pid in pids}
        scans_before = len(latencies)
        client_before = time.process_time()
        await asyncio.sleep(seconds)
        # Read before any operator logs out: an ended session has no /proc entry to read.
        used = {pid: cpu_seconds(pid) - before[pid] for pid in pids}
        return (sum(used.values()), sum(used[pid] for pid in sessions),
                len(latencies) - scans_before, time.process_time() - client_before)

    *_, (used, session_used, window_scans, client_used) = await asyncio.gather(
        *(operator(n) for n in range(1, size + 1)), meter())
    session_ms = session_used / max(window_scans, 1) * 1000
    median, p95, p99 = quantiles(latencies)
    rows.append(Row(launcher, f"scan-to-screen, {size} sessions scanning every "
                              f"{interval:.0f} s: median / p95 / p99",
                    f"{median * 1000:.0f} / {p95 * 1000:.0f} / {p99 * 1000:.0f} ms "
                    f"({len(latencies)} scans, {errors} errors)"))
    rows.append(Row(launcher, f"  server-side CPU while scanning, {size} sessions",
                    f"{used / seconds * 100:.0f}% of one core "
                    f"({used / max(window_scans, 1) * 1000:.1f} ms per scan)"))
    rows.append(Row(launcher, f"  session CPU per scan (/proc, session processes), {size} "
                              "sessions", f"{session_ms:.1f} ms ({window_scans} scans)"))
    median, p95, p99 = quantiles(posting)
    rows.append(Row(launcher, f"  of which the posting scans (to location), {size} sessions",
                    f"{median * 1000:.0f} / {p95 * 1000:.0f} / {p99 * 1000:.0f} ms"))
    if size == 1:
        rows.append(Row(launcher, "bytes per Move step at 20x16 (mean, max)",
                        f"{statistics.mean(step_bytes):.0f}, {max(step_bytes)}"))
    await asyncio.sleep(3)
    return {"active": size, "scan_ms": in_ms(latencies), "posting_scan_ms": in_ms(posting),
            "cpu_ms_per_scan": round(session_ms, 2), "errors": errors,
            "scans": len(latencies),
            # The CPU was read over the window, so it is shared by the window's scans.
            "server_cpu_ms_per_scan": round(used / max(window_scans, 1) * 1000, 2),
            "client_cpu_ms_per_scan": round(client_used / max(window_scans, 1) * 1000, 2)}


async def run(args: argparse.Namespace, url: str, tmp: Path,
              figures: dict[str, object]) -> list[Row]:
    """Every launcher's rows; the first launcher's figures at --active go into figures."""
    rows: list[Row] = []
    first_user = 0
    for launcher in args.launchers.split(","):
        print(f"{launcher}: starting wms serve", file=sys.stderr)
        try:
            server = Server(url, tmp, launcher, args.pg_connections)
        except SystemExit as exc:
            rows.append(Row(launcher, "wms serve did not start", str(exc).splitlines()[-1]))
            continue
        try:
            for size in (int(s) for s in args.sizes.split(",") if s):
                print(f"{launcher}: {size} idle sessions", file=sys.stderr)
                pss = await idle_sessions(server, launcher, size, args.idle, rows, args.at_once)
                figures.setdefault("pss_mb_per_session", round(pss, 1))
            for size in (1, args.active) if args.active else ():
                print(f"{launcher}: {size} scanning sessions", file=sys.stderr)
                found = await scanning(server, launcher, size, args.seconds, args.interval,
                                       rows, first_user)
                first_user += size
                if size == args.active and "active" not in figures:
                    figures.update(found)
            if args.pg_url and "refusals" not in figures:
                figures["refusals"] = server.refusals()
                figures["pg_connections"] = server.pg_connections()
        finally:
            server.stop()
    return rows


def main() -> None:
    faulthandler.register(signal.SIGUSR2)  # kill -USR2 PID: where is a long run stuck?
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launchers", default="zygote,spawn")
    parser.add_argument("--sizes", default="1,50,200")
    parser.add_argument("--at-once", type=int, default=1,
                        help="sessions opened at the same time while filling up")
    parser.add_argument("--active", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0, help="scanning time per run")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between scans")
    parser.add_argument("--idle", type=float, default=20.0, help="idle measurement seconds")
    parser.add_argument("--pg-url", default=None,
                        help="serve this PostgreSQL database instead of a SQLite file (its "
                             "public schema is dropped and made again), e.g. "
                             "postgresql+psycopg://postgres@127.0.0.1:5432/wms_bench")
    parser.add_argument("--pg-connections", type=int, default=None,
                        help="with --pg-url: `wms serve --pg-connections` (default: its own)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object on stdout (the first launcher, --active "
                             "sessions scanning; PSS at the first --sizes); rows on stderr")
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        launchers = len(args.launchers.split(","))
        url = seed(Path(tmp) / "wms.db", launchers * (args.active + 1), args.pg_url)
        rows = asyncio.run(run(args, url, Path(tmp), figures))
    load = os.getloadavg()
    if args.json:
        figures["load_average"] = [round(n, 2) for n in load]
        print(json.dumps(figures))
        return
    print(f"{os.cpu_count()} CPUs, load average at the end {load[0]:.1f} / {load[1]:.1f} / "
          f"{load[2]:.1f}; TERM=vt220 20x16; {'PostgreSQL' if args.pg_url else 'SQLite'}")
    if args.markdown:
        print("| launcher | measure | value |\n|---|---|---|")
        for row in rows:
            print(f"| {row.launcher} | {row.what} | {row.value} |")
    else:
        for row in rows:
            print(f"{row.launcher:<8}{row.what:<68}{row.value}")


if __name__ == "__main__":
    main()
