"""The RF building blocks every screen shares: header, facts, prompt, scan input, message line.

Each widget renders plain rich Text (never markup) from strings passed through visible(),
so scanned data can neither restyle the screen nor send control characters to a terminal.
Nothing here blinks or runs a timer: an idle terminal receives no bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.dom import DOMNode
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.widget import Widget

from wms_tui.domain.flows.base import Tone
from wms_tui.input_limits import FLOOD_QUIET
from wms_tui.screens.bursts import ScanBurst, burst_of, pass_on
from wms_tui.screens.fact_layout import fact_rows as lay_out_facts
from wms_tui.screens.wrap import wrap_lines

GS = "\x1d"
# The longest entry, in characters (normalize_scan's limit too): past it an entry is refused.
MAX_INPUT = 256
# Keys that end an entry: scanners send Enter or Tab after the data.
SUBMIT_KEYS = frozenset({"enter", "tab", "ctrl+m", "ctrl+j"})
ERASE_KEYS = frozenset({"backspace", "ctrl+h"})
GS_KEYS = frozenset({"ctrl+right_square_bracket", "ctrl+]"})


def visible(text: str, ascii_mode: bool = False) -> str:
    """Text safe to draw: GS as a marker, other control characters (and in ASCII mode any
    non-ASCII character) as '?'."""
    out: list[str] = []
    for char in text:
        if char == GS:
            out.append("|" if ascii_mode else "¦")
        elif not char.isprintable() or (ascii_mode and not char.isascii()):
            out.append("?")
        else:
            out.append(char)
    return "".join(out)


def fit(text: str, width: int, ascii_mode: bool = False) -> str:
    """One line cut to width terminal cells, with a mark where it was cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + ("~" if ascii_mode else "…")


def _opaque(widget: Widget) -> bool:
    """Widget.opacity == 1.0 without building the list of ancestors it multiplies."""
    node: DOMNode | None = widget
    while node is not None:
        if node.styles.opacity != 1.0:
            return False
        node = node.parent
    return True


