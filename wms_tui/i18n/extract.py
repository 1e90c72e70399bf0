"""Keep the message catalogues in step with the code: extract msgids, update .po, compile .mo.

    python -m wms_tui.i18n.extract           # update every wms.po and compile its wms.mo
    python -m wms_tui.i18n.extract --check   # exit 1 if anything is stale or untranslated

A msgid is the first argument, a string literal, of a call to `_`, `N_` or `t`, or of a `.t`
or `._t` method (`_ = self.t; _("Scan item")`, `raise ScanRejected(N_("..."), scan=text)`),
anywhere in wms_tui/. Only the standard library is used, so no extra tool is needed.
"""

from __future__ import annotations

import argparse
import ast
import re
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wms_tui.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE

PACKAGE_DIR = Path(__file__).resolve().parent.parent
MARKER_NAMES = frozenset({"_", "N_", "t"})
MARKER_METHODS = frozenset({"t", "_t"})
PLURAL_FORMS = {"en": "nplurals=2; plural=(n != 1);", "zh_CN": "nplurals=1; plural=0;"}
_PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}")
_WRAP = 70


@dataclass
class Entry:
    """One message: its id, translation, the files it comes from, and flags such as fuzzy."""

    msgid: str
    msgstr: str = ""
    sources: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and "fuzzy" not in self.flags


# Extraction.


def _is_marker(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in MARKER_NAMES
    return isinstance(func, ast.Attribute) and func.attr in MARKER_METHODS


def messages_in(source: str) -> list[str]:
    """The msgids marked in one module's source, in the order they appear."""
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and _is_marker(node.func) and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                and node.args[0].value):
            found.append((node.lineno, node.col_offset, node.args[0].value))
    return [text for _line, _col, text in sorted(found)]


def extract_messages(root: Path = PACKAGE_DIR) -> dict[str, list[str]]:
    """Every msgid in the package, mapped to the files (relative to the project) that use it."""
    messages: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root.parent).as_posix()
        for msgid in messages_in(path.read_text(encoding="utf-8")):
            sources = messages.setdefault(msgid, [])
            if name not in sources:
                sources.append(name)
    return messages


