"""Who is at the counter: the sign-in screen and the manager's PIN for manager-only actions.

One keypad (`PinPad`) serves both: a list of names and a PIN field. Everything is reachable from
the PIN field with the keyboard alone — letters pick a name (as in any list), Up/Down move in the
list, digits are the PIN, Enter signs in, Backspace corrects; the on-screen keypad is for touch
screens and never takes the focus. With one person on the counter, only the PIN is asked.

Fast keys are told apart by what they are, not only by their speed (`ui/scan.py`'s detector,
the same as the refund screen's, says a run of ≥ 4 keys within 50 ms each ended by Enter):
- a run that is a PIN — 4 to 8 digits, optionally after a name and Tab, as a badge reader types
  it (name, Tab, PIN, Enter) — is a PIN, however fast: a fast typist on a numpad, a badge;
- any other run (letters, `_`, `-`: a receipt's ID) is a scan and never a PIN: a wrong PIN would
  lock a colleague out. The field and the name are put back as they were before the run; the
  page keeps what was scanned and says to sign in first (the window looks it up after sign-in);
  the approval card starts a lookup of it.
The PIN field is a secret field (`SECRET_PROPERTY`): the refund screen's key feed never reads
it, so a PIN is never part of a scan, never put in another field, a request or a log.

PINs are checked off the GUI thread (scrypt, ≈ 0.1 s each); a check in flight cannot be sent
twice. Decisions: the PIN field is cleared after every try; the name list shows each name once,
with "manager" beside managers; a locked person stays selectable and the lock message says when.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.ui.ops import Operations, describe_error, to_thread
from cashier_gui.ui.scan import ScanDetector
from cashier_gui.ui.widgets import SECRET_PROPERTY, MessageBox, WrappingScrollArea, label

if TYPE_CHECKING:
    from cashier_gui.operators import Operator, PeopleStore

PIN_DIGITS = (4, 8)


def is_pin(text: str) -> bool:
    """What a PIN can be: 4 to 8 digits."""
    return text.isdigit() and text.isascii() and PIN_DIGITS[0] <= len(text) <= PIN_DIGITS[1]


def badge_pin(run: str) -> bool:
    """A fast run that is a PIN: the digits alone, or a name, Tab, the digits (a badge)."""
    name, tab, digits = run.rpartition("\t")
    return is_pin(digits) and (not tab or "\t" not in name)


_NAVIGATION = (
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
)


class PinPad(QWidget):
    """Names + PIN + keypad. `submitted(name, pin)` on Enter/OK; `scanned(text)` when a burst
    of keys turned out to be a barcode scanner."""

    submitted = Signal(str, str)
    scanned = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        side_by_side: bool = False,
        rows: int = 6,
        keep_pin: bool = False,
        ok_name: str | None = None,
        problem: str | None = None,
    ) -> None:
        """`side_by_side`: the names beside the PIN and keypad (the approval card, where height
        is short); `rows`: names in sight before the list scrolls; `keep_pin`: the PIN stays in its field after Enter/OK (the approval card
        reads it when the refund goes; sign-in clears it at once); `ok_name`: what OK does,
        for screen readers; `problem`: the error box's accessible name."""
        super().__init__(parent)
        self.keep_pin = keep_pin
        # Enter with no name to sign in: the sign-in page asks for the people again.
        self.on_unnamed: Callable[[], None] | None = None
        self._rows = rows
        outer = QHBoxLayout(self) if side_by_side else QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12 if side_by_side else 10)
        if side_by_side:  # names, who, PIN on the left; the keypad on the right
            lay = QVBoxLayout()
            lay.setSpacing(8)
            outer.addLayout(lay, 1)
        else:
            assert isinstance(outer, QVBoxLayout)
            lay = outer
        self.names = QListWidget()
        self.names.setAccessibleName(self.tr("Your name"))
        self.names.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.names.setProperty("role", "names")
        lay.addWidget(self.names)
        self.who = label("", role="value")
        self.who.setAccessibleName(self.tr("Who signs in"))
        lay.addWidget(self.who)
        self.pin = QLineEdit()
        self.pin.setProperty(SECRET_PROPERTY, True)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,8}")))
        self.pin.setPlaceholderText(self.tr("PIN (4 to 8 digits)"))
        self.pin.setAccessibleName(self.tr("PIN"))
        self.pin.setProperty("role", "pin")
        self.pin.returnPressed.connect(self.submit)
        self.pin.installEventFilter(self)
        lay.addWidget(self.pin)
        self.names.itemClicked.connect(lambda _item: self.pin.setFocus())
        self.names.currentRowChanged.connect(lambda _row: self._named())
        keys = QGridLayout()
        keys.setSpacing(6)
        self.keys: list[QPushButton] = []
        for i, text in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]):
            button = QPushButton(text)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the PIN field
            button.setMinimumSize(72, 48)
            button.setProperty("role", "primary" if text == "OK" else "key")
            if text == "⌫":
                button.setAccessibleName(self.tr("Delete the last digit"))
                button.clicked.connect(self.pin.backspace)
            elif text == "OK":
                button.setText(self.tr("OK"))
                button.setAccessibleName(ok_name or self.tr("Sign in"))
                button.clicked.connect(self.submit)
            else:
                button.setAccessibleName(self.tr("Digit {digit}").format(digit=text))
                button.clicked.connect(lambda _c=False, d=text: self.pin.insert(d))
            keys.addWidget(button, i // 3, i % 3)
            self.keys.append(button)
        self.error = MessageBox(problem or self.tr("Sign-in problem"))
        if side_by_side:
            lay.addWidget(self.error)
            lay.addStretch(1)
            right = QVBoxLayout()
            right.addLayout(keys)
            right.addStretch(1)  # the keys keep their size: all four rows in sight
            outer.addLayout(right, 1)
        else:
            lay.addLayout(keys)
            lay.addWidget(self.error)
        self._scan = ScanDetector()
        #: The name row and the PIN field as they were before the current fast run.
        self._before: tuple[int, str] | None = None

    # ---- people -------------------------------------------------------------------------

    def set_people(self, people: Sequence[Operator], *, keep: str | None = None) -> None:
        """The names to choose from; with one person, only the PIN is asked."""
        self.names.clear()
        for op in people:
            text = (
                op.name if not op.is_manager else self.tr("{name} — manager").format(name=op.name)
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, op.name)
            self.names.addItem(item)
        # Every name in sight up to `rows` (no scroll bar for a small shop), then it scrolls.
        rows = min(len(people), self._rows)
        if rows:
            height = rows * self.names.sizeHintForRow(0) + 2 * self.names.frameWidth() + 4
            self.names.setFixedHeight(height)
        row = next((i for i, op in enumerate(people) if op.name == keep), 0)
        self.names.setCurrentRow(row if people else -1)
        self.names.setVisible(len(people) > 1)
        self._named()

    def name(self) -> str | None:
        item = self.names.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _named(self) -> None:
        name = self.name()
        self.who.setText(self.tr("PIN for {name}:").format(name=name) if name else "")

    # ---- input --------------------------------------------------------------------------

    def submit(self) -> None:
        if self._burst_ended():
            return
        name, pin = self.name(), self.pin.text()
        if not self.keep_pin:
            self.pin.clear()
        if name is None:
            if self.on_unnamed is not None:
                self.on_unnamed()
            else:
                self.error.show_message(self.tr("Nobody to sign in: a manager adds people first."))
            return
        if len(pin) < 4:
            self.error.show_message(self.tr("Type your PIN (4 to 8 digits), then press Enter."))
            return
        self.submitted.emit(name, pin)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.pin and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event, time.monotonic())
        return False

    def _key(self, event: QKeyEvent, at: float) -> bool:
        """True: the key is taken here (not typed into the PIN field)."""
        if event.key() in _NAVIGATION and self.names.isVisible():
            self.names.keyPressEvent(event)  # move in the list, stay in the PIN field
            return True
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if self._scan.pending and not self._scan.starts_burst(at):
                self._scan.typed("\t", at)  # a badge's name, Tab, PIN: stay for the PIN
                return True
            return False
        text = event.text()
        if len(text) == 1 and text.isprintable():
            if self._scan.starts_burst(at):
                self._before = (self.names.currentRow(), self.pin.text())
            self._scan.typed(text, at)
            if not text.isdigit():
                if self.names.isVisible():
                    self.names.keyboardSearch(text)  # letters pick a name (a badge's too)
                return True
        return False

    def _burst_ended(self) -> bool:
        """Enter just ended a fast run. A PIN (a badge's, a fast typist's) is a PIN; anything
        else was a scanner: put the name and the field back, report the scan, take nothing
        as a PIN."""
        run = self._scan.enter(time.monotonic())
        before, self._before = self._before, None
        if run is None or badge_pin(run):
            return False
        if before is not None:
            row, pin = before
            if self.names.count():
                self.names.setCurrentRow(row)
            self.pin.setText(pin)
        if not self.keep_pin:
            self.pin.clear()
        self.scanned.emit(run.replace("\t", ""))
        return True

    def clear(self) -> None:
        """Nothing typed, nothing said (the focus stays where it is)."""
        self.pin.clear()
        self.error.clear()
        self._scan.reset()
        self._before = None

    def reset(self) -> None:
        self.clear()
        self.pin.setFocus()