class RfWidget(Widget):
    """Knows whether the app is in ASCII mode, so every widget draws the same character set.

    Its render() Text becomes lines straight away (Textual's line API), not through Textual's
    general content pipeline: a scan step repaints a few plain lines, and that pipeline was a
    large part of the CPU a step cost. Lines are kept until the next refresh or resize.
    """

    # (size, base style) the lines were drawn for, and the lines.
    drawn: tuple[tuple[Size, Style], list[Strip]] | None = None

    @property
    def ascii_mode(self) -> bool:
        return bool(getattr(self.app, "ascii_mode", False))

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        self.drawn = None
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Textual's lines for a widget with no border, padding, outline, tint or opacity (all
        RF widgets), without its general styles pipeline: each line is the content line
        padded with the background, then the app's line filters, as that pipeline makes it,
        and every step is cached on the line itself until the next refresh."""
        styles = self.styles
        if (any(styles.gutter) or any(edge for edge, _color in styles.outline) or styles.tint.a
                or styles.text_opacity != 1.0 or styles.has_rule("hatch")
                or not _opaque(self)):
            return super().render_lines(crop)
        base_background, background = self.background_colors
        inner = TextualStyle(background=base_background + background).rich_style
        filters = self.get_line_filters()
        size, base = self.size, self.visual_style.rich_style
        width = size.width
        lines = self._content_lines(size, base)
        strips = []
        for y in crop.line_range:
            line = lines[y] if y < len(lines) else Strip.blank(width, base)
            strip = line.adjust_cell_length(width, inner)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        size, base = self.size, self.visual_style.rich_style
        lines = self._content_lines(size, base)
        return lines[y] if y < len(lines) else Strip.blank(size.width, base)

    def _content_lines(self, size: Size, base: Style) -> list[Strip]:
        key = (size, base)
        if self.drawn is None or self.drawn[0] != key:
            text = self.render()
            assert isinstance(text, Text)
            console = self.app.console
            # Text.render yields the spans' styles only; the Text's own style goes under them.
            under = base + console.get_style(text.style, default=Style.null())
            self.drawn = (key, [Strip(Segment.apply_style(line.render(console, end=""), under))
                                for line in text.split("\n", allow_blank=True)
                                [: size.height]])
        return self.drawn[1]


class RfHeader(RfWidget):
    """The top line: what this screen is on the left, the terminal ID on the right."""

    def __init__(self, title: str = "", right: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title = title
        self.right = right

    def show(self, title: str, right: str | None = None) -> None:
        if right is not None and right != self.right:
            self.right = right
            self.refresh()
        if title != self.title:
            self.title = title
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        right = visible(self.right, self.ascii_mode)
        title = visible(self.title, self.ascii_mode)
        if width < cell_len(right) + 4:
            return Text(set_cell_size(fit(title, width, self.ascii_mode), width))
        left = fit(title, width - cell_len(right) - 1, self.ascii_mode)
        gap = width - cell_len(left) - cell_len(right)
        return Text(left + " " * gap + right)


def in_columns(lines: Sequence[str], width: int, height: int, ascii_mode: bool) -> Text:
    """Lines top to bottom, then in further columns, so a short screen still shows them all."""
    height = max(height, 1)
    columns = max(-(-len(lines) // height), 1)
    cell = width // columns
    rows = []
    for row in range(min(height, len(lines))):
        entries = lines[row::height]
        rows.append("".join(
            set_cell_size(fit(visible(entry, ascii_mode), cell - 1, ascii_mode), cell)
            for entry in entries
        ).rstrip())
    return Text("\n".join(rows))


class FactList(RfWidget):
    """Label: value lines cut to the width (fact_layout); more than the rows (8x40) go side by
    side, read across.

    On a step screen (with_prompt) the prompt is drawn here too, bold in the bottom one or two
    rows: the widget keeps its size whatever the prompt, so a step that changes how many rows
    the prompt needs repaints rows and never lays out the screen again.
    """

    # The prompt is wrapped to at most this many rows.
    PROMPT_ROWS = 2

    def __init__(self, with_prompt: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: tuple[str, ...] = ()
        # (lines, their kinds, width, fact rows, ASCII mode) -> the rows rows() laid out.
        self._laid_out: tuple[tuple[object, ...], list[str]] | None = None
        self.with_prompt = with_prompt
        self.prompt = ""
        # The screen is wide though this column is not (context beside it): descriptions whole.
        self.wide = False

    @property
    def fact_rows(self) -> int:
        """The rows above the prompt, where the facts are shown."""
        return max(self.size.height - len(self.prompt_lines(self.size.width)), 0)

    def prompt_lines(self, width: int) -> list[str]:
        if not self.with_prompt:
            return []
        wrapped = wrap_lines(visible(self.prompt, self.ascii_mode), width)
        return wrapped[: self.PROMPT_ROWS] or [""]

    def show(self, lines: Sequence[str], prompt: str | None = None) -> None:
        old_rows = self.rows(self.size.width)
        self.lines = tuple(lines)
        old_prompt = self.prompt_lines(self.size.width)
        if prompt is not None:
            self.prompt = prompt
        if not self.is_mounted:
            return
        width, height = self.size.width, self.size.height
        new_prompt, new_rows = self.prompt_lines(width), self.rows(width)
        if len(new_prompt) != len(old_prompt):
            self.refresh()
            return
        # Repaint only the rows that changed: unchanged and blank rows cost nothing on the wire.
        for row in range(max(len(old_rows), len(new_rows))):
            if old_rows[row : row + 1] != new_rows[row : row + 1]:
                self.refresh(Region(0, row, width, 1))
        if new_prompt != old_prompt:
            self.refresh(Region(0, height - len(new_prompt), width, len(new_prompt)))

    def rows(self, width: int) -> list[str]:
        """The facts as drawn rows at this width: read across, descriptions and SSCCs whole.

        A step asks for them up to four times (the rows before and after show(), render(),
        the message's room), so the last layout is kept until the lines or the size change.
        """
        key = (self.lines, tuple(map(type, self.lines)), width, self.fact_rows, self.ascii_mode,
               self.wide)
        if self._laid_out is None or self._laid_out[0] != key:
            shown = [type(line)(visible(line, self.ascii_mode)) for line in self.lines]
            self._laid_out = (key, lay_out_facts(
                shown, width, self.fact_rows,
                lambda text, cells: fit(text, cells, self.ascii_mode), self.wide))
        return self._laid_out[1]

    def render(self) -> Text:
        return self.with_prompt_below(Text("\n".join(self.rows(self.size.width))),
                                      self.fact_rows)

    def with_prompt_below(self, facts: Text, rows: int) -> Text:
        """The facts padded to their rows, then the prompt in bold; the facts alone if none."""
        prompt = self.prompt_lines(self.size.width)
        if not prompt:
            return facts
        shown = facts.split(allow_blank=True)[:rows] if facts.plain else []
        body = Text("\n").join([*shown, *[Text("")] * (rows - len(shown))])
        if rows:
            body.append("\n")
        body.append("\n".join(prompt), style="bold")
        return body


class MenuList(FactList):
    """Menu entries in as many columns as it takes to show them all, so 8 rows still fit."""

    def show(self, lines: Sequence[str], prompt: str | None = None) -> None:
        if tuple(lines) != self.lines or (prompt is not None and prompt != self.prompt):
            self.lines = tuple(lines)
            if prompt is not None:
                self.prompt = prompt
            self.refresh()

    def render(self) -> Text:
        rows = self.fact_rows
        return self.with_prompt_below(
            in_columns(self.lines, self.size.width, rows, self.ascii_mode), rows)


class PromptLine(RfWidget):
    """The one thing the operator must do now; wraps to at most two lines."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = ""

    def show(self, text: str) -> None:
        if text != self.text:
            rows = self.rows_needed(self.size.width)
            self.text = text
            # Only a prompt whose row count changes needs a new layout of the whole screen.
            self.refresh(layout=self.rows_needed(self.size.width) != rows)

    def rows_needed(self, width: int) -> int:
        return max(1, len(wrap_lines(visible(self.text, self.ascii_mode), width)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.rows_needed(width)

    def render(self) -> Text:
        return Text("\n".join(wrap_lines(visible(self.text, self.ascii_mode),
                                          self.size.width)))


class KeyLegend(RfWidget):
    """The bottom row of a tall screen: the keys the step has, as this keyboard names them."""

    def __init__(self, text: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = text

    def show(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return Text(fit(visible(self.text, self.ascii_mode), self.size.width, self.ascii_mode))


class MessageLine(RfWidget):
    """The result of the last entry: two rows, more when the fact rows above have room.

    Meaning is never carried by colour alone: "!" and reverse for a refusal, "*" for success.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = ""
        self.tone = Tone.NONE

    def show(self, text: str, tone: Tone = Tone.NONE) -> None:
        if (text, tone) != (self.text, self.tone):
            rows = self.rows_needed(self.size.width)
            self.text, self.tone = text, tone
            # A new row count changes the layout only where the line is `height: auto`
            # (pop-ups); on a step screen its two rows are fixed.
            height = self.styles.height
            self.refresh(layout=height is not None and height.is_auto
                         and self.rows_needed(self.size.width) != rows)

    def marked(self) -> str:
        shown = visible(self.text, self.ascii_mode)
        if self.tone is Tone.ERROR:
            return "! " + shown
        if self.tone is Tone.SUCCESS:
            return "* " + shown
        return shown

    def rows_needed(self, width: int) -> int:
        return len(wrap_lines(self.marked(), width)) if self.text else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Used where the line is `height: auto` (pop-ups): as many rows as the text wraps to.
        return self.rows_needed(width)

    def render(self) -> Text:
        if not self.text:
            return Text("")
        style = {Tone.ERROR: "reverse", Tone.SUCCESS: "bold"}.get(self.tone, "")
        return Text("\n".join(wrap_lines(self.marked(), self.size.width)), style=style)


class ScanInput(RfWidget, can_focus=True):
    """One-line entry for scans, quantities and PINs: no cursor blink, no timers.

    Enter or Tab submits, and CR+LF counts as one Enter; GS (Ctrl-]) is kept because it
    separates GS1 fields; other control characters are refused; Ctrl-U clears. An entry any of
    whose keys came in a burst is marked scanned, so a question can refuse it. Each key
    repaints this one line only; a whole scan in one ScanBurst repaints it at most once.

    An entry that runs past max_length is refused once (TooLong: one message, one bell) and
    cleared; every key after it, Enter included, is dropped until the terminal has been quiet
    for FLOOD_QUIET, so nothing of it is submitted and a paste rings no bell per character.
    """

    class TooLong(Message):
        """The entry ran past max_length: it was cleared and the rest of it is dropped."""

        def __init__(self, scan_input: ScanInput) -> None:
            super().__init__()
            self.scan_input = scan_input

        @property
        def control(self) -> ScanInput:
            return self.scan_input

    class Submitted(Message):
        def __init__(self, scan_input: ScanInput, value: str, scanned: bool = False) -> None:
            super().__init__()
            self.scan_input = scan_input
            self.value = value
            # The entry came from a scanner (a burst), not from keys pressed one by one.
            self.scanned = scanned

        @property
        def control(self) -> ScanInput:
            return self.scan_input

    def __init__(self, masked: bool = False, max_length: int = MAX_INPUT,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.masked = masked
        self.max_length = max_length
        self._chars: list[str] = []
        self._scanned = False
        # The last key handled, so the LF of a CR+LF suffix is not a second Enter.
        self._last_key = ""
        # When the last key of a too-long entry arrived; None when there is none to drop.
        self._too_long_at: float | None = None
        # True while the keys of one ScanBurst are taken: they repaint the line once.
        self._batching = False

    @property
    def value(self) -> str:
        return "".join(self._chars)

    @value.setter
    def value(self, text: str) -> None:
        self._chars = [c for c in text[: self.max_length] if c == GS or c.isprintable()]
        self._scanned = False
        self.refresh()

    def set_masked(self, masked: bool) -> None:
        if masked != self.masked:
            self.masked = masked
            self.refresh()

    def _insert(self, chars: str, at: float) -> None:
        for char in chars:
            if char != GS and not char.isprintable():
                continue
            if len(self._chars) >= self.max_length:
                self._refuse_too_long(at)
                return
            self._chars.append(char)
        self._repaint()

    def _refuse_too_long(self, at: float) -> None:
        self._chars, self._scanned, self._too_long_at = [], False, at
        self._repaint()
        self.post_message(self.TooLong(self))

    def _rest_of_too_long(self, at: float) -> bool:
        """True for a key that is more of an entry refused as too long: it is dropped."""
        if self._too_long_at is None:
            return False
        if at - self._too_long_at >= FLOOD_QUIET:
            self._too_long_at = None
            return False
        self._too_long_at = at
        return True

    def _clear(self) -> None:
        self._chars, self._scanned = [], False
        self._repaint()

    async def on_key(self, event: events.Key) -> None:
        if getattr(self.app, "leaving", False):
            # The app was told to end: keys still queued here are not worth a repaint.
            event.stop()
            event.prevent_default()
            return
        if not self.screen.is_active:
            # Queued for a screen that has since been covered or closed.
            pass_on(self.app, event)
            return
        if self._take(event):
            event.stop()
            event.prevent_default()

    def on_scan_burst(self, event: ScanBurst) -> None:
        """A whole scan in one event: its keys taken as on_key would take them, with at most
        one repaint, and none when the line ends as it began (the scan was submitted)."""
        event.stop()
        if getattr(self.app, "leaving", False):
            return
        if not self.screen.is_active:
            for key in event.keys:
                pass_on(self.app, key)
            return
        shown = (list(self._chars), self.masked)
        self._batching = True
        try:
            for key in event.keys:
                self._take(key)
        finally:
            self._batching = False
        if (self._chars, self.masked) != shown:
            self.refresh()

    def _take(self, event: events.Key) -> bool:
        """Apply one key to the line; False for keys left to the screen's bindings."""
        key, last = event.key, self._last_key
        self._last_key = key
        if self._rest_of_too_long(event.time):
            pass  # dropped, Enter too: nothing of a too-long entry is submitted
        elif key == "ctrl+j" and last in ("enter", "ctrl+m"):
            pass  # the LF of a CR+LF suffix: the CR already submitted
        elif key in SUBMIT_KEYS:
            value, scanned = self.value, self._scanned or burst_of(event) > 0
            self._clear()
            self.post_message(self.Submitted(self, value, scanned))
        elif key in ERASE_KEYS:
            if self._chars:
                self._chars.pop()
                self._repaint()
        elif key == "ctrl+u":
            self._clear()
        elif key in GS_KEYS or event.character == GS:
            self._scanned = self._scanned or burst_of(event) > 0
            self._insert(GS, event.time)
        elif event.character is not None and event.is_printable:
            self._scanned = self._scanned or burst_of(event) > 0
            self._insert(event.character, event.time)
        elif event.character is not None and len(event.character) == 1 and key.startswith(
            "ctrl+"
        ):
            # Other control characters are swallowed here so no binding acts on scanned data.
            pass
        else:
            return False  # Esc, F-keys and the like go on to the screen's bindings.
        return True

    def _repaint(self) -> None:
        # Inside a ScanBurst the line is repainted once, after all of its keys.
        if not self._batching:
            self.refresh()

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        if self._rest_of_too_long(event.time):
            return
        self._scanned = True
        self._insert(event.text.replace("\r", "").replace("\n", ""), event.time)

    def render(self) -> Text:
        shown = "*" * len(self._chars) if self.masked else visible(self.value, self.ascii_mode)
        room = max(self.size.width - 2, 1)
        if cell_len(shown) >= room:
            # Keep the end in view, as the last characters typed are the ones to check.
            while cell_len(shown) >= room:
                shown = shown[1:]
            return Text("<" + shown + "_")
        return Text(">" + shown + "_")
