"""CPU one RF session spends per scan step, against the flow's own work without a screen.

The RF app runs as `wms tui` does, on a real pseudo-terminal (TERM=vt220, 20x16 by default)
over a temporary SQLite warehouse; a pyte screen on the master side waits for each step to be
drawn. The Move flow is walked (from location, item, quantity, to location, which posts; then
back again) and the session's CPU is read from /proc (utime+stime of the whole process, its
worker threads included) over all the steps, after log-in, so start-up is not counted. Then,
the session left idle for --idle seconds: its CPU and its threads' wake-ups (voluntary context
switches, /proc/PID/task/*/status), per minute.

The baseline, in this process and the same invocation: the same steps through the same flow
and services with no screen at all (the flow call and the flow-state save each step does),
timed with time.process_time. The difference is what the screen costs. With --against DIR
(another checkout, e.g. `git archive` of an older commit) the session is also run from that
tree's code, alternating with this one round by round, for a before/after on the same load.

    .venv/bin/python bench/screen_cpu.py                 # 200 steps, table
    .venv/bin/python bench/screen_cpu.py --steps 400 --size 40x8 --json
    .venv/bin/python bench/screen_cpu.py --against /tmp/before --rounds 3
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyte  # noqa: E402

from tests.conftest import fresh_sqlite_engine  # noqa: E402
from tests.factories import build_warehouse  # noqa: E402
from wms_tui.bootstrap import wire  # noqa: E402
from wms_tui.db.uow import uow_factory  # noqa: E402
from wms_tui.domain.flows.base import no_translation  # noqa: E402
from wms_tui.domain.flows.registry import default_flows, find_flow  # noqa: E402
from wms_tui.domain.stock import Receive, post  # noqa: E402

EA_GTIN = "09501101530003"
PLACES = ("A-01-01-1", "A-01-02-1")
STEPS = (
    # (keys, what must be on screen after them), formatted with src and dst.
    ("{src}\r", ("Scan item", "From: {src}")),
    (EA_GTIN + "\r", ("Qty in EA", "Item: WIDGET")),
    ("1\r", ("Scan to location", "Qty: 1 EA")),
    ("{dst}\r", ("Moved 1 EA to {dst}", "Scan from location")),
)


def seed(path: Path) -> str:
    engine = fresh_sqlite_engine(str(path))
    wh = build_warehouse(engine)
    post(uow_factory(engine), wh.admin, Receive(wh.widget, 100_000, wh.a1, "ASN-1"))
    engine.dispose()
    return f"sqlite:///{path}"


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """utime+stime of the process, ended threads included (/proc/PID/stat), or of one of its
    threads (/proc/PID/task/TID/stat)."""
    path = f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Terminal:
    """The master side of a pty with a pyte screen; `run_tui` runs on the slave side."""

    def __init__(self, url: str, cols: int, rows: int, data_dir: str, root: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TEXTUAL", "COLORTERM")) and k not in ("COLUMNS", "LINES")}
        env.update(TERM="vt220", LANG="C.UTF-8", WMS_DATA_DIR=data_dir, PYTHONPATH=str(root))
        code = f"from wms_tui.app import run_tui; run_tui({url!r}, 'RF01', None, None)"
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, cwd=root, start_new_session=True)
        os.close(slave)
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.received = 0

    def words(self) -> str:
        return " ".join(" ".join(self.screen.display).split())

    def until(self, *texts: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while not all(t in self.words() for t in texts):
            left = end - time.monotonic()
            if left <= 0:
                raise SystemExit(f"{texts} never on screen: {self.words()}")
            if select.select([self.master], [], [], left)[0]:
                data = os.read(self.master, 65536)
                self.received += len(data)
                self.stream.feed(data)

    def quiet(self, seconds: float = 0.05) -> None:
        """Read until the app has written nothing for `seconds`: the step's frame is done."""
        while select.select([self.master], [], [], seconds)[0]:
            data = os.read(self.master, 65536)
            self.received += len(data)
            self.stream.feed(data)

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def wake_ups(pid: int) -> int:
    """Times the session's threads went to sleep and were woken (voluntary context switches)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                total += int(line.split()[1])
    return total


def walk(steps: int) -> list[tuple[str, tuple[str, ...]]]:
    """The Move steps, `steps` of them, there and back again."""
    out = []
    places = PLACES
    while len(out) < steps:
        for keys, expect in STEPS:
            src, dst = places
            out.append((keys.format(src=src, dst=dst),
                        tuple(e.format(src=src, dst=dst) for e in expect)))
        places = places[::-1]
    return out[:steps]


def session_cpu(url: str, tmp: Path, steps: int, cols: int, rows: int,
                root: Path = ROOT, idle: float = 3.0) -> dict[str, float]:
    """CPU ms per step of the RF app (the code under root) on a pty, bytes it wrote per step,
    and its CPU while idle afterwards (ms per minute: the input thread's wake-ups)."""
    forget_flow(url)
    terminal = Terminal(url, cols, rows, str(tmp / "data"), root)
    try:
        terminal.until("User ID")
        terminal.send("OP1\r")
        terminal.until("PIN")
        terminal.send("1234\r")
        terminal.until("Logout")
        terminal.send("3")
        terminal.until("Scan from location")
        terminal.quiet()
        pid = terminal.proc.pid
        before, sent = cpu_seconds(pid), terminal.received
        # The main thread runs the event loop: messages, layout, rendering, the screen.
        loop_before = cpu_seconds(pid, pid)
        started = time.perf_counter()
        for keys, expect in walk(steps):
            terminal.send(keys)
            terminal.until(*expect)
            terminal.quiet(0.01)
        terminal.quiet()
        used = cpu_seconds(pid) - before
        loop = cpu_seconds(pid, pid) - loop_before
        wall = time.perf_counter() - started
        # A second of quiet first: the flood gate's quiet moment and any last frame are over.
        terminal.quiet(1.0)
        idle_before, woken_before = cpu_seconds(pid), wake_ups(pid)
        time.sleep(idle)
        idle_used, woken = cpu_seconds(pid) - idle_before, wake_ups(pid) - woken_before
        return {"cpu_ms_per_step": used / steps * 1000,
                "loop_ms_per_step": loop / steps * 1000,
                "wall_ms_per_step": wall / steps * 1000,
                "bytes_per_step": (terminal.received - sent) / steps,
                "idle_cpu_ms_per_minute": idle_used * 1000 / idle * 60,
                "idle_wake_ups_per_minute": woken / idle * 60}
    finally:
        terminal.close()


def forget_flow(url: str) -> None:
    """No saved flow for OP1, so the next session is not offered a resume."""
    site = wire(url)
    try:
        site.services.clear_flow(site.auth("OP1", "1234", "RF02").user_id)
    finally:
        site.close()


def flow_cpu(url: str, steps: int) -> dict[str, float]:
    """The same steps with no screen: the flow call and the flow-state save, in process, on
    the services the composition root wires for a session."""
    site = wire(url)
    try:
        services = site.services
        actor = site.auth("OP1", "1234", "RF02")
        spec = find_flow(default_flows(), "move")
        assert spec is not None
        flow = spec.build(actor, services, no_translation, None)
        times = []
        for keys, _expect in walk(steps):
            start = time.process_time()
            # As the RF screen runs a step: the call and the save in one step transaction.
            with services.step_transaction():
                flow.submit(keys.rstrip("\r"))
                services.save_flow(actor.user_id, flow.name, flow.state, actor.terminal)
            times.append(time.process_time() - start)
        # The pty session logs in as the same operator: it must not be offered a resume.
        services.clear_flow(actor.user_id)
        return {"cpu_ms_per_step": statistics.mean(times) * 1000,
                "p50_ms": statistics.median(times) * 1000}
    finally:
        site.close()


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="scan steps (4 per Move)")
    parser.add_argument("--size", default="20x16", help="COLSxROWS of the terminal")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each; medians shown")
    parser.add_argument("--against", type=Path, help="another checkout to run as 'before'")
    parser.add_argument("--idle", type=float, default=3.0,
                        help="seconds of idle session CPU measured after the steps")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    cols, rows = (int(n) for n in args.size.lower().split("x"))
    trees = {"after": ROOT, **({"before": args.against.resolve()} if args.against else {})}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        url = seed(Path(tmp) / "wms.db")
        flow = flow_cpu(url, args.steps)
        for _round in range(args.rounds):
            for name, root in trees.items():
                runs[name].append(session_cpu(url, Path(tmp), args.steps, cols, rows, root,
                                              args.idle))
    load = os.getloadavg()
    result: dict[str, object] = {
        "steps": args.steps, "size": f"{cols}x{rows}", "rounds": args.rounds,
        "flow_only_cpu_ms_per_scan": round(flow["cpu_ms_per_step"], 2),
        "load_average": [round(n, 2) for n in load]}
    for name, found in runs.items():
        session = median_of(found)
        result[name] = {
            "session_cpu_ms_per_scan": round(session["cpu_ms_per_step"], 2),
            "event_loop_cpu_ms_per_scan": round(session["loop_ms_per_step"], 2),
            "screen_cpu_ms_per_scan": round(session["cpu_ms_per_step"]
                                            - flow["cpu_ms_per_step"], 2),
            "bytes_per_step": round(session["bytes_per_step"], 1),
            "idle_cpu_ms_per_minute": round(session["idle_cpu_ms_per_minute"], 1),
            "idle_wake_ups_per_minute": round(session["idle_wake_ups_per_minute"])}
    if args.json:
        print(json.dumps(result))
        return
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; "
          f"TERM=vt220 {cols}x{rows}; SQLite; {args.steps} Move steps; median of "
          f"{args.rounds} round(s)")
    names = list(runs)
    print(f"{'ms CPU per scan':<46}" + "".join(f"{name:>10}" for name in names))
    for label, key in (("RF session on a pty (/proc utime+stime)", "session_cpu_ms_per_scan"),
                       ("  of which its event loop (main) thread", "event_loop_cpu_ms_per_scan"),
                       ("  the screen (session - baseline)", "screen_cpu_ms_per_scan"),
                       ("bytes to the terminal per step", "bytes_per_step"),
                       ("idle session: ms CPU per minute", "idle_cpu_ms_per_minute"),
                       ("idle session: wake-ups per minute", "idle_wake_ups_per_minute")):
        print(f"{label:<46}" + "".join(
            f"{result[name][key]:>10.2f}" for name in names))  # type: ignore[index]
    print(f"{'baseline: flow + flow-state save, no screen':<46}"
          f"{flow['cpu_ms_per_step']:>10.2f}")
    if "before" in runs:
        after = result["after"]["session_cpu_ms_per_scan"]  # type: ignore[index]
        before = result["before"]["session_cpu_ms_per_scan"]  # type: ignore[index]
        print(f"session CPU per scan, after / before: {after / before:.2f}")


if __name__ == "__main__":
    main()