class SignInPage(QWidget):
    """The window's page while nobody is signed in. `signed_in(operator)` when a PIN matched;
    `held_scan` is the receipt scanned meanwhile (the window looks it up after sign-in)."""

    signed_in = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = Operations(self)
        self.store: PeopleStore | None = None
        self.held_scan: str | None = None
        # Names and PIN beside the keypad: the page fits a short screen (1024×768 at 150 %);
        # shorter still, it scrolls — never squeezed or cut.
        scroll = WrappingScrollArea()
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(24, 16, 24, 16)
        column = QWidget()
        column.setMinimumWidth(480)  # the help line and the keypad read at a glance
        column.setMaximumWidth(620)
        lay = QVBoxLayout(column)
        lay.setSpacing(10)
        lay.addWidget(label(self.tr("Sign in"), role="title"))
        self.help = label(
            self.tr(
                "Choose your name (type its first letter or use ↑ ↓), type your PIN and "
                "press Enter."
            ),
            role="hint",
        )
        lay.addWidget(self.help)
        self.pad = PinPad(side_by_side=True, rows=4)
        self.pad.on_unnamed = self._relist
        self.pad.submitted.connect(self._check)
        self.pad.scanned.connect(self._scanned)
        lay.addWidget(self.pad)
        self.scan_note = MessageBox(self.tr("Scanned receipt"))
        lay.addWidget(self.scan_note)
        # Centred by stretches, not by an alignment: the scroll area then asks the column's
        # height for its own width (with an alignment the help line was measured at the whole
        # page's width, one line short, and the names list covered the PIN's caption).
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(column, 100)
        centre.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(1)
        scroll.setWidget(page)
        self.page_scroll = scroll
        whole = QVBoxLayout(self)
        whole.setContentsMargins(0, 0, 0, 0)
        whole.addWidget(scroll)
        # "Wrong PIN for Carl: 2 more tries…" below the PIN field: on a short screen scrolled
        # into sight when it appears (it was below the fold at 1024×768 and 150 %).
        for box in (self.pad.error, self.scan_note):
            box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and watched in (self.pad.error, self.scan_note):
            box = self.pad.error if watched is self.pad.error else self.scan_note
            QTimer.singleShot(0, self, lambda: self.page_scroll.ensureWidgetVisible(box, 0, 8))
        return False

    def set_people(self, store: PeopleStore, people: Sequence[Operator]) -> None:
        keep = self.pad.name()
        self.store = store
        self.pad.set_people(people, keep=keep)
        one = len(people) == 1
        self.help.setText(
            self.tr("Type your PIN and press Enter.")
            if one
            else self.tr(
                "Choose your name (type its first letter or use ↑ ↓), type your PIN and "
                "press Enter."
            )
        )

    def start(self, message: str | None = None) -> None:
        """Shown anew (after a sign-out): nothing of the last person stays on screen."""
        self.ops.cancel_all()
        self.pad.reset()
        self.held_scan = None
        self.scan_note.clear()
        if message:
            self.pad.error.show_message(message, role="info")

    def _relist(self) -> None:
        """Enter with no name on the page: it was shown while the shop server was away (or
        before anyone existed). Ask for the people again — their names appear once the server
        answers, so the cashier is never stuck on a page that says nobody exists."""
        store = self.store
        nobody = QCoreApplication.translate(
            "PinPad", "Nobody to sign in: a manager adds people first."
        )
        if store is None:
            self.pad.error.show_message(nobody)
            return

        def listed(people: list[Operator]) -> None:
            self.set_people(store, people)
            if people:
                self.pad.error.show_message(
                    self.tr("Choose your name, then type your PIN again."), role="info"
                )
            else:
                self.pad.error.show_message(nobody)

        self.pad.error.clear()
        self.ops.run(
            lambda: to_thread(store.list),
            on_success=listed,
            on_error=lambda exc: self.pad.error.show_message(describe_error(exc)),
        )

    def _scanned(self, text: str) -> None:
        self.held_scan = text.strip() or None
        self.scan_note.show_message(
            self.tr("Receipt {charge} scanned: sign in first, it is looked up then.").format(
                charge=text
            ),
            role="info",
        )

    def _check(self, name: str, pin: str) -> None:
        store = self.store
        if store is None:
            return
        self.pad.error.clear()
        task = self.ops.run(
            lambda: to_thread(store.sign_in, name, pin),
            on_success=self._verified,
            on_error=lambda exc: self.pad.error.show_message(describe_error(exc)),
        )
        if task is not None:
            self.pad.who.setText(self.tr("Checking the PIN…"))
            task.add_done_callback(lambda _t: self.pad._named() if self.isVisible() else None)

    def _verified(self, operator: Operator) -> None:
        self.signed_in.emit(operator)


