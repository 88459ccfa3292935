"""The building blocks that keep the window from stalling: Label's height cache and PaintHold."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QPaintEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from cashier_gui.ui.widgets import Label, PaintHold, label

LONG = "The refund was declined by the card issuer; ask the customer for another card. " * 3


def test_label_height_follows_text_font_and_width(qtbot: QtBot) -> None:
    w = label("short")
    qtbot.addWidget(w)
    assert isinstance(w, Label) and w.wordWrap()
    short = w.heightForWidth(120)
    assert w.heightForWidth(120) == short  # asked again: same answer (from the cache)
    w.setText(LONG)
    tall = w.heightForWidth(120)
    assert tall > 3 * short
    assert w.heightForWidth(400) < tall  # wider: fewer lines
    font = QFont(w.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    w.setFont(font)
    assert w.heightForWidth(120) > tall
    w.setText("short")
    assert w.heightForWidth(120) < tall


class Counting(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0
        self.setMinimumSize(50, 50)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1


def test_paint_hold_paints_once_in_a_later_turn(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    inner = QWidget(window)
    QVBoxLayout(window).addWidget(inner)
    a, b = Counting(), Counting()
    lay = QVBoxLayout(inner)
    lay.addWidget(a)
    lay.addWidget(b)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: a.paints > 0)
    qtbot.wait(50)
    a.paints = b.paints = 0

    hold = PaintHold(inner)
    hold.hold()
    a.update()
    QCoreApplication.sendPostedEvents()  # the update request arrives: held back, not painted
    assert a.paints == 0
    qtbot.waitUntil(lambda: a.paints == 1, timeout=2000)
    qtbot.wait(50)
    assert a.paints == 1 and b.paints == 0  # only what changed, once

    a.update()  # after the hold: painted as usual
    qtbot.waitUntil(lambda: a.paints == 2, timeout=2000)


def test_save_dialogs_start_in_documents_with_a_dated_name() -> None:
    """Issue 26: save dialogs opened in the program's folder with a fixed file name."""
    import datetime as dt
    from pathlib import Path

    from cashier_gui.ui.widgets import save_path

    path = Path(save_path("refunds", ".csv"))
    assert path.is_absolute() and path.parent != Path.cwd()
    assert path.name == f"refunds-{dt.date.today().isoformat()}.csv"
