"""Small building blocks shared by the screens."""

from __future__ import annotations

import datetime as dt

from PySide6 import QtCore
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QTimer
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStatusBar,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.zones import shown


def set_enum(obj: QObject, prop: str, key: str) -> None:
    """Set `obj`'s Qt property `prop`, of an enum type, by its key's name — ("textFormat",
    "PlainText") for setTextFormat(Qt.TextFormat.PlainText). For what is built before the first
    paint: the first use of the Python enum creates PySide's whole `Qt` namespace (≈ 1,200 enum
    members, ≈ 118 M instructions), which can wait until after it. A wrong name raises."""
    if not obj.setProperty(prop, key):
        raise ValueError(f"{type(obj).__name__}.{prop} has no key {key!r}")


#: A QLineEdit with this property set is a secret (a PIN): ui/refund/keys.py leaves its keys
#: to the field alone, so no secret is ever part of a scan or echoed elsewhere.
SECRET_PROPERTY = "secret"  # noqa: S105 (a property name, not a secret)


class ComboBox(QComboBox):
    """A drop-down whose open list follows the style sheet (resources/style.qss: rows 34 px,
    the chosen one blue with white text). QComboBox's own delegate draws the rows as menu items,
    which take the sheet's text colour but not its row background: the current choice was white
    on white — blank — in every open list. Use it instead of QComboBox everywhere."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(QStyledItemDelegate(self))


def _scroll_bar_extent(area: QScrollArea) -> int:
    """A scroll bar's width. QStyle is imported here, when a dialog is fitted: its ~80 enum
    classes cost ≈ 8 ms to create, and the window's first paint does not need them."""
    from PySide6.QtWidgets import QStyle

    return area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)


class Label(QLabel):
    """A QLabel that remembers its wrapped height per width until its text, font or style
    changes. A layout pass asks every word-wrapped label for heightForWidth several times, and
    QLabel lays its text out anew for each question — measured as most of the 3–5 ms re-layout
    after each step of a refund."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self._heights: dict[int, int] = {}

    def setText(self, text: str) -> None:
        if text != self.text():
            self._heights.clear()
            super().setText(text)

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) > 64:  # resizing the window asks for many widths
                self._heights.clear()
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (
            QEvent.Type.FontChange,
            QEvent.Type.StyleChange,
            QEvent.Type.ContentsRectChange,
        ):
            self._heights.clear()
        super().changeEvent(event)


class PaintHold(QObject):
    """Paint a step's changes in the event loop's next turn, not in this one.

    A step of a refund (new charge, confirm, result) changes dozens of widgets; Qt repaints
    them (3–6 ms) as soon as the handler returns, before timers, input or asyncio get a turn,
    so handler + layout + paint made one 10–15 ms stall. `hold()` keeps the window's update
    request back until a 1 ms timer, so the loop runs in between: two short turns instead of
    one long one. Only what changed is repainted (unlike setUpdatesEnabled, which repaints
    everything when re-enabled), once, a millisecond later."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._widget = parent
        self._window: QWidget | None = None
        self._swallowed = False

    def hold(self) -> None:
        if self._window is not None:
            return
        self._window = self._widget.window()
        self._swallowed = False
        self._window.installEventFilter(self)
        QTimer.singleShot(1, self, self._release)

    def _release(self) -> None:
        window, self._window = self._window, None
        if window is None:
            return
        window.removeEventFilter(self)
        if self._swallowed:  # Qt still counts it as sent: hand it back
            QCoreApplication.postEvent(window, QEvent(QEvent.Type.UpdateRequest))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest and watched is self._window:
            self._swallowed = True
            return True
        return False


def set_visible(widget: QWidget, visible: bool) -> None:
    """`widget.setVisible(visible)` only when that changes something: setVisible lays the
    parent out again even when the widget already is as asked (≈ 0.2–1 ms a call in a refund
    step's turn)."""
    if widget.isHidden() == visible:
        widget.setVisible(visible)


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Mark `source` for translation in `context` without translating it now (a table built at
    import time); translate it where it is shown with `QCoreApplication.translate(context, …)`.
    Qt's own returns `object` to type checkers; this one returns the text."""
    return source