class ManagerDialog(QDialog):
    """A manager's name and PIN for one manager-only action. `approved` is the manager."""

    def __init__(
        self,
        store: PeopleStore,
        managers: Sequence[Operator],
        why: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("A manager's PIN"))
        self.setModal(True)
        self.store = store
        self.approved: Operator | None = None
        self.ops = Operations(self)
        lay = QVBoxLayout(self)
        lay.addWidget(label(self.tr("A manager's PIN"), role="title"))
        lay.addWidget(label(why, role="value"))
        self.pad = PinPad()
        self.pad.set_people(managers)
        self.pad.submitted.connect(self._check)
        self.pad.scanned.connect(
            lambda _t: self.pad.error.show_message(self.tr("That was a scan, not a PIN."))
        )
        lay.addWidget(self.pad)
        cancel = QPushButton(self.tr("Cancel  Esc"))
        cancel.setAutoDefault(False)
        cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        cancel.clicked.connect(self.reject)
        lay.addWidget(cancel)
        self.pad.reset()
        self.setFocusProxy(self.pad.pin)  # shown: the PIN field has the keyboard

    def _check(self, name: str, pin: str) -> None:
        self.pad.error.clear()
        self.ops.run(
            lambda: to_thread(self.store.verify, name, pin),
            on_success=self._verified,
            on_error=lambda exc: self.pad.error.show_message(describe_error(exc)),
        )

    def _verified(self, operator: Operator) -> None:
        from cashier_gui.policy import Approver, check_approver  # not before the first paint

        # The list holds managers only; the file may have changed meanwhile.
        if check_approver(operator) is not Approver.OK:
            self.pad.error.show_message(
                self.tr("{name} is not a manager.").format(name=operator.name)
            )
            return
        self.approved = operator
        self.accept()


def as_manager(
    parent: QWidget,
    store: PeopleStore,
    current: Operator | None,
    why: str,
    then: Callable[[Operator | None], None],
) -> None:
    """Run `then(manager)` for a manager-only action: at once when the signed-in person is a
    manager, or when the counter has no operators (`then(None)`: a one-person shop); else after
    a manager's PIN. The operators file is read off the GUI thread."""
    from cashier_gui.policy import Approver, check_approver  # not before the first paint

    if current is not None and check_approver(current) is Approver.OK:
        then(current)
        return
    ops = Operations(parent)

    def ask(people: list[Operator]) -> None:
        ops.deleteLater()  # one question, one helper
        managers = [op for op in people if op.is_manager]
        if not managers:
            then(None)
            return
        dialog = ManagerDialog(store, managers, why, parent)
        dialog.accepted.connect(lambda: then(dialog.approved))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()

    def failed(exc: BaseException) -> None:
        ops.deleteLater()
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("PinPad", "People"),
            describe_error(exc),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    ops.run(lambda: to_thread(store.list), on_success=ask, on_error=failed)
