"""The supervisor's dashboard (24x80 and larger): KPI tiles, picks per hour and count accuracy
over the last 14 days (the site's days, its zone named beside the time), and the open
exceptions, refreshed every 30 seconds.

Keys: U refreshes now; Esc or F3 goes back. The figures are domain.dashboard's (see its
docstring for what picks per hour means); the read runs in a thread worker and comes back as a
message, and only the handlers touch widgets. Unlike the RF screens this one runs a timer,
so an idle dashboard receives the few cells that changed at each refresh. Bars are drawn with
block characters (ASCII in ASCII mode) and read without colour: a dotted baseline marks a day
with nothing to measure, a blank one a day measured at zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from rich.cells import set_cell_size
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.events import Resize
from textual.message import Message

from wms_tui.domain.dashboard import MIN_TIMED_LINES, Dashboard
from wms_tui.domain.model import Actor
from wms_tui.domain.periods import zone_name
from wms_tui.screens.base import RfScreen
from wms_tui.screens.supervisor import MIN_SIZE, exception_text
from wms_tui.screens.widgets import (
    FactList,
    MessageLine,
    PromptLine,
    RfHeader,
    RfWidget,
    fit,
    visible,
)

REFRESH_SECONDS = 30.0
# From this many rows the bars get twice the height.
TALL_ROWS = 36
TILES = 8


class KpiTile(RfWidget):
    """One figure: its name, the value in bold, and a short note under it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines = ("", "-", "")

    def show(self, label: str, value: str, note: str = "") -> None:
        if (label, value, note) != self.lines:
            self.lines = (label, value, note)
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        label, value, note = (fit(visible(part, self.ascii_mode), width, self.ascii_mode)
                              for part in self.lines)
        # The label underlined across the tile is the tile's top edge on a monochrome screen.
        text = Text()
        text.append(set_cell_size(label, width), style="underline")
        text.append("\n")
        text.append(value, style="bold")
        text.append("\n" + note)
        return text


