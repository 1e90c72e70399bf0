"""docs/admin-guide.md stays true: every `wms` line of its sh blocks runs, in order, on a fresh
site with the guide's own example files, and ends with the exit code the guide promises."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.conftest import Wms, make_runner, sqlite_url

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "admin-guide.md"

# The PIN the test types at every PIN prompt (twice) or on standard input (--pin-stdin).
PIN = "2468"

# `wms` lines that cannot run in a test, by their exact text. Each is still parsed with --help
# appended, so a misspelt command or option fails here too.
NOT_RUNNABLE: dict[str, str] = {
    "wms labels location --zone PICK --printer 10.0.0.50:9100":
        "needs a Zebra printer listening on port 9100",
    "wms count approve 4 --as SUP1":
        "needs a count submitted on an RF terminal; the CLI cannot submit one",
    "wms count reject 4 --as SUP1":
        "needs a count submitted on an RF terminal; the CLI cannot submit one",
    "wms serve --host 0.0.0.0 --authorized-keys /etc/wms/authorized_keys":
        "serves until stopped, and needs the authorized_keys file",
    "wms serve --host 0.0.0.0 --authorized-keys /etc/wms/authorized_keys "
    "--device-password-file /etc/wms/device-password":
        "serves until stopped, and needs the key and password files",
    "wms serve --telnet-port 2323 --device-password-file /etc/wms/device-password":
        "serves until stopped, and needs the device password file",
    "wms serve --host 0.0.0.0 --telnet-port 2323 --telnet-insecure "
    "--device-password-file /etc/wms/device-password":
        "serves until stopped on every address, and needs the device password file",
    "wms tui --terminal DESK-1": "runs the full-screen RF app until the user quits",
}

# Programs other than `wms` in the guide's sh blocks: none of them runs here.
OTHER_PROGRAMS: dict[str, str] = {
    "ssh-keygen": "makes device keys or reads the host key's fingerprint on the server",
    "install": "creates files under /etc",
    "cat": "appends a device key to /etc/wms/authorized_keys",
    "printf": "writes the device password file under /etc",
    "pg_dump": "needs the site's PostgreSQL server",
    "pg_restore": "needs the site's PostgreSQL server",
    "useradd": "creates a system account",
    "chown": "changes owners under /etc",
    "systemctl": "manages the host's services",
    "journalctl": "reads the host's journal",
}

# `export NAME=value` lines: the site settings are applied for the commands after them; the
# database and data directory are the test's own, set by make_runner for every command.
APPLIED_ENV = {"WMS_TIMEZONE", "WMS_LOCKOUT_MINUTES"}
RUNNER_ENV = {"WMS_DATA_DIR", "WMS_DATABASE_URL"}

# Commands that ask for a new PIN: hidden prompt twice, or the first line with --pin-stdin.
PIN_COMMANDS = (("init", "--admin"), ("user", "add"), ("user", "reset-pin"))

EXIT_NOTE = re.compile(r"\s#\s*exit (\d+)\b")


@dataclass(frozen=True)
class WmsLine:
    """One `wms` command of the guide as written, and how the test runs it."""

    text: str
    argv: tuple[str, ...]
    exit_code: int
    stdout_to: str | None


@dataclass(frozen=True)
class Guide:
    """The guide's sh blocks, read as a site admin would type them."""

    wms_lines: tuple[WmsLine, ...]
    exports: tuple[tuple[int, str, str], ...]
    other_programs: tuple[str, ...]
    files: dict[str, str]


