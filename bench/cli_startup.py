"""Start-up time of the `wms` command line, as a multiple of a bare `python -c pass`.

Three commands run in turn, N times each, interleaved so a busy machine slows them alike:
`python -c pass` (the baseline), `wms --help`, and `wms stock --json` on a practice
warehouse seeded by `wms demo --no-run` in a temporary data directory.

    python bench/cli_startup.py                 # 15 runs each, a table
    python bench/cli_startup.py --runs 5 --json # one JSON object on stdout
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wms_command() -> list[str]:
    """The installed `wms` console script next to this Python, else the repository's shim."""
    script = Path(sys.executable).with_name("wms")
    return [str(script)] if script.exists() else [sys.executable, str(ROOT / "cli.py")]


def run_once(argv: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run; a failing command ends the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}): "
                 f"{done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def seed_demo(env: dict[str, str], wms: list[str]) -> str:
    """The practice warehouse's URL, seeded in the temporary data directory."""
    subprocess.run([*wms, "demo", "--no-run"], env=env, check=True, stdout=subprocess.DEVNULL)
    return f"sqlite:///{Path(env['WMS_DATA_DIR']) / 'demo.db'}"


def measure(runs: int) -> dict[str, object]:
    wms = wms_command()
    with tempfile.TemporaryDirectory(prefix="wms-cli-bench-") as folder:
        env = {**os.environ, "WMS_DATA_DIR": folder}
        env.pop("WMS_DATABASE_URL", None)
        demo = seed_demo(env, wms)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "wms --help": [*wms, "--help"],
            "wms stock --json": [*wms, "--database-url", demo, "stock", "--json"],
        }
        # One untimed run each warms the file cache and the .pyc files.
        for argv in commands.values():
            run_once(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                times[name].append(run_once(argv, env))
    base = statistics.median(times["python -c pass"])
    load = os.getloadavg()
    return {
        "runs": runs,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load],
        "commands": {
            name: {"median_ms": round(statistics.median(t) * 1000, 1),
                   "min_ms": round(min(t) * 1000, 1),
                   "ratio": round(statistics.median(t) / base, 1)}
            for name, t in times.items()
        },
    }


def print_table(result: dict[str, object]) -> None:
    load = result["load_average"]
    print(f"{result['runs']} runs each, {result['cpus']} CPUs, load average {load}")
    print(f"{'command':<20}{'median ms':>12}{'min ms':>10}{'x pass':>9}")
    commands = result["commands"]
    assert isinstance(commands, dict)
    for name, figures in commands.items():
        print(f"{name:<20}{figures['median_ms']:>12}{figures['min_ms']:>10}"
              f"{figures['ratio']:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="Timed runs of each command.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args()
    result = measure(args.runs)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
