"""Keys from anywhere in the main window, fed to the refund flow: a scanner's burst is seen
whatever widget has the focus (a form field, a button, the reason list, the menu bar).

The rule, decided here once (tests/ui/test_keys.py drives each holder of the focus at 5, 25 and
60 ms a key):
- **Where a burst starts**: at the first printable key (no Ctrl/Alt) after a pause longer than
  `SCAN_GAP`, in whatever widget of the panel's window has the focus (never a dialog's: a
  dialog's keys are its own). Printable characters pass on to the focused widget and are also
  told to the flow; Enter and Esc are the flow's. Before a burst's first character the focused
  field's text (or list choice) is remembered, so when the burst turns out to be a scan its
  characters are taken out of that field again.
- **A secret field** (a QLineEdit in password mode, or with the `secret` property: the
  approval card's PIN) is never part of a scan: its keys are not told to the flow, they break
  any run in progress, and its Enter is the field's own (the keypad decides: a PIN however
  fast, a scan only when it cannot be a PIN — ui/signin.py). No PIN reaches the charge field, a
  lookup, a request or a log.
- **The menu bar may swallow nothing printable**: after a tap of Alt (or Esc out of an open
  menu, or a dialog that left it the focus) the menu bar holds the keyboard, and Qt would take
  the next letters as mnemonics (a scan once opened People… and signed out). `MenuBarKeys`
  hands such a key back: the menu bar leaves its keyboard mode (the focus goes back where it
  was) and the key is delivered there, as if Alt had never been tapped. Alt+letter chords,
  the arrows, Enter and Esc still work the menus.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMenuBar, QWidget
from shiboken6 import isValid

from cashier_gui.ui.widgets import SECRET_PROPERTY


class KeyFeed(QObject):
    """`on_char(char, at)`, `on_enter(at) -> handled`, `on_escape() -> handled`;
    `starts_burst(at)`: whether a character typed now would begin a new burst."""

    def __init__(
        self,
        panel: QWidget,
        on_char: Callable[[str, float], None],
        on_enter: Callable[[float], bool],
        on_escape: Callable[[], bool],
        starts_burst: Callable[[float], bool],
        on_secret: Callable[[], None] = lambda: None,
    ) -> None:
        """`on_secret()`: a key went to a secret field (the flow forgets any run)."""
        super().__init__(panel)
        self._panel = panel
        self._on_char = on_char
        self._on_enter = on_enter
        self._on_escape = on_escape
        self._starts_burst = starts_burst
        self._on_secret = on_secret
        self._before: tuple[QWidget, str | int] | None = None
        # Not an application-wide filter (every event of the GUI thread would pass through
        # Python, ≈ 0.3 ms a busy turn): a key press goes first to the focus widget, or to the
        # window when nothing has the focus, so the filter sits on those two only and follows
        # the focus (focusChanged comes before any key reaches the new focus widget).
        self._focus: QWidget | None = None  # the focus widget the filter is on
        self._window: QWidget | None = None  # the window it is on
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
            app.focusWindowChanged.connect(self._window_changed)
        self._focus_changed(None, QApplication.focusWidget())

    def _window_changed(self, _window: object) -> None:
        if isValid(self._panel):
            self._watch_window()

    def _watch_window(self) -> None:
        window = self._panel.window()
        if window is not self._window:
            if self._window is not None and isValid(self._window):
                self._window.removeEventFilter(self)
            self._window = window
            window.installEventFilter(self)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not isValid(self._panel):
            return
        self._watch_window()
        old, self._focus = self._focus, new
        if old is not None and old is not new and old is not self._window and isValid(old):
            old.removeEventFilter(self)
        if new is not None and new is not old:
            new.installEventFilter(self)  # the last one installed is asked first

    def detach(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)
        for widget in (self._focus, self._window):
            if widget is not None and isValid(widget):
                widget.removeEventFilter(self)
        self._focus = self._window = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if isinstance(watched, QMenuBar):
            return False  # MenuBarKeys hands its printable keys back to the focused widget
        window = self._panel.window()
        # First delivery only (to the focused widget, or the window with no focus), and only
        # in the panel's own window: a dialog's keys are its own.
        if watched.window() is not window or not self._panel.isVisible():
            return False
        focus = QApplication.focusWidget()
        if watched is not (focus or window) or QApplication.activePopupWidget() is not None:
            return False
        assert isinstance(event, QKeyEvent)
        return self._key(event, focus)

    def _key(self, event: QKeyEvent, focus: QWidget | None) -> bool:
        at = time.monotonic()
        key = event.key()
        mods = event.modifiers() & ~QtCore.Qt.KeyboardModifier.KeypadModifier
        if is_secret(focus) and key != QtCore.Qt.Key.Key_Escape:
            self._before = None
            self._on_secret()  # never part of a scan; its Enter is the field's own
            return False
        if key in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter) and mods in (
            QtCore.Qt.KeyboardModifier.NoModifier,
            QtCore.Qt.KeyboardModifier.ShiftModifier,
        ):
            return self._on_enter(at)
        if key == QtCore.Qt.Key.Key_Escape and mods == QtCore.Qt.KeyboardModifier.NoModifier:
            return self._on_escape()
        text = event.text()
        if (
            len(text) == 1
            and text.isprintable()
            and not mods
            & (QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.AltModifier)
        ):
            if self._starts_burst(at) or self._before is None:
                self._before = _snapshot(focus)
            self._on_char(text, at)
        return False

    def undo_burst(self) -> None:
        """Put the widget the burst typed into back as it was before the burst."""
        before, self._before = self._before, None
        if before is None:
            return
        widget, value = before
        if isinstance(widget, QLineEdit) and isinstance(value, str):
            if widget.text() != value:
                widget.setText(value)
        elif isinstance(widget, QComboBox) and isinstance(value, int):
            widget.setCurrentIndex(value)

    def forget(self) -> None:
        self._before = None


def _snapshot(focus: QWidget | None) -> tuple[QWidget, str | int] | None:
    if isinstance(focus, QLineEdit):
        return focus, focus.text()
    if isinstance(focus, QComboBox):
        return focus, focus.currentIndex()
    return None


def is_secret(widget: QWidget | None) -> bool:
    """A field that takes a secret: never part of a scan, never echoed."""
    return isinstance(widget, QLineEdit) and (
        widget.echoMode() != QLineEdit.EchoMode.Normal or bool(widget.property(SECRET_PROPERTY))
    )


class MenuBarKeys(QObject):
    """On a window's menu bar: a printable key (no Ctrl/Alt) that reaches the menu bar while it
    holds the keyboard is handed back — the menu bar leaves its keyboard mode (Esc: Qt gives
    the focus back to the widget that had it) and the key goes to that widget, where the
    refund screen's key feed (or the sign-in keypad) reads it. See the module's docstring."""

    def __init__(self, bar: QMenuBar) -> None:
        super().__init__(bar)
        self._bar = bar
        self._before: QWidget | None = None  # what had the focus when the menu bar took it
        bar.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is self._bar and old is not None and old.window() is self._bar.window():
            self._before = old

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self._bar or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        mods = event.modifiers() & ~QtCore.Qt.KeyboardModifier.KeypadModifier
        text = event.text()
        if not (
            len(text) == 1
            and text.isprintable()
            and mods
            in (QtCore.Qt.KeyboardModifier.NoModifier, QtCore.Qt.KeyboardModifier.ShiftModifier)
        ):
            return False
        # Leave the menu bar's keyboard mode as Esc does (it restores the earlier focus).
        esc = QKeyEvent(
            QEvent.Type.KeyPress, QtCore.Qt.Key.Key_Escape, QtCore.Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(self._bar, esc)
        target = QApplication.focusWidget()
        if target is None or target is self._bar:
            # Qt gives the focus back only after a plain tap of Alt; after Alt+E, Esc it stays.
            before = self._before
            if before is not None and isValid(before) and before.isVisible():
                before.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)
                target = before
            else:
                self._bar.clearFocus()
                target = QApplication.focusWidget() or self._bar.window()
        again = QKeyEvent(
            QEvent.Type.KeyPress,
            event.key(),
            event.modifiers(),
            text,
            event.isAutoRepeat(),
            event.count(),
        )
        QApplication.sendEvent(target, again)
        return True
