"""Fonts in points following the system's text size (issue 26, item 3): the style sheet has no
pixel font size; a larger application font makes every text of the window larger."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from cashier_gui.app import apply_style, body_points, style_sheet
from cashier_gui.resources import BODY_MIN_PT, resource

ROOT = Path(__file__).resolve().parents[2]


def test_no_pixel_font_sizes_in_the_style_or_the_window_code() -> None:
    qss = resource("style.qss").read_text(encoding="utf-8")
    assert not re.findall(r"font(?:-size)?:[^;}]*\d\s*px", qss)
    assert len(re.findall(r"font-size:\s*[0-9.]+em", qss)) >= 20
    rendered = style_sheet(qss, 9.0)
    assert not re.findall(r"font-size:\s*[0-9.]+em", rendered)  # every em became points
    images = re.findall(r"url\(([^)]+)\)", rendered)
    assert images and all(Path(i).is_absolute() and Path(i).exists() for i in images), images
    assert not re.findall(r"font-size:\s*[0-9.]+(?!pt)[a-z]", rendered)
    for path in (ROOT / "cashier_gui" / "ui").rglob("*.py"):
        if path.name == "pdf.py":
            continue  # the PDF page is drawn in its own device pixels, not on the screen
        text = path.read_text(encoding="utf-8")
        assert "setPixelSize" not in text, path
        assert not re.findall(r"font-size:\s*\d+px", text), path


def test_body_size_is_the_system_size_with_a_floor() -> None:
    assert body_points(9.0) == BODY_MIN_PT  # Windows' 9 pt: the counter's 15 px at 96 dpi
    assert body_points(-1.0) == BODY_MIN_PT
    assert body_points(14.0) == 14.0
    sheet = style_sheet('QLabel[role="title"] { font-size: 2em; }', 14.0)
    assert "font-size: 28.00pt" in sheet


@pytest.fixture
def system_font(qapp: QApplication) -> Iterator[QApplication]:
    before = QFont(qapp.font())
    yield qapp
    qapp.setFont(before)
    apply_style(qapp)


def sizes(qtbot: QtBot) -> tuple[QWidget, dict[str, float]]:
    box = QWidget()
    qtbot.addWidget(box)
    lay = QVBoxLayout(box)
    body, title, button = QLabel("Refund"), QLabel("Refund approved"), QPushButton("Refund")
    title.setProperty("role", "title")
    button.setProperty("role", "primary")
    for w in (body, title, button):
        lay.addWidget(w)
    box.show()
    qtbot.waitExposed(box)
    return box, {
        "body": body.fontInfo().pointSizeF(),
        "title": title.fontInfo().pointSizeF(),
        "button": button.fontInfo().pointSizeF(),
        "button_height": float(button.sizeHint().height()),
        "body_px": float(body.fontMetrics().height()),
    }


def test_a_larger_system_font_makes_the_window_text_larger(
    qtbot: QtBot, system_font: QApplication
) -> None:
    app = system_font
    small = QFont(app.font())
    small.setPointSizeF(9.0)
    app.setFont(small)
    apply_style(app)
    _, normal = sizes(qtbot)
    assert normal["body"] == pytest.approx(BODY_MIN_PT, abs=0.3)
    assert normal["title"] == pytest.approx(BODY_MIN_PT * 1.467, abs=0.3)

    large = QFont(app.font())
    large.setPointSizeF(16.0)
    app.setFont(large)  # as the system's text-size setting does: the sheet follows by itself
    _, bigger = sizes(qtbot)
    assert bigger["body"] == pytest.approx(16.0, abs=0.3)
    assert bigger["title"] == pytest.approx(16.0 * 1.467, abs=0.3)
    assert bigger["button"] > normal["button"] * 1.3
    assert bigger["body_px"] > normal["body_px"] * 1.3
    assert bigger["button_height"] >= normal["button_height"]


@pytest.mark.parametrize("role", [None, "primary", "key"])
def test_focus_never_takes_room_from_a_buttons_text(
    qtbot: QtBot, qapp: QApplication, role: str | None
) -> None:
    """'Void sale' was cut at both ends when it had the focus: the focus border was wider than
    the plain one and the button kept the width it had asked for without it."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    apply_style(qapp)
    button = QPushButton("Void sale")
    if role:
        button.setProperty("role", role)
    qtbot.addWidget(button)
    button.show()
    qtbot.waitExposed(button)
    sizes = []
    for focused in (False, True):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        if focused:
            option.state |= QStyle.StateFlag.State_HasFocus
        else:
            option.state &= ~QStyle.StateFlag.State_HasFocus
        text = button.fontMetrics().size(0, button.text())
        sizes.append(
            button.style().sizeFromContents(
                QStyle.ContentsType.CT_PushButton, option, QSize(text), button
            )
        )
    assert sizes[0].width() == sizes[1].width(), sizes  # the text's room: the same
