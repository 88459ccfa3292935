"""History: every refund attempt of this counter, searchable, filterable, exportable.

The table model is lazy: it counts the matching rows (an indexed COUNT) and fetches them in
pages of `PAGE` as the view scrolls, so 100,000 rows open at once. Every read runs on the
dialog's own reader thread (`ReaderWorker`, a reader from the runtime: it never waits for the
journal's writer) and lands back on the GUI thread; a newer search drops an older one's answer.
CSV export runs on a worker thread of its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QEvent,
    QMargins,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.files import UnsafeTarget
from cashier_gui.journal import Attempt, JournalReader, State, reasons, stamp
from cashier_gui.money import Money, MoneyError, parse_amount
from cashier_gui.refunds import reason_label
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.reader import ReaderWorker
from cashier_gui.ui.states import STATE_COLOURS, resolution_text, state_label, state_word
from cashier_gui.ui.widgets import (
    QT_TRANSLATE_NOOP,
    ComboBox,
    ScreenFit,
    card_text,
    label,
    local_time,
    plain_tip,
    restyle,
    save_path,
)
from cashier_gui.zones import midnight

PAGE = 200
TOTALS_EVERY_S = 30.0  # a search counts today's totals again at most this often
TRAINING_STATE = QT_TRANSLATE_NOOP("HistoryModel", "{state} (training)")
FULL_AMOUNT = QT_TRANSLATE_NOOP("HistoryModel", "full")
COLUMNS = (  # English here; the header shows them translated (translations())
    QT_TRANSLATE_NOOP("HistoryModel", "When"),
    QT_TRANSLATE_NOOP("HistoryModel", "State"),
    QT_TRANSLATE_NOOP("HistoryModel", "Amount"),
    QT_TRANSLATE_NOOP("HistoryModel", "Charge"),
    QT_TRANSLATE_NOOP("HistoryModel", "Refund ID"),
    QT_TRANSLATE_NOOP("HistoryModel", "Reason"),
    QT_TRANSLATE_NOOP("HistoryModel", "Operator"),
    QT_TRANSLATE_NOOP("HistoryModel", "Approver"),
    QT_TRANSLATE_NOOP("HistoryModel", "Reference"),
)


def translations(text: str) -> str:
    return QCoreApplication.translate("HistoryModel", text)


class HistoryModel(QAbstractTableModel):
    #: A search's first page arrived (or failed): `loading` is False again.
    loaded = Signal()

    def __init__(self, reader: ReaderWorker, ops: Operations, locale: str | None = None) -> None:
        super().__init__()
        self.reader = reader
        self.ops = ops
        self.money_locale = locale
        self.filters: dict[str, Any] = {}
        self.total = 0
        self.rows: list[Attempt] = []
        self.loading = False
        self.error: str | None = None
        self._generation = 0  # which search the rows belong to
        self._fetching = False

    def set_filters(self, **filters: Any) -> None:
        """Start a search; its count and first page replace the rows when they arrive."""
        self._generation += 1
        generation = self._generation
        wanted = {k: v for k, v in filters.items() if v}
        self.loading, self._fetching = True, False

        def read(journal: JournalReader) -> tuple[int, list[Attempt]]:
            return journal.count(**wanted), journal.query(limit=PAGE, **wanted)

        def show(result: tuple[int, list[Attempt]]) -> None:
            if generation != self._generation:
                return  # a newer search is on its way
            self.beginResetModel()
            self.filters, (self.total, self.rows) = wanted, result
            self.loading, self.error = False, None
            self.endResetModel()
            self.loaded.emit()

        self.ops.run(
            lambda: self.reader.call(read),
            on_success=show,
            on_error=lambda exc: self._failed(generation, exc),
            foreground=False,
        )

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.loading, self._fetching, self.error = False, False, describe_error(exc)
            self.loaded.emit()

    # ---- lazy loading -------------------------------------------------------------------------

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.loading and len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching or self.loading:
            return
        self._fetching = True
        generation, offset, filters = self._generation, len(self.rows), self.filters

        def add(more: list[Attempt]) -> None:
            if generation != self._generation:
                return
            self._fetching = False
            if not more:
                self.total = len(self.rows)
                return
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()

        self.ops.run(
            lambda: self.reader.call(lambda j: j.query(limit=PAGE, offset=offset, **filters)),
            on_success=add,
            on_error=lambda exc: self._failed(generation, exc),
            foreground=False,
        )

    # ---- table ----------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translations(COLUMNS[section])
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            amount = a.amount
            return (
                local_time(a.created_at),
                translations(TRAINING_STATE).format(state=state_label(a))
                if a.training
                else state_label(a),
                amount.format(self.money_locale) if amount else translations(FULL_AMOUNT),
                a.charge_id,
                a.refund_id or "",
                reason_label(a.reason) if a.reason else "",
                a.operator,
                a.approver or "",
                a.transaction_reference,
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QColor(STATE_COLOURS.get(a.state, "#111111"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [resolution_text(a), reasons.why(a) or "", a.note or ""]
            # A note or a server's message is words, never markup (Qt guesses rich text).
            return plain_tip("\n".join(p for p in parts if p))
        return None


class HistoryDialog(QDialog):
    def __init__(
        self,
        open_reader: Callable[[], JournalReader],
        *,
        locale: str | None = None,
        print_receipt: Callable[[Attempt], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`open_reader`: the runtime's (a reader with its own connection: reads never wait on
        writes). `print_receipt`: reprints an attempt's receipt (the window's printing)."""
        super().__init__(parent)
        self.print_receipt = print_receipt
        self.open_reader = open_reader
        self.setWindowTitle(self.tr("Refund history"))
        self.resize(1000, 620)
        self.screen_fit = ScreenFit(self, size=(1000, 620))  # within a small screen
        self.money_locale = locale
        self.reader = ReaderWorker(open_reader)
        self.ops = Operations(self)
        self.model = HistoryModel(self.reader, self.ops, locale)
        self.model.loaded.connect(self._page_loaded)
        self.currencies: list[str] = []  # what the journal holds, for reading typed amounts
        self.lists_loaded = False  # the operator and currency lists have arrived
        self.today_totals: dict[str, tuple[int, int]] | None = None  # None: being counted
        self._totals_due = True  # counted again after the next page arrives (refresh)
        self._lists_asked = False
        self._totals_at = -TOTALS_EVERY_S  # when today's totals were last asked for
        self._tasks: set[asyncio.Task[Any]] = set()

        self.search = QLineEdit()
        self.search.setPlaceholderText(
            self.tr("Charge, refund or reference ID, card's last 4 digits, or an amount")
        )
        self.search.setAccessibleName(
            self.tr("Search by charge, refund or reference ID, or amount")
        )
        self.search.setClearButtonEnabled(True)
        # ↓ from the search goes to the list, its first row chosen: its details at once.
        self.search.installEventFilter(self)
        self.state = ComboBox()
        self.state.setAccessibleName(self.tr("Filter by state"))
        self.state.addItem(self.tr("All states"), None)
        for s in State:
            if s is State.PREPARED:
                continue  # "being sent" is listed once, as SENT; PREPARED lasts milliseconds
            self.state.addItem(state_word(s).capitalize(), s.value)
        # A shop: every counter's attempts are here; this narrows them to one (shown only when
        # the journal holds more than one counter's).
        self.counter = ComboBox()
        self.counter.setAccessibleName(self.tr("Filter by counter"))
        self.counter.addItem(self.tr("All counters"), None)
        self.counter.hide()
        self.operator = ComboBox()
        self.operator.setAccessibleName(self.tr("Filter by operator"))
        self.operator.addItem(self.tr("Everyone"), None)
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-30))
        self.until = QDateEdit(today)
        for w, name in ((self.since, self.tr("From date")), (self.until, self.tr("To date"))):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setAccessibleName(name)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setAccessibleName(self.tr("Export to CSV"))
        self.print_button = QPushButton(self.tr("Print receipt  Ctrl+P"))
        self.print_button.setAccessibleName(self.tr("Print the selected attempt's receipt again"))
        self.print_button.setEnabled(False)
        self.print_button.setVisible(print_receipt is not None)
        self.print_button.clicked.connect(self.reprint)
        QShortcut(QKeySequence("Ctrl+P"), self, self.reprint)
        # Two rows: the search gets the whole width (an ID is long), the filters sit below it.
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.print_button)
        top.addWidget(self.export_button)
        filters = QHBoxLayout()
        for box in (self.state, self.counter, self.operator):
            # As wide as a short choice, not the longest one (the list opens wider).
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(12)
            filters.addWidget(box)
        filters.addStretch(1)
        # The dates beside the filters, or on a line of their own when the window is narrow
        # (1024×768 at 150 %): `_arrange`.
        self.dates_box = QWidget()
        dates = QHBoxLayout(self.dates_box)
        dates.setContentsMargins(0, 0, 0, 0)
        dates.addWidget(QLabel(self.tr("from")))
        dates.addWidget(self.since)
        dates.addWidget(QLabel(self.tr("to")))
        dates.addWidget(self.until)
        filters.addWidget(self.dates_box)
        self.filters_row = filters
        self.dates_row = QHBoxLayout()
        self.dates_row.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Refund attempts"))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((130, 100, 95, 150, 140, 130, 80, 80)):
            self.table.setColumnWidth(col, width)
        # The time column as wide as a time is in this font (a 2× screen, a larger font).
        stamp = self.table.fontMetrics().horizontalAdvance("2026-12-31 23:59") + 20
        self.table.setColumnWidth(0, max(130, stamp))
        # The chosen row (a click, the arrows, Enter): everything about that attempt below the
        # table, at once — no double click to discover.
        self.detail = label(
            self.tr("Choose a refund attempt to see all about it here."), role="hint"
        )
        self.detail.setAccessibleName(self.tr("Refund attempt details"))
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.activated.connect(self.show_detail)
        self.table.selectionModel().currentRowChanged.connect(self._chosen)
        # Columns as wide as what they show (the time with its seconds, German headers).
        self.model.modelReset.connect(self._fit_columns)
        self.model.rowsInserted.connect(lambda *_a: self._fit_columns())

        self.summary = label("", role="value")
        self.summary.setAccessibleName(self.tr("Totals"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(self.dates_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.summary)
        self._arrange()

        self.search.textChanged.connect(self.refresh)
        self.state.currentIndexChanged.connect(self.refresh)
        self.operator.currentIndexChanged.connect(self.refresh)
        self.counter.currentIndexChanged.connect(self.refresh)
        self.since.dateChanged.connect(self.refresh)
        self.until.dateChanged.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        self.summary.setText(self.tr("Reading the journal…"))
        self.refresh()  # the first page; the lists and today's totals once it has arrived
        self.search.setFocus()

    def _page_loaded(self) -> None:
        """A page arrived: show it, then ask for what waits behind it. The first page is read
        alone: the filter lists and today's totals (the report's Python count over the day's
        rows, ≈ 0.1 s for 6,000 refunds) are asked for only now — queued with it, their work on
        the reader thread held the GIL while the page's answer crossed to the GUI thread, and
        100,000 rows took 130–160 ms to show instead of ≈ 25 ms (bench/journal.py)."""
        self._show_summary()
        if self.model.error is not None:
            return
        if not self._lists_asked:
            self._lists_asked = True
            self.ops.run(
                lambda: self.reader.call(
                    lambda j: (
                        j.distinct("operator"),
                        j.distinct("currency"),
                        j.distinct("counter"),
                    )
                ),
                on_success=self._got_lists,
                on_error=lambda exc: self.summary.setText(describe_error(exc)),
                foreground=False,
            )
        if self._totals_due:
            self._totals_due, self._totals_at = False, time.monotonic()
            self.ops.run(
                lambda: self.reader.call(_today),
                on_success=self._got_totals,
                on_error=lambda exc: None,  # the search's own error is shown
                foreground=False,
            )

    def _got_lists(self, lists: tuple[list[str], list[str], list[str]]) -> None:
        operators, self.currencies, counters = lists
        for name in operators:
            self.operator.addItem(name, name)
        for name in counters:
            self.counter.addItem(name, name)
        self.counter.setVisible(len(counters) > 1)
        self.lists_loaded = True
        if self.search.text().strip()[:1].isdigit():
            self.refresh()  # what was typed meanwhile may be an amount: read it again

    def current_filters(self) -> dict[str, Any]:
        state = self.state.currentData()
        text = self.search.text().strip()
        return {
            "text": text or None,
            "amounts": self._amounts(text),
            "operator": self.operator.currentData(),
            "counter": self.counter.currentData(),
            # "being sent" covers both in-flight states (PREPARED lasts milliseconds).
            "states": ([State.PREPARED.value, state] if state == State.SENT.value else [state])
            if state
            else None,
            "since": _utc_bound(self.since.date()),
            "until": _utc_bound(self.until.date().addDays(1)),
        }

    def _amounts(self, text: str) -> list[Money] | None:
        """What was typed, read as an amount in each currency this journal holds (`15,50` is
        €15.50 and $15.50; `1250` is also ¥1250); None when it is no amount at all."""
        if not text or not text[0].isdigit():
            return None
        found = []
        for currency in self.currencies:
            try:
                found.append(parse_amount(text, currency, locale=self.money_locale))
            except MoneyError:
                continue
        return found or None

    def selected(self) -> Attempt | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def reprint(self) -> None:
        attempt = self.selected()
        if attempt is not None and self.print_receipt is not None:
            self.print_receipt(attempt)

    def _chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.print_button.setEnabled(current.isValid())
        if current.isValid() and current.row() < len(self.model.rows):
            self.show_detail(current)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount() > 0
        ):
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, 0))
            return True
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """The dates on the filters' line when it has room for them, else on their own line."""
        spacing = max(0, self.filters_row.spacing())
        widths = [self.state, self.operator] + (
            [self.counter] if not self.counter.isHidden() else []
        )
        need = sum(w.minimumSizeHint().width() + spacing for w in widths)
        need += self.dates_box.sizeHint().width()
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else QMargins()
        screen = self.screen()
        width = min(self.width(), screen.availableGeometry().width() - 8 if screen else 10_000)
        room = width - margins.left() - margins.right()
        beside = self.filters_row.indexOf(self.dates_box) >= 0
        if need <= room and not beside:
            self.dates_row.removeWidget(self.dates_box)
            self.filters_row.addWidget(self.dates_box)
        elif need > room and beside:
            self.filters_row.removeWidget(self.dates_box)
            self.dates_row.insertWidget(0, self.dates_box)

    def _fit_columns(self) -> None:
        """Every column as wide as its header and its widest shown value, within reason (a long
        reason or reference is cut at 320 px, its tooltip says); the last one stretches into
        what room is left, never narrower than what it shows (the table then scrolls sideways)."""
        header = self.table.horizontalHeader()
        # The rows in sight decide (Qt's default reads the first 1,000 rows of every column:
        # ≈ 10 ms a column, at every page — a page of 100,000 rows took 110 ms to show).
        header.setResizeContentsPrecision(0)
        header.setStretchLastSection(False)
        total = 0
        for col in range(self.model.columnCount()):
            self.table.resizeColumnToContents(col)
            self.table.setColumnWidth(col, min(self.table.columnWidth(col) + 8, 320))
            total += self.table.columnWidth(col)
        header.setStretchLastSection(total < self.table.viewport().width())

    def show_detail(self, index: QModelIndex) -> None:
        a = self.model.rows[index.row()]
        amount = a.amount
        attempt = self.tr("Refund attempt {id} · {state}").format(id=a.id, state=state_label(a))
        shown = amount.format(self.money_locale) if amount else self.tr("the full amount")
        made = self.tr("Made by {operator} on {terminal}, {time}").format(
            operator=a.operator,
            terminal=f"{a.terminal} ({a.counter})" if a.counter else a.terminal,
            time=local_time(a.created_at, "%Y-%m-%d %H:%M:%S"),
        )
        lines = [
            attempt + (" · " + self.tr("training") if a.training else ""),
            self.tr("Amount: {amount}").format(amount=shown)
            + (" " + self.tr("(void of the whole sale)") if a.kind.value == "void" else ""),
            self.tr("Charge: {charge}   Refund ID: {refund}").format(
                charge=a.charge_id, refund=a.refund_id or "—"
            ),
            self.tr("Card: {card}").format(
                card=card_text(a.card_brand, a.card_last4) or self.tr("not known")
            ),
            self.tr("Reference: {reference}").format(reference=a.transaction_reference),
            self.tr("Reason: {reason}").format(reason=reason_label(a.reason) if a.reason else "—")
            + (" · " + self.tr("note: {note}").format(note=a.note) if a.note else ""),
            made
            + (
                " · " + self.tr("approved by {approver}").format(approver=a.approver)
                if a.approver
                else ""
            ),
        ]
        why = reasons.why(a)
        if why:
            lines.append(self.tr("Last answer: {answer}").format(answer=why))
        if a.trace_id:
            lines.append(self.tr("Trace ID: {trace}").format(trace=a.trace_id))
        resolution = resolution_text(a)
        if resolution:
            lines.append(resolution)
        self.detail.setText("\n".join(lines))
        restyle(self.detail, "value")

    def refresh(self) -> None:
        self.detail.setText(self.tr("Choose a refund attempt to see all about it here."))
        restyle(self.detail, "hint")
        # Today's totals again, behind the page (_page_loaded) — not at every keystroke of a
        # search: each count reads the whole day, and the next search's page would wait for it.
        if time.monotonic() - self._totals_at >= TOTALS_EVERY_S:
            self._totals_due = True
        self.model.set_filters(**self.current_filters())

    def _got_totals(self, totals: dict[str, tuple[int, int]]) -> None:
        self.today_totals = totals
        if not self.model.loading:
            self._show_summary()

    def _show_summary(self) -> None:
        if self.model.error is not None:
            self.summary.setText(self.model.error)
            return
        totals = self.today_totals
        if totals is None:  # still being counted: never "none" before it is known
            self.summary.setText(self._matching())
            return

        def shown(which: int) -> str:
            amounts = [
                Money(t[which], c).format(self.money_locale)
                for c, t in sorted(totals.items())
                if t[which] and c
            ]
            return ", ".join(amounts) or self.tr("none")

        # The end-of-shift report's own numbers (paper/report.py): refunds and voids apart.
        self.summary.setText(
            self.tr("{matching} · today: refunded {refunded} · voided {voided}").format(
                matching=self._matching(), refunded=shown(0), voided=shown(1)
            )
        )

    def _matching(self) -> str:
        """ "50,000 matching refund attempts", in the window's language and number format."""
        from babel.numbers import format_decimal

        from cashier_gui.i18n import ngettext
        from cashier_gui.money import display_locale, window_locale

        total = self.model.total
        locale = display_locale(self.money_locale or window_locale(None))
        return ngettext(
            "{count} matching refund attempt", "{count} matching refund attempts", total
        ).format(count=format_decimal(total, locale=locale))  # "1 passender …", "50.000 …"

    def export(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export refunds"),
                save_path("refunds", ".csv"),
                self.tr("CSV files (*.csv)"),
            )
        if not path:
            return
        filters = {k: v for k, v in self.current_filters().items() if v}
        self.export_button.setEnabled(False)
        self.summary.setText(self.tr("Exporting…"))

        def write() -> int:
            reader = self.open_reader()  # a connection of its own: History stays usable
            try:
                return reader.export_csv(path, **filters)
            finally:
                reader.close()

        async def work() -> None:
            try:
                count = await asyncio.to_thread(write)
            except UnsafeTarget as exc:  # a link, or the app's own file: nothing changed
                self.summary.setText(str(exc))
            except OSError as exc:
                self.summary.setText(
                    self.tr("Could not write {path}: {problem}").format(
                        path=path, problem=exc.strerror
                    )
                )
            else:
                self.summary.setText(
                    self.tr("Exported {count} refund attempts to {path}").format(
                        count=f"{count:,}", path=path
                    )
                )
            finally:
                self.export_button.setEnabled(True)

        task = asyncio.ensure_future(work())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def done(self, result: int) -> None:
        self.ops.cancel_all()
        self.reader.close()
        super().done(result)


def _today(journal: JournalReader) -> dict[str, tuple[int, int]]:
    """Today's approved refunds and voids per currency (minor units), counted the way the
    end-of-shift report counts them (one rule: paper/report.py's build_report)."""
    from cashier_gui import zones
    from cashier_gui.paper.report import build_report, day_bounds

    since, until = day_bounds(zones.today(), zones.shown_zone())  # the shop's day
    report = build_report(journal, since=since, until=until)
    out: dict[str, tuple[int, int]] = {}
    for currency, table in report.totals.items():
        refunded, voided = table.get("approved"), table.get("voided")
        out[currency] = (refunded.minor if refunded else 0, voided.minor if voided else 0)
    return out


def _utc_bound(day: QDate) -> str:
    """Midnight of `day` in the shop's zone (zones.py) as the journal's UTC timestamp text."""
    return stamp(midnight(dt.date(day.year(), day.month(), day.day())))


__all__ = ["HistoryDialog", "HistoryModel"]
