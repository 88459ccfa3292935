"""Keys from anywhere in the main window, fed to the refund flow: a scanner's burst is seen
whatever widget has the focus (a form field, a button, the reason list).

The filter watches the application's key presses meant for a widget of the panel's window
(never a dialog's). Printable characters pass on to the focused widget and are also told to
the flow; Enter and Esc are the flow's. Before a burst's first character the focused field's
text (or list choice) is remembered, so when the burst turns out to be a scan its characters are
taken out of that field again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


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
    ) -> None:
        super().__init__(panel)
        self._panel = panel
        self._on_char = on_char
        self._on_enter = on_enter
        self._on_escape = on_escape
        self._starts_burst = starts_burst
        self._before: tuple[QWidget, str | int] | None = None
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
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
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in ENTER_KEYS and mods in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.ShiftModifier,
        ):
            return self._on_enter(at)
        if key == Qt.Key.Key_Escape and mods == Qt.KeyboardModifier.NoModifier:
            return self._on_escape()
        text = event.text()
        if (
            len(text) == 1
            and text.isprintable()
            and not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
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
