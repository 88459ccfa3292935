"""The building blocks that keep the window from stalling: Label's height cache and PaintHold."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QPaintEvent
from PySide6.QtWidgets import QApplication, QComboBox, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from cashier_gui.ui.widgets import ComboBox, Label, PaintHold, label

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


def _chosen_row_colour(box: QComboBox, qtbot: QtBot) -> str:
    box.addItems(["A day", "A week", "A month"])
    box.resize(300, 44)
    box.show()
    qtbot.waitExposed(box)
    box.showPopup()
    view = box.view()
    qtbot.waitUntil(view.isVisible, timeout=3000)
    rect = view.visualRect(view.model().index(0, 0))
    colour = view.grab().toImage().pixelColor(rect.left() + 3, rect.center().y()).name()
    box.hidePopup()
    return colour


def test_an_open_drop_down_shows_its_chosen_row(qtbot: QtBot) -> None:
    """The style sheet paints the chosen row blue with white text; QComboBox's own delegate
    took the white text but not the blue — the current choice was blank in every open list
    (the report's period and counter, History's filters, Settings). ComboBox draws it."""
    from cashier_gui.app import apply_style

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_style(app)
    ours, plain = ComboBox(), QComboBox()
    qtbot.addWidget(ours)
    qtbot.addWidget(plain)
    assert _chosen_row_colour(ours, qtbot) == "#1a56db"
    assert _chosen_row_colour(plain, qtbot) != "#1a56db"  # what every list did before


def test_every_drop_down_of_the_window_is_a_combobox() -> None:
    root = Path(__file__).resolve().parents[2] / "cashier_gui" / "ui"
    bare = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "widgets.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "QComboBox(" in line
    ]
    assert bare == []


def test_labels_set_by_property_name_stay_plain_text_and_a_wrong_name_raises(
    qtbot: QtBot,
) -> None:
    """set_enum (what the first screen sets without PySide's `Qt` namespace) sets the same
    values as the enums: a label's text is never rich text, a selectable one keeps both ways."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    from cashier_gui.ui.widgets import plain_label, set_enum

    w = label("<b>Mia</b>", selectable=True)
    qtbot.addWidget(w)
    assert w.textFormat() == Qt.TextFormat.PlainText
    assert w.textInteractionFlags() == (
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    assert plain_label("<i>x</i>").textFormat() == Qt.TextFormat.PlainText
    centred = QLabel("x")
    set_enum(centred, "alignment", "AlignCenter")
    assert centred.alignment() == Qt.AlignmentFlag.AlignCenter
    with pytest.raises(ValueError, match="AlignMiddle"):
        set_enum(centred, "alignment", "AlignMiddle")
    assert centred.alignment() == Qt.AlignmentFlag.AlignCenter  # unchanged
