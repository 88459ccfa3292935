"""Counter → People…: who may sign in, for managers (or anyone while nobody is set up yet).

Add a person (name, role, PIN typed twice), set a new PIN (which also lifts a lock), lift a
lock (the list says who is locked, for how long or "by a manager"), lock a person until a
manager lifts it (a cashier who left, a PIN others saw), remove a person. The first person must
be a manager, the last manager cannot be removed while others remain, and the last manager not
locked by a manager cannot be locked (`PeopleStore` enforces all three and says so). Every change runs off the GUI thread: a PIN
is hashed with scrypt (≈ 0.1 s). PINs are never shown, logged or kept after the change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Qt, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.operators import ManagerPin, Role, by_manager, minutes_left
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.widgets import (
    ComboBox,
    MessageBox,
    ScreenFit,
    WrappingScrollArea,
    label,
)

if TYPE_CHECKING:
    from cashier_gui.operators import Operator, PeopleStore


def _pin_field(accessible: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,8}")))
    edit.setAccessibleName(accessible)
    return edit


class PeopleDialog(QDialog):
    def __init__(
        self,
        store: PeopleStore,
        *,
        manager: Operator | None = None,
        shop_counter: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.manager = manager
        # In a shop (this counter's name there) the people are the shop's: a change here is a
        # change at every counter, and the dialog says so.
        self.shop_counter = shop_counter
        self.ops = Operations(self)
        self.people: list[Operator] = []
        self.locked: dict[str, int] = {}  # name → minutes left of a lock after wrong PINs
        self.locked_by_manager: set[str] = set()  # names locked until a manager lifts it
        self.setWindowTitle(self.tr("People"))
        self.setModal(True)
        self.setMinimumWidth(620)
        # The list and the form scroll when the screen is short (1024×768 at 150 %); Add and
        # Close below them stay in sight.
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = label(
            self.tr("People of the shop") if shop_counter else self.tr("People at this counter"),
            role="title",
        )
        lay.addWidget(self.title)
        self.hint = label("", role="hint")
        lay.addWidget(self.hint)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("People"))
        self.list.currentRowChanged.connect(lambda _row: self._update())
        self.list.setMinimumHeight(150)  # five names in sight, also with the form open
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.pin_button = QPushButton(self.tr("New &PIN…"))
        self.pin_button.clicked.connect(lambda: self._show_form(adding=False))
        self.remove_button = QPushButton(self.tr("&Remove…"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.unlock_button = QPushButton(self.tr("&Lift lock"))
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.lock_button = QPushButton(self.tr("Loc&k"))
        self.lock_button.setToolTip(
            self.tr("Lock this person until a manager lifts the lock or sets a new PIN")
        )
        self.lock_button.clicked.connect(self.lock_selected)
        row.addWidget(self.pin_button)
        row.addWidget(self.unlock_button)
        row.addWidget(self.lock_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        lay.addLayout(row)

        self.form = QWidget()
        form = QFormLayout(self.form)
        # Each field under its label: the role's drop-down has the form's whole width for its
        # longest choice (German at 150 % on 1024×768 has no room for it beside a label).
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.form_title = label("", role="caption")
        form.addRow(self.form_title)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(40)
        self.name_edit.setAccessibleName(self.tr("Name"))
        self.role_box = ComboBox()
        # As wide as its longest choice (a German role reads long): a drop-down cuts its text
        # at the edge, never scrolls it.
        self.role_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.role_box.setAccessibleName(self.tr("Role"))
        self.role_box.addItem(self.tr("Cashier: refunds within the shop's rules"), Role.CASHIER)
        self.role_box.addItem(self.tr("Manager: approves, settings, people"), Role.MANAGER)
        self.pin_edit = _pin_field(self.tr("PIN"))
        self.pin_again = _pin_field(self.tr("PIN again"))
        self.pin_again.returnPressed.connect(self.save)
        form.addRow(self.tr("&Name"), self.name_edit)
        form.addRow(self.tr("R&ole"), self.role_box)
        form.addRow(self.tr("PIN (4–8 digits)"), self.pin_edit)
        form.addRow(self.tr("PIN a&gain"), self.pin_again)
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save)
        form.addRow(self.save_button)
        self.form.hide()
        lay.addWidget(self.form)
        self.manager_pin = _pin_field(self.tr("Your PIN"))
        if manager is not None:
            own = QFormLayout()
            own.addRow(
                self.tr("Your PIN, {name} (for every change)").format(name=manager.name),
                self.manager_pin,
            )
            lay.addLayout(own)
        else:
            self.manager_pin.hide()
        self.error = MessageBox(self.tr("Problem"))
        lay.addWidget(self.error)

        bottom = QHBoxLayout()
        self.add_button = QPushButton(self.tr("&Add a person…"))
        self.add_button.clicked.connect(lambda: self._show_form(adding=True))
        close = QPushButton(self.tr("Close  Esc"))
        close.clicked.connect(self.reject)
        for b in (
            self.add_button,
            close,
            self.pin_button,
            self.unlock_button,
            self.lock_button,
            self.remove_button,
            self.save_button,
        ):
            b.setAutoDefault(False)
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        self.body_scroll = WrappingScrollArea()
        self.body_scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.addWidget(self.body_scroll, 1)
        outer.addLayout(bottom)
        self.screen_fit = ScreenFit(self, scroll=self.body_scroll)
        self._adding = True
        self.reload()

    # ---- the list -----------------------------------------------------------------------

    def reload(self) -> None:
        store = self.store

        def read() -> tuple[list[Operator], dict[str, int], set[str]]:
            people, now = store.list(), dt.datetime.now(dt.UTC)
            locked, by_managers = {}, set()
            for op in people:
                until = store.locked_until(op.name)
                if until is None:
                    continue
                if by_manager(until, now):
                    by_managers.add(op.name)
                else:
                    locked[op.name] = minutes_left(until, now)
            return people, locked, by_managers

        self.ops.run(
            lambda: asyncio.to_thread(read),
            on_success=self._listed,
            on_error=self._failed,
            foreground=False,
        )

    def _listed(self, listed: tuple[list[Operator], dict[str, int], set[str]]) -> None:
        people, self.locked, self.locked_by_manager = listed
        self.people = people
        self.list.clear()
        for op in people:
            role = self.tr("manager") if op.is_manager else self.tr("cashier")
            text = self.tr("{name} — {role}").format(name=op.name, role=role)
            minutes = self.locked.get(op.name)
            if minutes is not None:  # one sentence per count form (see banner.py)
                text = (
                    self.tr("{name} — {role} — locked for another minute")
                    if minutes == 1
                    else self.tr("{name} — {role} — locked for {minutes} more minutes")
                ).format(name=op.name, role=role, minutes=minutes)
            if op.name in self.locked_by_manager:
                text = self.tr("{name} — {role} — locked by a manager").format(
                    name=op.name, role=role
                )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, op.name)
            self.list.addItem(item)
        if not people:
            self.hint.setText(
                self.tr(
                    "Nobody signs in yet: refunds are made as this PC's user. Add the first "
                    "manager; from then on everyone signs in with a PIN."
                )
            )
            self._show_form(adding=True)
        elif self.shop_counter:
            self.hint.setText(
                self.tr(
                    "Everyone signs in with their own PIN at every counter of the shop. A change "
                    "here is a change at every counter at once. Managers approve and set up."
                )
            )
        else:
            self.hint.setText(
                self.tr("Everyone signs in with their own PIN. Managers approve and set up.")
            )
            self.list.setCurrentRow(0)
        self._update()

    def selected(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _update(self) -> None:
        chosen = self.selected() is not None
        self.pin_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)
        name = self.selected()
        locked = name in self.locked or name in self.locked_by_manager
        self.unlock_button.setEnabled(chosen and locked)
        self.lock_button.setEnabled(chosen and name not in self.locked_by_manager)

    # ---- changes ------------------------------------------------------------------------

    def _show_form(self, *, adding: bool) -> None:
        name = self.selected()
        if not adding and name is None:
            return
        self._adding = adding
        self.error.clear()
        self.name_edit.setReadOnly(not adding)
        self.name_edit.setText("" if adding else name or "")
        self.role_box.setEnabled(adding)
        if adding and not self.people:
            self.role_box.setCurrentIndex(1)  # the first person is a manager
            self.role_box.setEnabled(False)
        self.form_title.setText(
            self.tr("Add a person")
            if adding
            else self.tr("New PIN for {name}").format(name=name or "")
        )
        self.pin_edit.clear()
        self.pin_again.clear()
        self.form.show()
        field = self.name_edit if adding else self.pin_edit
        field.setFocus()
        # On a short screen the form is below the list: bring it into sight once laid out.
        QTimer.singleShot(0, self, lambda: self.body_scroll.ensureWidgetVisible(self.save_button))

    def _by(self) -> tuple[bool, ManagerPin | None]:
        """(ready, the manager making the change): not ready when their PIN is missing."""
        if self.manager is None:
            return True, None
        pin = self.manager_pin.text()
        if not 4 <= len(pin) <= 8:
            self._problem(
                self.tr("Type your own PIN first: every change of people needs a manager's PIN."),
                self.manager_pin,
            )
            return False, None
        return True, ManagerPin(self.manager.name, pin)

    def save(self) -> None:
        name, pin = self.name_edit.text().strip(), self.pin_edit.text()
        if self._adding and not name:
            self._problem(self.tr("Type the person's name."), self.name_edit)
            return
        if not 4 <= len(pin) <= 8:
            self._problem(self.tr("The PIN is 4 to 8 digits."), self.pin_edit)
            return
        if pin != self.pin_again.text():
            self.pin_again.clear()
            self._problem(self.tr("The two PINs differ: type the PIN again."), self.pin_again)
            return
        ready, by = self._by()
        if not ready:
            return
        self.pin_edit.clear()
        self.pin_again.clear()
        store, adding = self.store, self._adding
        role = Role(self.role_box.currentData())

        def work() -> None:
            if adding:
                store.add(name, role, pin, by=by)
            else:
                store.set_pin(name, pin, by=by)

        task = self.ops.run(
            lambda: asyncio.to_thread(work), on_success=self._saved, on_error=self._failed
        )
        if task is not None:
            self.save_button.setEnabled(False)
            task.add_done_callback(lambda _t: self.save_button.setEnabled(True))

    def _saved(self, _none: None) -> None:
        self.form.hide()
        self._say(self.tr("Saved."), role="info")
        self.reload()

    def remove_selected(self) -> None:
        name = self.selected()
        if name is None:
            return
        ready, by = self._by()
        if not ready:
            return
        if self.manager is not None and name == self.manager.name:
            note = self.tr("You are removing yourself.") + " "
        else:
            note = ""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove {name}?").format(name=name),
            note + self.tr("{name} will no longer be able to sign in.").format(name=name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # a name is words, never markup
        answer = box.exec()
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.ops.run(
            lambda: asyncio.to_thread(lambda: self.store.remove(name, by=by)),
            on_success=self._saved,
            on_error=self._failed,
        )

    def unlock_selected(self) -> None:
        """The manager lifts the chosen person's lock, after wrong PINs or a manager's (the PIN
        stays; the growth too, as operators.py says)."""
        name = self.selected()
        if name is None or (name not in self.locked and name not in self.locked_by_manager):
            return
        ready, by = self._by()
        if not ready:
            return
        self.ops.run(
            lambda: asyncio.to_thread(lambda: self.store.unlock(name, by=by)),
            on_success=lambda _none: self._unlocked(name),
            on_error=self._failed,
        )

    def lock_selected(self) -> None:
        """The manager locks the chosen person until a manager lifts the lock or sets a new
        PIN. The store refuses to lock the last manager not locked by a manager."""
        name = self.selected()
        if name is None or name in self.locked_by_manager:
            return
        ready, by = self._by()
        if not ready:
            return
        self.ops.run(
            lambda: asyncio.to_thread(lambda: self.store.lock(name, by=by)),
            on_success=lambda _none: self._locked_now(name),
            on_error=self._failed,
        )

    def _locked_now(self, name: str) -> None:
        self._say(
            self.tr(
                "{name} is locked: they cannot sign in or approve until a manager lifts the lock "
                "or sets a new PIN."
            ).format(name=name),
            role="info",
        )
        self.reload()

    def _unlocked(self, name: str) -> None:
        self._say(self.tr("The lock on {name} is lifted.").format(name=name), role="info")
        self.reload()

    def _say(self, text: str, role: str = "error") -> None:
        """A message under the list, brought into sight once laid out (on a short screen it is
        below the fold, where the cashier would not see it)."""
        self.error.show_message(text, role=role)
        QTimer.singleShot(0, self, lambda: self.body_scroll.ensureWidgetVisible(self.error))

    def _problem(self, text: str, field: QLineEdit) -> None:
        self._say(text)
        field.setFocus()

    def _failed(self, exc: BaseException) -> None:
        from cashier_gui.operators import LockedOut, WrongPin

        if isinstance(exc, WrongPin | LockedOut):
            self.manager_pin.clear()  # the manager's own PIN (a person's PIN is never checked)
        self._say(describe_error(exc))