def plain_tip(text: str | None) -> str | None:
    """A tooltip that shows `text` literally, whoever wrote it (a note, a server's message).

    Qt shows a tooltip as rich text whenever `Qt.mightBeRichText` guesses so (a note such as
    `<h1 style="color:red">…</h1>` would render as a red heading, `<img src=…>` would load):
    here the text is escaped and wrapped in a paragraph that keeps its line breaks, so it is
    always rich text whose only content is the words. Empty or None: no tooltip (None)."""
    if not text:
        return None
    from html import escape  # not before the first paint: html.entities' tables ≈ 1.5 ms

    return '<p style="white-space:pre-wrap">' + escape(text, quote=False) + "</p>"


def plain_label(text: str = "") -> QLabel:
    """A bare QLabel that never interprets what it shows as rich text (names, server text)."""
    w = QLabel(text)
    set_enum(w, "textFormat", "PlainText")  # not Qt.TextFormat: see set_enum
    return w


def label(
    text: str = "", *, role: str | None = None, wrap: bool = True, selectable: bool = False
) -> Label:
    w = Label(text)
    w.setWordWrap(wrap)
    set_enum(w, "textFormat", "PlainText")  # not Qt.TextFormat: see set_enum
    if role:
        w.setProperty("role", role)
    if selectable:
        set_enum(w, "textInteractionFlags", "TextSelectableByMouse|TextSelectableByKeyboard")
    return w


def card(role: str = "card") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", role)
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 14, 16, 14)
    layout.setSpacing(8)
    return frame, layout


def restyle(widget: QWidget, role: str, *dependents: QWidget) -> None:
    """Change a widget's `role` property and make the stylesheet see it, and on `dependents`
    whose rules depend on it (`QFrame[role=…] QLabel`). Re-polishing is costly with a
    stylesheet: nothing happens when the role is unchanged, and only the named widgets redo it."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    for w in (widget, *dependents):
        w.style().unpolish(w)
        w.style().polish(w)


class CopyRow(QWidget):
    """`Trace ID  abc123  [Copy]` — a value the cashier may need to read out or paste."""

    def __init__(self, caption: str, accessible: str) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.caption = label(caption, role="caption", wrap=False)
        self.value = label("", role="mono", wrap=True, selectable=True)
        self.value.setAccessibleName(accessible)
        self.button = QPushButton(self.tr("Copy"))
        self.button.setAccessibleName(self.tr("Copy {what}").format(what=accessible))
        self.button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.button.clicked.connect(self.copy)
        row.addWidget(self.caption)
        row.addWidget(self.value, 1)
        row.addWidget(self.button)

    def set(self, value: str | None) -> None:
        self.value.setText(value or "")
        set_visible(self, bool(value))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.value.text())
        self.button.setText(self.tr("Copied"))

    def reset(self) -> None:
        """The button says Copy again (a new value to copy)."""
        self.button.setText(self.tr("Copy"))


class MessageBox(QFrame):
    """An inline message: what happened, what to do, and the trace ID to quote."""

    def __init__(self, accessible: str) -> None:
        super().__init__()
        self.setProperty("role", "error")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.text = label("", role="message", selectable=True)
        self.text.setAccessibleName(accessible)
        self.trace = CopyRow(self.tr("Trace ID"), self.tr("trace ID"))
        layout.addWidget(self.text)
        layout.addWidget(self.trace)
        self.hide()

    def show_message(self, text: str, trace_id: str | None = None, role: str = "error") -> None:
        restyle(self, role)
        self.text.setText(text)
        self.trace.set(trace_id)
        self.trace.reset()
        self.show()

    def clear(self) -> None:
        self.text.setText("")
        self.trace.set(None)
        self.hide()


def local_time(stamp: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC timestamp (RFC 3339) in the shop's time zone (zones.py); `—` when there is
    none."""
    if not stamp:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return shown(moment).strftime(fmt)