class DailyBars(RfWidget):
    """One bar per day, as tall as the widget less the row of day numbers under it. A day
    whose figure is zero shows ZERO on the bottom row, a day without one NOTHING (or '.')."""

    BLOCKS = " ▁▂▃▄▅▆▇█"
    ASCII_BLOCKS = " ___--==#"
    ZERO = "0"
    NOTHING = "·"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.days: tuple[date, ...] = ()
        self.values: tuple[float | None, ...] = ()
        self.top = 1.0

    def show(self, days: Sequence[date], values: Sequence[float | None],
             top: float | None = None) -> None:
        """top is the value of a full bar; without it, the highest value."""
        highest = max((v for v in values if v is not None), default=0.0)
        self.days, self.values = tuple(days), tuple(values)
        self.top = top if top is not None else (highest or 1.0)
        self.refresh()

    def render(self) -> Text:
        if not self.days:
            return Text("")
        blocks = self.ASCII_BLOCKS if self.ascii_mode else self.BLOCKS
        nothing = self.nothing
        rows = max(self.size.height - 1, 1)
        cell = max(self.size.width // len(self.days), 2)
        bar = cell - 1
        eighths = [None if v is None else self.eighths(v, rows) for v in self.values]
        lines = []
        for row in range(rows - 1, -1, -1):
            line = ""
            for filled in eighths:
                if filled is None:
                    mark = nothing if row == 0 else " "
                elif filled == 0:
                    # A 0 % day is a result, not a gap: it must not look like no bar at all.
                    mark = self.ZERO if row == 0 else " "
                else:
                    mark = blocks[min(max(filled - row * 8, 0), 8)]
                line += mark * bar + " "
            lines.append(line.rstrip())
        # Day of the month under each bar; its last digit when a bar is one column wide.
        axis = "".join(f"{day.day:>{bar}} " if bar >= 2 else f"{day.day % 10} "
                       for day in self.days)
        lines.append(axis.rstrip())
        return Text("\n".join(lines))

    @property
    def nothing(self) -> str:
        """The mark of a day without a figure: ASCII terminals get a full stop."""
        return "." if self.ascii_mode else self.NOTHING

    def eighths(self, value: float, rows: int) -> int:
        """Eighths of a cell to fill; any value above zero shows at least one."""
        share = min(max(value / self.top, 0.0), 1.0)
        filled = round(share * rows * 8)
        return max(filled, 1) if value > 0 else 0


class ExceptionList(FactList):
    """The exceptions in the supervisor screen's order; what does not fit ends in '+N more'."""

    more = "+{n}"

    def rows(self, width: int) -> list[str]:
        height = max(self.size.height, 1)
        shown = list(self.lines)
        if len(shown) > height:
            hidden = len(shown) - (height - 1)
            shown = [*shown[: height - 1], self.more.format(n=hidden)]
        return [fit(visible(line, self.ascii_mode), width, self.ascii_mode) for line in shown]

    def render(self) -> Text:
        return Text("\n".join(self.rows(self.size.width)))


class DashboardScreen(RfScreen):
    CSS_PATH = "dashboard.tcss"
    with_input = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3", "back", show=False),
        Binding("u", "refresh", show=False),
    ]

    class Loaded(Message):
        def __init__(self, board: Dashboard) -> None:
            super().__init__()
            self.board = board

    class ReadFailed(Message):
        """The read failed; the figures shown stay as they were."""

        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    def __init__(self, actor: Actor, refresh_seconds: float = REFRESH_SECONDS) -> None:
        super().__init__()
        self.actor = actor
        self.refresh_seconds = refresh_seconds
        self.board: Dashboard | None = None

    # Layout.

    def compose(self) -> ComposeResult:
        _ = self.t
        yield RfHeader(_("Dashboard {login}").format(login=self.actor.login),
                       self.rf.header_right, id="header")
        yield PromptLine(id="too-small")
        with Grid(id="tiles"):
            for n in range(TILES):
                yield KpiTile(id=f"tile-{n}")
        yield PromptLine(id="picks-title", classes="chart-title")
        yield DailyBars(id="picks")
        yield PromptLine(id="accuracy-title", classes="chart-title")
        yield DailyBars(id="accuracy")
        yield PromptLine(id="legend")
        yield PromptLine(id="exceptions-title")
        exceptions = ExceptionList(id="exceptions")
        exceptions.more = _("+{n} more")
        yield exceptions
        yield MessageLine(id="message")
        yield PromptLine(id="keys")

    def on_mount(self) -> None:
        self.query_one("#too-small", PromptLine).show(self.t("Needs a 24x80 screen or larger"))
        self.fit(self.app.size.width, self.app.size.height)
        self.show_board()
        self.set_interval(self.refresh_seconds, self.action_refresh)
        self.action_refresh()

    def on_resize(self, event: Resize) -> None:
        self.fit(event.size.width, event.size.height)

    def fit(self, width: int, height: int) -> None:
        """A handheld gets one clear line; a tall screen gets taller bars."""
        self.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")
        self.set_class(height >= TALL_ROWS, "-tall")

    # Reading.

    def action_refresh(self) -> None:
        self.load(self.rf.services)

    @work(thread=True, group="dashboard", exclusive=True)
    def load(self, services: Any) -> None:
        try:
            board = services.dashboard()
        except Exception as error:
            self.post_message(self.ReadFailed(error))
            return
        self.post_message(self.Loaded(board))

    @on(Loaded)
    def loaded(self, event: Loaded) -> None:
        self.board = event.board
        self.show_message("")
        self.show_board()

    @on(ReadFailed)
    def read_failed(self, event: ReadFailed) -> None:
        self.system_error("reading the dashboard", event.error)

    # Showing.

    def show_board(self) -> None:
        """Tiles always ('-' before the first read); charts and exceptions once read."""
        _ = self.t
        board = self.board
        for n, (label, value, note) in enumerate(self.tiles(board)):
            self.query_one(f"#tile-{n}", KpiTile).show(label, value, note)
        keys = "  ".join((_("U=Refresh"), _("Esc=Back")))
        if board is not None:
            self.show_charts(board)
            exceptions = [exception_text(self.t, e) for e in board.exceptions]
            self.query_one("#exceptions-title", PromptLine).show(
                _("Open exceptions: {n}").format(n=len(exceptions)))
            self.query_one("#exceptions", ExceptionList).show(exceptions)
            keys += "  " + _("As of {time} {zone}").format(
                time=f"{board.as_of.astimezone(board.zone):%Y-%m-%d %H:%M}",
                zone=zone_name(board.zone))
        self.query_one("#keys", PromptLine).show(keys)

    def show_charts(self, board: Dashboard) -> None:
        _ = self.t
        days = len(board.days)
        rates = [v for v in board.picks_per_hour if v is not None]
        shares = [v for v in board.accuracy_by_day if v is not None]
        self.query_one("#picks-title", PromptLine).show(
            _("Picks/hour, {days} days: today {today}, high {high}").format(
                days=days, today=_rate(board.today.per_hour),
                high=_rate(max(rates, default=None))))
        self.query_one("#picks", DailyBars).show(board.days, board.picks_per_hour)
        self.query_one("#accuracy-title", PromptLine).show(
            _("Count accuracy, {days} days: today {today}, low {low}").format(
                days=days, today=_share(board.accuracy_by_day[-1]),
                low=_share(min(shares, default=None))))
        # Accuracy bars run from 0 to 100%, so a bad day is not magnified into a cliff.
        accuracy = self.query_one("#accuracy", DailyBars)
        accuracy.show(board.days, board.accuracy_by_day, top=1.0)
        self.query_one("#legend", PromptLine).show(_(
            "One bar a day; {zero} = zero, {none} = no data; a rate needs {n} timed lines").format(
            zero=DailyBars.ZERO, none=accuracy.nothing, n=MIN_TIMED_LINES))

    def tiles(self, board: Dashboard | None) -> list[tuple[str, str, str]]:
        """Label, value and note of each tile, translated; '-' until the first read."""
        _ = self.t
        labels = [_("Picked today"), _("Picks/hour today"), _("Open pick tasks"),
                  _("Open counts"), _("Count accuracy"), _("Open exceptions"),
                  _("Dock to stock"), _("Low stock faces")]
        if board is None:
            return [(label, "-", "") for label in labels]
        days = len(board.days)
        dock = board.dock_to_stock.median_hours
        values = [
            (str(board.today.lines), _("lines")),
            (_rate(board.today.per_hour), _("{days} days: {rate}").format(
                days=days, rate=_rate(board.pace))),
            (str(board.open_pick_tasks), ""),
            (str(board.open_counts), _("{n} to approve").format(n=board.approvals)),
            (_share(board.accuracy.line_accuracy), _("{days} days, {n} lines").format(
                days=days, n=board.accuracy.lines)),
            (str(len(board.exceptions)), ""),
            ("-" if dock is None else _("{hours} h median").format(hours=f"{dock:.1f}"),
             _("{n} still on dock").format(n=board.on_dock)),
            (str(len(board.low_stock)), _("below minimum")),
        ]
        return [(label, value, note) for label, (value, note) in zip(labels, values,
                                                                       strict=True)]

    def action_back(self) -> None:
        self.dismiss()


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"

