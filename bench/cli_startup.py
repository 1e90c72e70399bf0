"""Start-up time of the `wms` command line, as a multiple of a bare `python -c pass`.

Three commands run in turn, N times each, interleaved so a busy machine slows them alike:
`python -c pass` (the baseline), `wms --help`, and `wms stock --json` on a practice
warehouse seeded by `wms demo --no-run` in a temporary data directory. With --before DIR
(an older tree, e.g. `git archive HEAD | tar -x -C DIR`), that tree's `wms --help` and
`wms stock --json` on its own practice warehouse join the same rotation, so both sides
see the same load.

Bytecode is cached in the temporary directory, as an installed wms has its .pyc files, even
when PYTHONDONTWRITEBYTECODE is set; the working tree gets no __pycache__.

    python bench/cli_startup.py                        # 15 runs each, a table
    python bench/cli_startup.py --runs 5 --json        # one JSON object on stdout
    python bench/cli_startup.py --before /tmp/before   # before and after in one run
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


def wms_command(tree: Path | None = None) -> list[str]:
    """`wms` from tree's own cli.py; without a tree, the installed console script next to
    this Python, else the repository's shim."""
    if tree is not None:
        return [sys.executable, str(tree / "cli.py")]
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
    """The practice warehouse's URL, seeded in the environment's data directory."""
    subprocess.run([*wms, "demo", "--no-run"], env=env, check=True, stdout=subprocess.DEVNULL)
    return f"sqlite:///{Path(env['WMS_DATA_DIR']) / 'demo.db'}"


def bench_env(folder: Path, data: str) -> dict[str, str]:
    env = {**os.environ, "WMS_DATA_DIR": str(folder / data),
           "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
    env.pop("WMS_DATABASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    (folder / data).mkdir()
    return env


def figures(times: list[float], base: float) -> dict[str, float]:
    return {"median_ms": round(statistics.median(times) * 1000, 1),
            "min_ms": round(min(times) * 1000, 1),
            "ratio": round(statistics.median(times) / base, 1)}


def measure(runs: int, before: Path | None = None) -> dict[str, object]:
    wms = wms_command(ROOT if before is not None else None)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="wms-cli-bench-") as name:
        folder = Path(name)
        env = bench_env(folder, "data")
        demo = seed_demo(env, wms)
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], env),
            "wms --help": ([*wms, "--help"], env),
            "wms stock --json": ([*wms, "--database-url", demo, "stock", "--json"], env),
        }
        if before is not None:
            old_env = bench_env(folder, "before")
            old = wms_command(before)
            old_demo = seed_demo(old_env, old)
            commands["before: wms --help"] = ([*old, "--help"], old_env)
            commands["before: wms stock --json"] = (
                [*old, "--database-url", old_demo, "stock", "--json"], old_env)
        # One untimed run each warms the file cache and writes the .pyc files.
        for argv, run_env in commands.values():
            run_once(argv, run_env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, (argv, run_env) in commands.items():
                times[name].append(run_once(argv, run_env))
    base = statistics.median(times["python -c pass"])
    load_after = os.getloadavg()
    return {
        "runs": runs,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load_after],
        "load_average_at_start": [round(x, 2) for x in load_before],
        "before": str(before) if before is not None else None,
        "commands": {name: figures(t, base) for name, t in times.items()},
    }


def print_table(result: dict[str, object]) -> None:
    print(f"{result['runs']} runs each, {result['cpus']} CPUs, load average "
          f"{result['load_average_at_start']} at start, {result['load_average']} at end")
    print(f"{'command':<26}{'median ms':>12}{'min ms':>10}{'x pass':>9}")
    commands = result["commands"]
    assert isinstance(commands, dict)
    for name, shown in commands.items():
        print(f"{name:<26}{shown['median_ms']:>12}{shown['min_ms']:>10}{shown['ratio']:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="Timed runs of each command.")
    parser.add_argument("--before", type=Path, default=None,
                        help="An older tree whose `wms` runs in the same rotation.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args()
    if args.before is not None and not (args.before / "cli.py").exists():
        parser.error(f"--before {args.before}: no cli.py there")
    result = measure(args.runs, args.before)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
