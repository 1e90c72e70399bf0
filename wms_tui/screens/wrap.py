"""Line wrapping for RF screens that keeps codes whole, in English and in Chinese.

Rich wraps at spaces and cuts a "word" longer than the line anywhere; a Chinese sentence has
no spaces, so "按F5短拣" could be cut between F and 5. Here a run of narrow characters (a code,
a key name, an English word) is one unbreakable token unless it alone is wider than the line;
a line may break between any two wide (CJK) characters, except before closing punctuation.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size, set_cell_size

# Punctuation that must not start a line: it closes what comes before it.
CLOSING = frozenset("，。、：；！？）」』】》…,.:;!?)")


def _wide(char: str) -> bool:
    return get_character_cell_size(char) == 2


def _tokens(text: str) -> list[str]:
    """Runs of spaces, runs of narrow characters, single wide characters (with the closing
    punctuation that follows them)."""
    tokens: list[str] = []
    for char in text:
        if tokens:
            last = tokens[-1][-1]
            if (char == " ") == (last == " ") and (
                    char == " " or char in CLOSING
                    or not (_wide(char) or _wide(last) or last in CLOSING)):
                tokens[-1] += char
                continue
        tokens.append(char)
    return tokens


def _cut(token: str, width: int) -> list[str]:
    """A token wider than the line, in line-sized pieces (the only place a code is split)."""
    pieces: list[str] = []
    while cell_len(token) > width:
        piece = set_cell_size(token, width).rstrip() or token[0]
        piece = token[: len(piece)]
        pieces.append(piece)
        token = token[len(piece):]
    pieces.append(token)
    return pieces


def wrap_lines(text: str, width: int) -> list[str]:
    """text as lines of at most width cells; newlines in text are kept."""
    if width <= 0:
        return []
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if token.startswith(" "):
                line += token if line else ""
                continue
            if cell_len(line + token) <= width:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            *full, line = _cut(token, width)
            lines.extend(full)
        lines.append(line.rstrip())
    return lines
