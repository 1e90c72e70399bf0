"""The supervisor's desk (24x80 and larger): approve or reject count variances, see open
exceptions, release a wave.

Keys: arrows pick a row; A approves and R rejects the count on it (after a yes/no question
listing 1 Yes and 2 No; never a count the supervisor keyed); V switches the lower pane between
open exceptions and waves; W releases the open orders shipping by today into a wave; U
refreshes; Esc or F3 goes back. Reads and decisions run in thread workers and come back as
messages; only the handlers touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.padding import Padding
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable

from wms_tui.domain.counting import OWN_COUNT, ApprovalResult, CountStatus
from wms_tui.domain.errors import StorageFault, WmsError
from wms_tui.domain.flows.base import Tone
from wms_tui.domain.model import Actor
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.domain.supervisor import (
    ExceptionKind,
    OpenException,
    PendingApproval,
    WaveSummary,
)
from wms_tui.screens.base import RfScreen
from wms_tui.screens.modals import ConfirmModal
from wms_tui.screens.widgets import FactList, MessageLine, PromptLine, RfHeader

MIN_SIZE = (80, 24)
# The approvals table's own cell padding is off: each column ends in this many blank cells.
GAP = 1
# Loc, Item and Lot: read in full before approving, so they are the last to give way.
CODE_COLUMNS = frozenset({1, 2, 3})


@dataclass(frozen=True)
class Desk:
    """Everything the screen shows, read in one go."""

    pending: list[PendingApproval]
    exceptions: list[OpenException]
    waves: list[WaveSummary]


class SupervisorScreen(RfScreen):
    CSS_PATH = "supervisor.tcss"
    with_input = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3", "back", show=False),
        Binding("a", "decide(True)", show=False),
        Binding("r", "decide(False)", show=False),
        Binding("v", "switch_pane", show=False),
        Binding("w", "release_wave", show=False),
        Binding("u", "refresh", show=False),
    ]

    class Loaded(Message):
        def __init__(self, desk: Desk) -> None:
            super().__init__()
            self.desk = desk

    class Done(Message):
        """A decision or a release finished (or a read failed); text is what to tell."""

        def __init__(self, text: str, tone: Tone, reload: bool = True) -> None:
            super().__init__()
            self.text = text
            self.tone = tone
            self.reload = reload

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.desk = Desk([], [], [])
        self.show_waves = False
        self.busy = False

    # Layout.

    def compose(self) -> ComposeResult:
        _ = self.t
        yield RfHeader(_("Supervisor {login}").format(login=self.actor.login),
                       self.rf.header_right, id="header")
        yield PromptLine(id="too-small")
        yield PromptLine(id="approvals-title")
        table: DataTable[Padding] = DataTable(id="approvals", cursor_type="row",
                                              show_row_labels=False, cell_padding=0)
        yield table
        yield FactList(id="detail")
        yield PromptLine(id="pane-title")
        yield FactList(id="pane")
        yield MessageLine(id="message")
        yield PromptLine(id="keys")

    def on_mount(self) -> None:
        _ = self.t
        table = self.query_one("#approvals", DataTable)
        self.fill_table()
        self.query_one("#keys", PromptLine).show("  ".join((
            _("A=Approve"), _("R=Reject"), _("V=Exceptions/Waves"), _("W=Release wave"),
            _("U=Refresh"), _("Esc=Back"))))
        self.query_one("#too-small", PromptLine).show(_("Needs a 24x80 screen or larger"))
        self.fit(self.app.size.width, self.app.size.height)
        table.focus()
        self.action_refresh()

    def on_resize(self, event: Resize) -> None:
        self.fit(event.size.width, event.size.height)
        row = self.query_one("#approvals", DataTable).cursor_row
        self.fill_table()
        self.query_one("#approvals", DataTable).move_cursor(row=row)

    def fit(self, width: int, height: int) -> None:
        """A handheld gets one clear line instead of a squashed desk."""
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(small, "-too-small")

    # Reading.

    def action_refresh(self) -> None:
        self.load(self.rf.services)

    @work(thread=True, group="desk", exclusive=True)
    def load(self, services: Any) -> None:
        try:
            desk = Desk(services.pending_approvals(), services.open_exceptions(),
                        services.waves())
        except Exception as error:
            self.post_message(self.Done(self.failure("reading the supervisor desk", error),
                                        Tone.ERROR, reload=False))
            return
        self.post_message(self.Loaded(desk))

    @on(Loaded)
    def loaded(self, event: Loaded) -> None:
        _ = self.t
        self.desk = event.desk
        self.fill_table()
        self.query_one("#approvals-title", PromptLine).show(
            _("Counts waiting for approval: {n}").format(n=len(self.desk.pending)))
        self.show_detail()
        self.show_pane()

    def fill_table(self) -> None:
        """Rebuild the approvals table with column widths from its cells.

        DataTable sizes auto-width columns when it next idles, which a refill can miss; then
        Loc, Item and Lot stay as narrow as their headings and a variance is approved blind.
        """
        _ = self.t
        headers = [_("Task"), _("Loc"), _("Item"), _("Lot"), _("Book"), _("1st"), _("Count"),
                   _("Var"), _("Moved")]
        rows: list[tuple[str, list[str]]] = []
        for p in self.desk.pending:
            for n, line in enumerate(p.lines):
                first = "" if line.first_count is None else str(line.first_count)
                rows.append((f"{p.task.id}:{n}", [
                    str(p.task.id), p.task.location, line.sku, line.lot or "",
                    str(line.expected), first, str(line.counted), f"{line.variance:+d}",
                    f"{line.moved_since:+d}"]))
        width = max(self.size.width or self.app.size.width, MIN_SIZE[0])
        widths = column_widths([headers, *(cells for _key, cells in rows)], width, CODE_COLUMNS)
        table = self.query_one("#approvals", DataTable)
        table.clear(columns=True)
        for label, column_width in zip(headers, widths, strict=True):
            table.add_column(label, width=column_width + GAP)
        console = self.app.console
        for key, cells in rows:
            # A code too long even for its share wraps onto more lines rather than being cut.
            height = max(len(Text(cells[i]).wrap(console, widths[i])) for i in CODE_COLUMNS)
            table.add_row(*(Padding(Text(cell), (0, GAP, 0, 0)) for cell in cells),
                          key=key, height=height)

    def selected(self) -> PendingApproval | None:
        table = self.query_one("#approvals", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        task_id = int(key.split(":")[0])
        return next((p for p in self.desk.pending if p.task.id == task_id), None)

    @on(DataTable.RowHighlighted)
    def show_detail(self) -> None:
        _ = self.t
        chosen = self.selected()
        lines: list[str] = []
        if chosen is not None:
            when = chosen.counted_at.strftime("%Y-%m-%d %H:%M") if chosen.counted_at else ""
            lines.append(_("Task {id} counted by {user} {when} UTC").format(
                id=chosen.task.id, user=chosen.counted_by, when=when))
            if self.actor.user_id in chosen.counter_ids:
                lines.append(_(OWN_COUNT).format(id=chosen.task.id))
            if not chosen.movements:
                lines.append(_("No movements since the first count"))
            for m in chosen.movements:
                lines.append(" ".join((
                    _("Since count:"), m.kind.value, str(m.quantity), m.sku,
                    f"{m.from_location or '-'}>{m.to_location or '-'}", m.user, m.reference)))
        self.query_one("#detail", FactList).show(lines)

    def action_switch_pane(self) -> None:
        self.show_waves = not self.show_waves
        self.show_pane()

    def show_pane(self) -> None:
        _ = self.t
        if self.show_waves:
            title = _("Waves: {n}").format(n=len(self.desk.waves))
            lines = [" ".join((w.code, w.status, _("Orders"), str(w.orders), _("Open tasks"),
                               str(w.open_tasks))) for w in self.desk.waves]
        else:
            title = _("Open exceptions: {n}").format(n=len(self.desk.exceptions))
            lines = [self.exception_text(e) for e in self.desk.exceptions]
        self.query_one("#pane-title", PromptLine).show(title)
        self.query_one("#pane", FactList).show(lines)

    def exception_text(self, e: OpenException) -> str:
        return exception_text(self.t, e)

    # Deciding.

    def action_decide(self, approve: bool) -> None:
        _ = self.t
        chosen = self.selected()
        if self.busy or chosen is None:
            if chosen is None:
                self.show_message(_("No count to decide"), Tone.ERROR)
            return
        task = chosen.task
        if self.actor.user_id in chosen.counter_ids:
            # Refused here at once; counting.approve_count refuses it again, race-safe.
            self.show_message(_(OWN_COUNT).format(id=task.id), Tone.ERROR)
            return
        question = (_("Approve count {id} at {loc}?") if approve
                    else _("Reject count {id} at {loc}?")).format(id=task.id, loc=task.location)
        # The key is made when the question is shown, so a repeated answer never posts twice.
        key = new_confirmation_key()

        def answered(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self.decide(self.rf.services, task.id, approve, key)

        self.app.push_screen(ConfirmModal(question, _), answered)

    @work(thread=True, group="decide")
    def decide(self, services: Any, task_id: int, approve: bool, key: str) -> None:
        self.run_decision(lambda: self.decided_text(
            services.approve_count(self.actor, task_id, approve, key)))

    def decided_text(self, result: ApprovalResult) -> tuple[str, Tone]:
        _ = self.t
        if result.status == CountStatus.RECOUNT:
            return (_("{sku} left the location since the count: recount").format(
                sku=result.sku), Tone.ERROR)
        if result.status == CountStatus.REJECTED:
            return (_("Count {id} rejected: new count {new}").format(
                id=result.task_id, new=result.new_task_id), Tone.SUCCESS)
        return (_("Count {id} approved: {n} adjustments posted").format(
            id=result.task_id, n=len(result.movement_ids)), Tone.SUCCESS)

    def action_release_wave(self) -> None:
        _ = self.t
        if self.busy:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self.release(self.rf.services)

        self.app.push_screen(
            ConfirmModal(_("Release open orders shipping by today?"), _),
            answered)

    @work(thread=True, group="decide")
    def release(self, services: Any) -> None:
        def run() -> tuple[str, Tone]:
            report = services.release_wave(self.actor, services.today())
            return (_wave_text(self.t, report.code, len(report.orders),
                               len(report.unallocated)), Tone.SUCCESS)

        self.run_decision(run)

    def run_decision(self, call: Callable[[], tuple[str, Tone]]) -> None:
        """Runs in the worker thread: a refusal is shown, anything else is logged too."""
        try:
            text, tone = call()
        except StorageFault as fault:
            text, tone = self.failure("a supervisor decision", fault), Tone.ERROR
        except WmsError as refusal:
            text, tone = refusal.render(self.t), Tone.ERROR
        except Exception as error:
            text, tone = self.failure("a supervisor decision", error), Tone.ERROR
        self.post_message(self.Done(text, tone))

    @on(Done)
    def done(self, event: Done) -> None:
        self.busy = False
        self.show_message(event.text, event.tone)
        if event.reload:
            self.action_refresh()

    def action_back(self) -> None:
        self.dismiss()


def exception_text(t: Callable[[str], str], e: OpenException) -> str:
    """A translated label, then the values as they are (codes need no translation)."""
    _ = t
    labels = {
        ExceptionKind.SHORT_LINE: _("Short line"),
        ExceptionKind.SHORT_TASK: _("Short pick"),
        ExceptionKind.OVERRIDE: _("Override"),
        ExceptionKind.OVER_RECEIPT: _("Over-receipt"),
        ExceptionKind.APPROVAL: _("Count to approve"),
        ExceptionKind.LOCKED_USER: _("Locked: wrong PINs"),
    }
    if e.kind == ExceptionKind.OVER_RECEIPT:
        values = [e.reference, e.sku, e.location,
                  _("expected {expected}, received {received}").format(
                      expected="?" if e.expected is None else e.expected,
                      received="?" if e.received is None else e.received),
                  e.reason or "", e.user or ""]
    elif e.kind == ExceptionKind.LOCKED_USER:
        values = [e.reference, _("until {time}").format(time=f"{e.at:%H:%M}") if e.at else ""]
    else:
        values = [e.reference, str(e.quantity) if e.quantity else "", e.sku, e.location,
                  e.reason or "", e.user or ""]
    return " ".join([labels[e.kind], *(v for v in values if v)])


def column_widths(cells: Sequence[Sequence[str]], width: int,
                  codes: Collection[int]) -> list[int]:
    """Each column as wide as its widest cell (the first row is the headings), GAP after each.

    When that is wider than the screen only the code columns give way, narrowest first, each
    taking an even share of what is left but never less than its heading.
    """
    headers = cells[0]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(headers))]
    room = width - GAP * len(widths) - sum(w for i, w in enumerate(widths) if i not in codes)
    squeezed = sorted(codes, key=lambda i: widths[i])
    for n, i in enumerate(squeezed):
        share = room // (len(squeezed) - n)
        widths[i] = max(min(widths[i], share), cell_len(headers[i]))
        room -= widths[i]
    return widths


def _wave_text(t: Callable[[str], str], code: str, orders: int, unallocated: int) -> str:
    return t("Wave {code}: {orders} orders, {n} lines not allocated").format(
        code=code, orders=orders, n=unallocated)