def card_text(brand: str | None, last4: str | None) -> str:
    """`VISA •••• 4242`, or what is known of it; "" when nothing is."""
    return " ".join(part for part in (brand, f"•••• {last4}" if last4 else None) if part)


class WrappingScrollArea(QScrollArea):
    """A scroll area whose page is never squeezed: word-wrapped labels keep the height their
    text needs at the page's width, and the page scrolls instead (QScrollArea alone ignores
    height-for-width, so a long German text was cut off at 1024×768)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        widget.installEventFilter(self)
        self._fit()
        # A field given the keyboard by its caption's shortcut (Alt+A, a mnemonic) comes into
        # sight, as Qt does for Tab only: at 150 % on 1024×768 the amount was typed out of view.
        for caption in widget.findChildren(QLabel):
            if caption.buddy() is not None:
                caption.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        elif event.type() == QEvent.Type.Shortcut and isinstance(watched, QLabel):
            field = watched.buddy()
            if field is not None:  # once the label has given it the focus
                QTimer.singleShot(0, self, lambda: self._reveal(field))
        return False

    def _reveal(self, field: QWidget) -> None:
        # By where the field is in the viewport (ensureWidgetVisible left it 5 px above the
        # top here: the page's own offset in the viewport).
        view, bar = self.viewport(), self.verticalScrollBar()
        top = field.mapTo(view, QPoint(0, 0)).y()
        bottom = top + field.height()
        if top < 0:
            bar.setValue(bar.value() + top - 8)
        elif bottom > view.height():
            bar.setValue(bar.value() + min(top - 8, bottom - view.height() + 8))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        page = self.widget()
        layout = page.layout() if page is not None else None
        if page is None or layout is None or not layout.hasHeightForWidth():
            return
        need = layout.totalHeightForWidth(self.viewport().width())
        if need > 0 and page.minimumHeight() != need:
            page.setMinimumHeight(need)


def save_path(stem: str, suffix: str) -> str:
    """Where a save dialog starts: the user's Documents folder (else home), with today's date in
    the name — never the program's folder, never last time's file name."""
    from pathlib import Path

    from PySide6.QtCore import QStandardPaths

    folder = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation
    ) or str(Path.home())
    return str(Path(folder) / f"{stem}-{dt.date.today().isoformat()}{suffix}")


class StatusFit(QObject):
    """A status bar narrower than its items (1024×768 at 150 % is 683 px wide) drops its least
    needed ones — `optional`, the first dropped first — rather than show them cut ("Terminal
    TRAIN-0"), and while it shows a message, as many as the message needs to be read whole;
    what it dropped is in the bar's tooltip. Refitted as the bar resizes, its items change (the
    cashier's name, the connection) or a message comes and goes."""

    def __init__(self, bar: QStatusBar, optional: list[QLabel]) -> None:
        super().__init__(bar)
        self.bar = bar
        self.optional = optional
        self.dropped: list[QLabel] = []
        self._fitting = False
        bar.installEventFilter(self)
        bar.messageChanged.connect(lambda _text: self.fit())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self.fit()
        return False

    def fit(self) -> None:
        if self._fitting:
            return
        self._fitting = True
        try:
            items = [w for w in self.bar.findChildren(QLabel) if w.parentWidget() is self.bar]
            wanted = [w for w in items if w.text() and (w in self.optional or not w.isHidden())]
            bar_layout = self.bar.layout()
            spacing = max(6, bar_layout.spacing()) if bar_layout is not None else 6
            room = self.bar.width() - 24  # the size grip and the bar's margins
            message = self.bar.currentMessage()
            if message:  # a message ("Checked: 1; …") is read whole: room for it first
                room -= self.bar.fontMetrics().horizontalAdvance(message) + 16
            dropped: list[QLabel] = []

            def need() -> int:
                return sum(w.sizeHint().width() + spacing for w in wanted if w not in dropped)

            for w in self.optional:
                if need() <= room:
                    break
                if w in wanted:
                    dropped.append(w)
            for w in self.optional:
                if w.isHidden() != (w in dropped or not w.text()):
                    w.setHidden(w in dropped or not w.text())
            self.dropped = dropped
            self.bar.setToolTip(" · ".join(w.text() for w in dropped))
        finally:
            self._fitting = False


class ScreenFit(QObject):
    """Keeps a dialog whole on the counter's screen (1024×768 at 150 % leaves 682×512): as
    tall as its text needs at its width (word-wrapped labels are not squeezed), never larger
    than the screen's free area less a title bar, and moved back onto the screen when it grows.
    `scroll`: the dialog's WrappingScrollArea, which takes what does not fit (the actions below
    it stay in sight). `size`: a preferred size (a table's dialog), within the screen too."""

    TITLE_BAR = 40

    def __init__(
        self,
        dialog: QWidget,
        *,
        scroll: QScrollArea | None = None,
        size: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.scroll = scroll
        self.size = size
        self._fitting = False
        dialog.installEventFilter(self)
        page = scroll.widget() if scroll is not None else None
        if page is not None:
            page.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and watched is self.dialog:
            self.fit(shrink=True)
        elif kind == QEvent.Type.LayoutRequest and self.dialog.isVisible():
            QTimer.singleShot(0, self.fit)  # once the layout has its new sizes
        return False

    def room(self) -> tuple[int, int]:
        screen = self.dialog.screen()
        if screen is None:
            return (10_000, 10_000)
        area = screen.availableGeometry()
        return (area.width() - 8, area.height() - self.TITLE_BAR)

    def need(self, width: int) -> int:
        lay = self.dialog.layout()
        if lay is None:
            return self.dialog.sizeHint().height()
        if self.scroll is None:
            if lay.hasHeightForWidth():
                return lay.totalHeightForWidth(width)
            return lay.totalSizeHint().height()
        page = self.scroll.widget()
        inner = page.layout() if page is not None else None
        margins = lay.contentsMargins()
        bar = _scroll_bar_extent(self.scroll)
        page_width = width - margins.left() - margins.right() - bar
        if inner is not None and inner.hasHeightForWidth():
            page_need = inner.totalHeightForWidth(page_width)
        else:
            page_need = page.sizeHint().height() if page is not None else 0
        return lay.totalSizeHint().height() - self.scroll.sizeHint().height() + page_need + 4

    def need_width(self) -> int:
        """What the scrolled page needs sideways (it never scrolls sideways), with the bar."""
        page = self.scroll.widget() if self.scroll is not None else None
        lay = self.dialog.layout()
        if page is None or lay is None or self.scroll is None:
            return 0
        margins = lay.contentsMargins()
        bar = _scroll_bar_extent(self.scroll)
        return page.minimumSizeHint().width() + margins.left() + margins.right() + bar + 4

    def fit(self, shrink: bool = False) -> None:
        if self._fitting or (not self.dialog.isVisible() and not shrink):
            return
        self._fitting = True
        try:
            d = self.dialog
            max_w, max_h = self.room()
            want_w = max(d.width(), self.size[0] if self.size else 0, self.need_width())
            width = max(d.minimumSizeHint().width(), min(want_w, max_w))
            width = min(width, max_w)
            if self.size is not None:
                height = self.size[1]
            else:
                height = self.need(width)
                if height > max_h and width < max_w:  # too tall: wider, so fewer lines scroll
                    width = max_w
                    height = self.need(width)
                if not shrink:
                    height = max(height, d.height())
            height = min(max(height, d.minimumSizeHint().height()), max_h)
            if (width, height) != (d.width(), d.height()):
                d.resize(width, height)
            self._on_screen()
        finally:
            self._fitting = False

    def _on_screen(self) -> None:
        d = self.dialog
        screen = d.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = d.frameGeometry()
        x = min(max(frame.x(), area.x()), area.x() + area.width() - frame.width())
        y = min(max(frame.y(), area.y()), area.y() + area.height() - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            d.move(max(x, area.x()), max(y, area.y()))