def sh_lines(markdown: str) -> list[str]:
    """Every command line of the sh blocks, continuation lines joined, comment lines dropped."""
    lines: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```", markdown, re.S | re.M):
        joined = re.sub(r"\\\n\s*", " ", block)
        lines += [s for line in joined.splitlines() if (s := line.strip())
                  and not s.startswith("#")]
    return lines


def read_guide() -> Guide:
    markdown = GUIDE.read_text(encoding="utf-8")
    wms_lines: list[WmsLine] = []
    exports: list[tuple[int, str, str]] = []
    others: list[str] = []
    for line in sh_lines(markdown):
        note = EXIT_NOTE.search(line)
        words = shlex.split(line, comments=True)
        segments: list[list[str]] = [[]]
        for word in words:
            if word == "|":
                segments.append([])
            else:
                segments[-1].append(word)
        wms = [s for s in segments if s[0] == "wms"]
        if wms:
            [command] = wms
            stdout_to = None
            if ">" in command:
                at = command.index(">")
                stdout_to = command[at + 1]
                command = command[:at]
            assert not any("$" in w or w.startswith("<") for w in command), line
            wms_lines.append(WmsLine(
                text=shlex.join(command),
                argv=tuple(command[1:]),
                exit_code=int(note.group(1)) if note else 0,
                stdout_to=stdout_to))
        elif words[0] == "export":
            name, _, value = words[1].partition("=")
            exports.append((len(wms_lines), name, value))
        else:
            others.append(words[0])
    files = dict(re.findall(r"`([\w.-]+\.csv)`:\n\n```csv\n(.*?)```", markdown, re.S))
    assert len(files) == markdown.count("```csv\n"), "every csv block needs a `NAME.csv`: line"
    return Guide(tuple(wms_lines), tuple(exports), tuple(others), files)


def needs_pin(argv: tuple[str, ...]) -> bool:
    return any(argv[0] == first and second in argv[1:] for first, second in PIN_COMMANDS)


def test_guide_lists_only_commands_it_has() -> None:
    guide = read_guide()
    texts = [line.text for line in guide.wms_lines]
    assert len(texts) >= 60, texts
    assert sorted(set(NOT_RUNNABLE) - set(texts)) == [], "NOT_RUNNABLE names lines not in the guide"
    assert sorted(set(guide.other_programs) - set(OTHER_PROGRAMS)) == [], (
        "a program the test neither runs nor lists")
    assert sorted({n for _, n, _ in guide.exports} - APPLIED_ENV - RUNNER_ENV) == []
    # Every non-zero exit the guide promises is a line that runs.
    assert all(line.text not in NOT_RUNNABLE for line in guide.wms_lines if line.exit_code)


def test_every_wms_line_of_the_guide_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guide = read_guide()
    site = tmp_path / "site"
    site.mkdir()
    for name, content in guide.files.items():
        (site / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(site)
    for name in APPLIED_ENV:
        monkeypatch.delenv(name, raising=False)
    wms: Wms = make_runner(sqlite_url(tmp_path), tmp_path / "data")

    ran: list[str] = []
    parsed_only: list[str] = []
    failures: list[str] = []
    for index, line in enumerate(guide.wms_lines):
        for _, name, value in (e for e in guide.exports if e[0] == index):
            if name in APPLIED_ENV:
                monkeypatch.setenv(name, value)
        if line.text in NOT_RUNNABLE:
            result = wms(*line.argv, "--help")
            parsed_only.append(line.text)
            if result.exit_code != 0 or "Usage:" not in result.output:
                failures.append(f"{line.text} --help: exit {result.exit_code}\n{result.output}")
            continue
        result = wms(*line.argv, input=f"{PIN}\n{PIN}\n" if needs_pin(line.argv) else None)
        ran.append(line.text)
        if result.exit_code != line.exit_code:
            failures.append(f"{line.text}: exit {result.exit_code}, the guide says "
                            f"{line.exit_code}\n{result.output}")
        if line.stdout_to is not None:
            (site / line.stdout_to).write_text(result.stdout, encoding="utf-8")

    assert failures == [], "\n\n".join(failures)
    assert sorted(ran + parsed_only) == sorted(line.text for line in guide.wms_lines)
    assert sorted(set(parsed_only)) == sorted(NOT_RUNNABLE), "a not-runnable line left the guide"
    # What the guide says the files hold: the redirected outputs are real.
    assert (site / "events.json").read_text(encoding="utf-8").lstrip().startswith("{")
    assert (site / "stock-snapshot.csv").read_text(encoding="utf-8").startswith("sku,location,")


def test_wms_lines_outside_sh_blocks_parse(tmp_path: Path) -> None:
    """The cron lines and the unit file's ExecStart are not run, but their options must exist."""
    markdown = GUIDE.read_text(encoding="utf-8")
    commands = re.findall(r"/opt/wms/bin/wms ([^\n|>]+)", markdown)
    assert len(commands) >= 3, commands
    wms = make_runner(sqlite_url(tmp_path), tmp_path / "data")
    for command in commands:
        result = wms(*shlex.split(command), "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, (command, result.output)