def placeholders(text: str) -> list[str]:
    """The {fields} of a str.format template, sorted, so a translation can be checked."""
    return sorted(_PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


# Reading and writing .po files.


def _unquote(token: str, where: str) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, got {token!r}")
    body = token[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    out: list[str] = []
    chars = iter(body)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in escapes:
                raise ValueError(f"{where}: unknown escape \\{escaped}")
            out.append(escapes[escaped])
        else:
            out.append(char)
    return "".join(out)


def read_po(path: Path) -> tuple[str, list[Entry]]:
    """The header text and the entries (obsolete ones included) of a .po file."""
    header = ""
    entries: list[Entry] = []
    sources: list[str] = []
    flags: set[str] = set()
    current: Entry | None = None
    keyword = ""
    obsolete = False

    def finish() -> None:
        nonlocal header, current
        if current is not None:
            if current.msgid == "" and not current.obsolete:
                header = current.msgstr
            else:
                entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path}:{number}"
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        if line.startswith("#"):
            if keyword == "msgstr":
                finish()
                keyword = ""
            if line.startswith("#:"):
                sources.extend(line[2:].split())
            elif line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith(("msgctxt", "msgid_plural", "msgstr[")):
            raise ValueError(f"{where}: contexts and plurals are not used in this project")
        if line.startswith("msgid "):
            finish()
            current = Entry("", sources=sources, flags=flags, obsolete=obsolete)
            sources, flags = [], set()
            keyword = "msgid"
            current.msgid = _unquote(line[6:].strip(), where)
        elif line.startswith("msgstr "):
            if current is None or keyword != "msgid":
                raise ValueError(f"{where}: msgstr without msgid")
            keyword = "msgstr"
            current.msgstr = _unquote(line[7:].strip(), where)
        elif line.startswith('"'):
            if current is None or not keyword:
                raise ValueError(f"{where}: string outside an entry")
            text = _unquote(line, where)
            if keyword == "msgid":
                current.msgid += text
            else:
                current.msgstr += text
        else:
            raise ValueError(f"{where}: cannot read {raw!r}")
    finish()
    return header, entries


def _quote(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
               .replace("\r", "\\r").replace("\n", "\\n"))
    return f'"{escaped}"'


def _chunks(text: str) -> list[str]:
    """Text cut at spaces (or anywhere, for Chinese) into pieces short enough for a .po line."""
    pieces: list[str] = []
    line = ""
    for token in re.findall(r"\S+\s*|\s+", text):
        while len(token) > _WRAP:
            if line:
                pieces.append(line)
                line = ""
            pieces.append(token[:_WRAP])
            token = token[_WRAP:]
        if line and len(line) + len(token) > _WRAP:
            pieces.append(line)
            line = ""
        line += token
    if line:
        pieces.append(line)
    return pieces


def _po_string(keyword: str, text: str, prefix: str = "") -> list[str]:
    if len(text) <= _WRAP and "\n" not in text[:-1]:
        return [f"{prefix}{keyword} {_quote(text)}"]
    pieces = [piece for part in text.splitlines(keepends=True) for piece in _chunks(part)]
    return [f'{prefix}{keyword} ""'] + [f"{prefix}{_quote(piece)}" for piece in pieces]


def format_po(header: str, entries: Iterable[Entry]) -> str:
    lines = ['msgid ""', 'msgstr ""']
    lines.extend(_quote(part) for part in header.splitlines(keepends=True))
    for entry in entries:
        lines.append("")
        prefix = "#~ " if entry.obsolete else ""
        if entry.sources and not entry.obsolete:
            lines.append("#: " + " ".join(entry.sources))
        if entry.flags:
            lines.append("#, " + ", ".join(sorted(entry.flags)))
        lines.extend(_po_string("msgid", entry.msgid, prefix))
        lines.extend(_po_string("msgstr", entry.msgstr, prefix))
    return "\n".join(lines) + "\n"


def po_header(lang: str) -> str:
    return (
        "Project-Id-Version: wms-tui\n"
        f"Language: {lang}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        f"Plural-Forms: {PLURAL_FORMS.get(lang, 'nplurals=2; plural=(n != 1);')}\n"
    )


# Compiling .mo files.


def compile_mo(header: str, entries: Iterable[Entry]) -> bytes:
    """GNU .mo bytes (little-endian, as CPython's msgfmt.py lays them out); fuzzy and empty
    translations are left out so gettext falls back to the English msgid."""
    messages = {"": header}
    messages.update((e.msgid, e.msgstr) for e in entries if e.translated and not e.obsolete)
    keys = sorted(messages, key=lambda k: k.encode("utf-8"))
    ids = strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for key in keys:
        msgid, msgstr = key.encode("utf-8"), messages[key].encode("utf-8")
        offsets.append((len(ids), len(msgid), len(strs), len(msgstr)))
        ids += msgid + b"\0"
        strs += msgstr + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_table: list[int] = []
    value_table: list[int] = []
    for id_offset, id_length, str_offset, str_length in offsets:
        key_table += [id_length, id_offset + key_start]
        value_table += [str_length, str_offset + value_start]
    table = key_table + value_table
    head = struct.pack("<Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return head + struct.pack(f"<{len(table)}i", *table) + ids + strs


# Updating the catalogues.


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def updated_entries(lang: str, found: dict[str, list[str]], old: list[Entry]) -> list[Entry]:
    """The catalogue for the code as it is: translations kept, new msgids added, gone ones
    kept as obsolete so a reworded message can take its old translation back."""
    known = {entry.msgid: entry for entry in old}
    entries: list[Entry] = []
    for msgid, sources in found.items():
        entry = known.pop(msgid, None) or Entry(msgid)
        entry.sources, entry.obsolete = list(sources), False
        if lang == SOURCE_LANGUAGE and not entry.msgstr:
            entry.msgstr = msgid
        if placeholders(msgid):
            entry.flags.add("python-brace-format")
        else:
            entry.flags.discard("python-brace-format")
        entries.append(entry)
    for entry in known.values():
        if entry.msgstr:
            entry.obsolete, entry.sources = True, []
            entries.append(entry)
    return entries


def update(lang: str, found: dict[str, list[str]], locale_dir: Path = LOCALE_DIR,
           write: bool = True) -> list[str]:
    """Bring one language's .po and .mo up to date; returns what was (or would be) changed."""
    po = po_path(lang, locale_dir)
    mo = po.with_suffix(".mo")
    header, old = read_po(po) if po.exists() else ("", [])
    header = header or po_header(lang)
    entries = updated_entries(lang, found, old)
    text = format_po(header, entries)
    binary = compile_mo(header, entries)
    changes = [f"{path} is out of date"
               for path, content in ((po, text.encode("utf-8")), (mo, binary))
               if not path.exists() or path.read_bytes() != content]
    changes += [f"{po}: no translation for {e.msgid!r}" for e in entries
                if not e.obsolete and not e.translated]
    if write:
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_text(text, encoding="utf-8")
        mo.write_bytes(binary)
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wms_tui.i18n.extract", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a catalogue is stale or incomplete")
    args = parser.parse_args(argv)
    found = extract_messages()
    problems: list[str] = []
    for lang in LANGUAGES:
        problems += update(lang, found, write=not args.check)
    print(f"{len(found)} messages in {', '.join(LANGUAGES)}")
    for problem in problems:
        print(problem)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
