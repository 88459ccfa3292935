"""Drive the real window through a refund and save PNGs of each state (run under Xvfb).

`python -m tests.ui.screenshots OUTDIR` — used by test_screenshots.py; handy by hand too.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from cashier_gui.app import install_translators, make_application
from cashier_gui.gateways.base import Timeouts
from cashier_gui.runtime import Runtime, open_runtime
from cashier_gui.ui.main_window import MainWindow
from tests.ui.running import rt


def factory(training: bool, provider: str) -> Runtime:
    return open_runtime(
        training=True,
        training_provider=provider,
        # The countdown shot waits out the read timeout: long enough to read, short enough to wait.
        training_timeouts=Timeouts(connect=2, read=4),
    )


#: What a screenshot found cut off (outside the window, clipped by a parent, text wider than its
#: widget, a screen that scrolls): "state: what".
CLIPPED: list[str] = []


def problems(top: QWidget, *, scroll_ok: bool = False) -> list[str]:
    """Every visible label and button of `top`'s window that is not whole: outside the window,
    cut by a parent (a scroll area, a too-small card), or showing less than its text (font
    metrics against the widget's size); and a scroll area that has to be scrolled to see it all
    (`scroll_ok`: long lists may)."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractScrollArea,
        QComboBox,
        QLabel,
        QLineEdit,
        QScrollArea,
        QStyle,
        QStyleOptionComboBox,
        QTabBar,
    )

    window = top.window()
    frame = QRect(QPoint(0, 0), window.size())
    found: list[str] = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.window() is not window or w.width() <= 0:
            continue
        if any(isinstance(a, QAbstractItemView) for a in _ancestors(w)):
            continue  # a list's items scroll by design
        if isinstance(w, QTabBar):
            if w.sizeHint().width() > w.width() + 1:  # its tabs scroll: names cut or hidden
                found.append(f"tabs wider than their bar ({w.sizeHint().width()} > {w.width()})")
            continue
        if isinstance(w, QScrollArea):
            if w.horizontalScrollBar().maximum() > 0 or (
                not scroll_ok and w.verticalScrollBar().maximum() > 0
            ):
                found.append(f"scrolls: {w.objectName() or type(w).__name__}")
            continue
        if not isinstance(w, QLabel | QAbstractButton | QLineEdit | QComboBox):
            continue
        text = (w.accessibleName() or "field") if isinstance(w, QLineEdit | QComboBox) else w.text()
        if not text.strip():
            continue
        name = text.replace("\n", " ")[:40]
        scrolled = scroll_ok and any(isinstance(a, QAbstractScrollArea) for a in _ancestors(w))
        rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        if not scrolled and not frame.contains(rect):
            found.append(f"outside the window: {name}")
            continue
        # Cut by a parent: what of it its ancestors show (a scroll area's viewport included;
        # where scrolling is fine, only sideways).
        left, right, upper, lower = 0, w.width(), 0, w.height()
        for anc in _ancestors(w):
            origin = w.mapFrom(anc, QPoint(0, 0))
            left, right = max(left, origin.x()), min(right, origin.x() + anc.width())
            upper, lower = max(upper, origin.y()), min(lower, origin.y() + anc.height())
        short = lower - upper < w.height() - 1 and not scrolled
        if right - left < w.width() - 1 or short:
            found.append(f"cut by its parent: {name}")
            continue
        if isinstance(w, QComboBox) and not w.isEditable():
            # A drop-down's chosen text is cut at its edge, never scrolled: it must fit.
            opt = QStyleOptionComboBox()
            w.initStyleOption(opt)
            edit = w.style().subControlRect(
                QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, w
            )
            wide = w.fontMetrics().horizontalAdvance(w.currentText())
            if wide > edit.width() + 1:
                found.append(f"text wider than the drop-down ({wide} > {edit.width()}): {name}")
            continue
        if isinstance(w, QLineEdit | QComboBox):
            continue  # a field's text scrolls inside it
        if w.height() < w.minimumSizeHint().height() - 1:
            found.append(f"squeezed ({w.height()} < {w.minimumSizeHint().height()}): {name}")
            continue
        if isinstance(w, QAbstractButton):
            need = w.sizeHint()  # the text's width by its font metrics, with padding and icon
            if need.width() > w.width() + 1:
                found.append(f"text wider than the button ({need.width()} > {w.width()}): {name}")
        else:
            if w.buddy() is not None or w.textFormat() != Qt.TextFormat.PlainText:
                text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
            fm = w.fontMetrics()
            room = w.contentsRect().width() - 2 * w.margin() - 2 * w.indent() * 0
            if w.wordWrap():
                words = [x for x in text.split() if x]
                widest = max((fm.horizontalAdvance(x) for x in words), default=0)
                if widest > room + 1:
                    found.append(f"a word wider than the label ({widest} > {room}): {name}")
                elif w.heightForWidth(w.width()) > w.height() + 1:
                    found.append(f"text taller than the label: {name}")
            else:
                widest = max(fm.horizontalAdvance(line) for line in text.split("\n"))
                if widest > room + 1:
                    found.append(f"text wider than the label ({widest} > {room}): {name}")
    return found


def overlapping(top: QWidget) -> list[str]:
    """Widgets a layout places over each other: every two visible widgets one layout (with its
    sub-layouts) manages whose rectangles share more than a pixel's edge — what a layout given
    less than its minimum does (People's buttons over its list once a message showed)."""
    from PySide6.QtWidgets import QLayout

    def managed(layout: QLayout) -> list[QWidget]:
        out: list[QWidget] = []
        for i in range(layout.count()):
            item = layout.itemAt(i)
            if item is None:
                continue
            widget, inner = item.widget(), item.layout()
            if widget is not None:
                out.append(widget)
            elif inner is not None:
                out += managed(inner)
        return out

    window = top.window()
    found: list[str] = []
    for parent in [window, *window.findChildren(QWidget)]:
        layout = parent.layout()
        if layout is None or not parent.isVisible() or parent.window() is not window:
            continue
        kids = [k for k in managed(layout) if k.isVisible() and not k.geometry().isEmpty()]
        for i, a in enumerate(kids):
            for b in kids[i + 1 :]:
                both = a.geometry().intersected(b.geometry())
                if both.width() > 1 and both.height() > 1:
                    found.append(
                        f"overlap ({both.width()}×{both.height()} px): {_name(a)} / {_name(b)}"
                    )
    return found


def _name(w: QWidget) -> str:
    text = getattr(w, "text", None)
    shown = text() if callable(text) else ""
    return (w.accessibleName() or (shown if isinstance(shown, str) else "") or type(w).__name__)[
        :30
    ].replace("\n", " ")


def out_of_sight(w: MainWindow) -> list[str]:
    """The stage's actions (RefundPanel.actions_in_sight) not wholly in the scrolled view."""
    from PySide6.QtCore import QPoint, QRect

    view = w.panel_scroll.viewport()
    frame = QRect(QPoint(0, 0), view.size())
    return [
        f"out of sight: {b.accessibleName() or type(b).__name__}"
        for b in w.panel.actions_in_sight()
        if not frame.contains(QRect(b.mapTo(view, QPoint(0, 0)), b.size()))
    ]


def _ancestors(w: QWidget) -> list[QWidget]:
    out = []
    parent = w.parentWidget()
    while parent is not None and not parent.isWindow():
        out.append(parent)
        parent = parent.parentWidget()
    if parent is not None:
        out.append(parent)
    return out


async def until(check: object, seconds: float = 8.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while not check():  # type: ignore[operator]
        if loop.time() > end:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.02)


async def drive(w: MainWindow, out: Path) -> list[str]:
    saved: list[str] = []

    def shot(name: str) -> None:
        path = out / f"{name}.png"
        w.grab().save(str(path))
        saved.append(path.name)
        CLIPPED.extend(
            f"{name}: {text}"
            for text in off_screen(w) + problems(w, scroll_ok=SHORT) + overlapping(w)
        )
        if SHORT and w.stack.currentWidget() is w.panel_scroll:
            CLIPPED.extend(f"{name}: {text}" for text in out_of_sight(w))

    await until(lambda: w.runtime is not None)
    p = w.panel
    await asyncio.sleep(0.2)
    shot("1-lookup")

    async def look_up(charge: str) -> None:
        p.new_refund()
        QTest.keyClicks(p.charge_edit, charge)
        QTest.keyClick(p.charge_edit, Qt.Key.Key_Return)
        await until(lambda: p.stage == "charge" or p.lookup_error.isVisible())
        await asyncio.sleep(0.1)

    await look_up("ch_train_kwd_12345")
    QTest.keyClicks(p.amount_edit, "1,5", delay=60)
    p.reason_combo.setCurrentIndex(4)
    p.note_edit.setText(
        "Customer returned a very long list of items and asked for the "
        "refund to be split over two receipts; manager approved"
    )
    shot("2-charge-partial-kwd")
    QTest.keyClicks(p.amount_edit, "00", delay=60)
    p.amount_edit.setText("99")
    await asyncio.sleep(0.1)  # the form lays the longer reason out in the next turn
    shot("3-over-refund-refused")
    p.amount_edit.setText("1,5")
    QTest.keyClick(p.amount_edit, Qt.Key.Key_Return)
    await asyncio.sleep(0.35)  # Enter on the confirm card counts after 300 ms
    shot("4-confirm")
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    await until(lambda: p.stage == "result")
    await asyncio.sleep(0.3)
    shot("5-approved")

    await look_up("ch_does_not_exist")
    shot("6-error-not-found")

    await look_up("ch_train_usd_issuer_declines")
    p.action_button.click()
    p.confirm_button.click()
    await until(lambda: p.stage == "result")
    shot("7-declined")

    await look_up("ch_train_gbp_refund_pending")
    p.partial_radio.setChecked(True)
    p.amount_edit.setText("40")  # under training's approval limit
    p.action_button.click()
    p.confirm_button.click()
    await until(lambda: p.stage == "result")
    shot("7-pending")

    sim = rt(w).simulator_state
    sim.faults.push("drop_after_commit")
    await look_up("ch_train_eur_4990")
    p.action_button.click()
    p.confirm_button.click()
    await until(lambda: p.stage == "result")
    await until(w.unknown_banner.isVisible)
    shot("8-unknown-with-banner")

    await look_up("ch_train_declined")
    shot("9-not-refundable")

    # A gateway that takes the request and goes quiet: the countdown, then unknown.
    sim.faults.push("timeout")
    sim.faults.hang_seconds = 30
    await look_up("ch_train_jpy_12800")
    QTest.keyClicks(p.amount_edit, "2000", delay=60)  # under training's approval limit
    p.action_button.click()
    p.confirm_button.click()
    await until(lambda: p.seconds_left() is not None)  # sent: the countdown runs
    await asyncio.sleep(1.2)
    shot("10-sending-countdown")
    await until(lambda: p.stage == "result")
    await asyncio.sleep(0.2)
    shot("11-unknown-resolve-by-hand")

    p.manager_gate = lambda _why, then: then(None)  # a counter nobody signs in to
    p.resolve_by_hand()
    await until(lambda: p.resolve_dialog is not None)
    dialog = p.resolve_dialog
    await asyncio.sleep(0.3)
    dialog.refunded_radio.setChecked(True)
    dialog.name_edit.setText("Ana")
    dialog.name_edit.setFocus()
    await asyncio.sleep(0.2)
    dialog.grab().save(str(out / "12-resolve-dialog.png"))
    CLIPPED.extend(f"12-resolve-dialog: {text}" for text in dialog_problems(dialog))
    saved.append("12-resolve-dialog.png")
    screen = w.screen().grabWindow(0)  # the dialog over the window, as the cashier sees it
    screen.save(str(out / "13-resolve-dialog-on-screen.png"))
    saved.append("13-resolve-dialog-on-screen.png")
    dialog.reject()
    await asyncio.sleep(0.2)
    # F5: the status bar says what the check found, as the banner counts what is left; the
    # message is read whole (the bar makes room for it on a narrow window).
    w.reconcile()
    await until(lambda: bool(w.statusBar().currentMessage()), seconds=30)
    await asyncio.sleep(0.2)
    shot("13-checked-status-message")
    CLIPPED.extend(f"13-checked-status-message: {t}" for t in message_cut(w))

    saved += await counter_states(w, shot, look_up)
    return saved


async def counter_states(
    w: MainWindow, take: Callable[[str], None], look_up: Callable[[str], Awaitable[None]]
) -> list[str]:
    """Issue 12/13 states: the Void/Refund choice, the void confirm, a settled sale's void
    refused with Refund it instead, the manager's approval on the confirm card."""
    from cashier_gui.operators import Operator, OperatorStore, Role
    from cashier_gui.policy import Policy

    p = w.panel
    await look_up("ch_train_eur_today_2450")
    take("14-void-choice")
    p.reason_combo.setFocus()
    p.reason_combo.showPopup()
    await asyncio.sleep(0.3)
    w.screen().grabWindow(0).save(str(OUT / "18-reason-list-open.png"))
    p.reason_combo.hidePopup()
    p.void_button.click()
    await asyncio.sleep(0.35)
    take("15-void-confirm")
    rt(w).simulator_state.charges["ch_train_eur_today_2450"].settled = True
    p.confirm_button.click()
    await until(lambda: p.stage == "result")
    await asyncio.sleep(0.2)
    take("16-settled-refund-instead")
    store = OperatorStore(rt(w).paths.operators)
    store.add("Mia", Role.MANAGER, "2468")
    store.add("Ole", Role.MANAGER, "1470")
    p.operators = store
    w.session._set(Operator("Carl", Role.CASHIER))
    rt(w).service.policy = Policy(approval_above={"EUR": 1000})
    await look_up("ch_train_eur_partly")
    p.action_button.click()
    await until(p.confirm_card.approval.isVisible)
    await asyncio.sleep(0.2)
    take("17-approval-confirm")
    p.back()
    p.back()

    # People: the sign-in page (keyboard only: a letter picks the name), a wrong PIN, People….
    store.add("Carl", Role.CASHIER, "1357")
    store.add("Bea", Role.CASHIER, "8642")
    w.session.show_sign_in(store, store.list())
    pad = w.session.page.pad
    QTest.keyClicks(pad.pin, "c")
    await asyncio.sleep(0.1)
    QTest.keyClicks(pad.pin, "0000", delay=70)
    QTest.keyClick(pad.pin, Qt.Key.Key_Return)
    await until(pad.error.isVisible)
    await asyncio.sleep(0.2)
    take("19-sign-in-wrong-pin")
    CLIPPED.extend(
        f"19-sign-in-wrong-pin: {t}" for t in in_sight(pad.error, w.session.page.page_scroll)
    )
    from cashier_gui.ui.people import PeopleDialog

    people = PeopleDialog(store, parent=w)
    people.show()
    await until(lambda: people.list.count() == 4)
    people.add_button.click()
    people.name_edit.setText("Dana")
    await asyncio.sleep(0.2)
    people.grab().save(str(OUT / "20-people.png"))
    CLIPPED.extend(f"20-people: {text}" for text in dialog_problems(people))
    people.reject()
    # A manager's People… with a message under the list (Carl locked; then Lift lock with a
    # wrong PIN): the list, its buttons and the message each in their own place.
    people = PeopleDialog(store, manager=Operator("Mia", Role.MANAGER), parent=w)
    people.show()
    await until(lambda: people.list.count() == 4)
    await asyncio.sleep(0.2)
    people.list.setCurrentRow(2)
    people.manager_pin.setText("2468")
    people.lock_button.click()
    await until(lambda: people.error.isVisible() and "Carl" in people.locked_by_manager)
    await asyncio.sleep(0.3)
    people.grab().save(str(OUT / "20-people-locked.png"))
    CLIPPED.extend(f"20-people-locked: {text}" for text in dialog_problems(people))
    CLIPPED.extend(f"20-people-locked: {t}" for t in in_sight(people.error, people.body_scroll))
    people.list.setCurrentRow(2)
    people.manager_pin.setText("0000")
    people.unlock_button.click()
    await until(lambda: not people.manager_pin.text())  # the wrong PIN refused, cleared
    await asyncio.sleep(0.3)
    people.grab().save(str(OUT / "20-people-wrong-pin.png"))
    CLIPPED.extend(f"20-people-wrong-pin: {text}" for text in dialog_problems(people))
    CLIPPED.extend(f"20-people-wrong-pin: {t}" for t in in_sight(people.error, people.body_scroll))
    people.reject()
    from cashier_gui.ui.settings import SettingsDialog

    settings = SettingsDialog(printing=w.printing, parent=w)
    settings.show()
    await asyncio.sleep(0.4)
    parts = ("connection", "receipts", "policy", "shop")
    assert settings.sections.count() == len(parts)
    for i, part in enumerate(parts):
        settings.sections.setCurrentIndex(i)
        await asyncio.sleep(0.2)
        settings.grab().save(str(OUT / f"21-settings-{part}.png"))
        CLIPPED.extend(f"21-settings-{part}: {text}" for text in dialog_problems(settings))
    settings.reject()

    # History: every attempt of this run, one chosen — its details in the pane below.
    from cashier_gui.ui.history import HistoryDialog

    w.open_history()  # as Ctrl+H opens it
    history = next(d for d in w.findChildren(HistoryDialog) if d.isVisible())
    await until(lambda: history.model.rowCount() >= 6 and history.lists_loaded)
    history.table.setFocus()
    history.table.setCurrentIndex(history.model.index(0, 0))
    await asyncio.sleep(0.3)
    history.grab().save(str(OUT / "22-history-details.png"))
    CLIPPED.extend(f"22-history-details: {text}" for text in dialog_problems(history))
    CLIPPED.extend(f"22-history-details: {text}" for text in cut_columns(history))
    history.reject()

    # The end-of-shift report (Counter → Report).
    from cashier_gui.ui.report_dialog import ReportDialog

    w.open_report()
    report = next(d for d in w.findChildren(ReportDialog) if d.isVisible())
    await asyncio.sleep(1.0)  # the day's report is read off the GUI thread
    report.grab().save(str(OUT / "24-report.png"))
    CLIPPED.extend(f"24-report: {text}" for text in dialog_problems(report))
    report.reject()

    # F1: how a refund goes and every shortcut — its OK in sight on a short screen.
    w.window_actions.show_shortcuts()
    help_box = w.window_actions.shortcuts_dialog
    assert help_box is not None
    await asyncio.sleep(0.4)
    help_box.grab().save(str(OUT / "23-help.png"))
    CLIPPED.extend(f"23-help: {text}" for text in dialog_problems(help_box))
    help_box.accept()
    return []


def in_sight(widget: QWidget, area: QWidget) -> list[str]:
    """`widget` wholly inside the scroll area's viewport (what the cashier sees unscrolled)."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QScrollArea

    assert isinstance(area, QScrollArea)
    view = area.viewport()
    rect = QRect(widget.mapTo(view, QPoint(0, 0)), widget.size())
    if QRect(QPoint(0, 0), view.size()).contains(rect):
        return []
    return [f"out of sight: {widget.accessibleName() or type(widget).__name__}"]


def message_cut(w: MainWindow) -> list[str]:
    """The status bar's message wider than what its permanent items leave it."""
    bar = w.statusBar()
    message = bar.currentMessage()
    shown = [c for c in bar.findChildren(QWidget) if c.parentWidget() is bar and c.isVisible()]
    left = min((c.x() for c in shown if c.x() > 0), default=bar.width())
    need = bar.fontMetrics().horizontalAdvance(message) + 8
    return [f"status message cut ({need} > {left}): {message}"] if need > left else []


def dialog_problems(dialog: QWidget) -> list[str]:
    """A dialog as the cashier's screen shows it: on that screen (its size and place within the
    screen's available area, which tests/ui/test_screenshots.py makes the counter's real
    1024×768 or 1280×800), then every label and button whole (its fields may scroll)."""
    return off_screen(dialog) + problems(dialog, scroll_ok=True) + overlapping(dialog)


def off_screen(window: QWidget) -> list[str]:
    """A window not wholly on its screen's available area."""
    from PySide6.QtCore import QRect

    area = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if area.contains(QRect(frame.topLeft(), frame.size())):
        return []
    return [
        f"not on the screen ({frame.x()},{frame.y()} {frame.width()}×{frame.height()} "
        f"on {area.width()}×{area.height()})"
    ]


def cut_columns(history: QWidget) -> list[str]:
    """History's columns: each as wide as its header and every value it shows (font metrics)."""
    from cashier_gui.ui.history import HistoryDialog

    assert isinstance(history, HistoryDialog)
    table, model = history.table, history.model
    fm = table.fontMetrics()
    header = table.horizontalHeader()
    found = []
    for col in range(model.columnCount()):
        title = str(model.headerData(col, Qt.Orientation.Horizontal))
        need = header.fontMetrics().horizontalAdvance(title) + 12
        for r in range(model.rowCount()):
            need = max(need, fm.horizontalAdvance(str(model.index(r, col).data() or "")) + 8)
        if table.columnWidth(col) < min(need, 300):
            found.append(f"column cut ({table.columnWidth(col)} < {need}): {title}")
    return found


OUT = Path(".")
#: The window's size in Qt's (scaled) pixels: CASHIER_SCREENSHOT_SIZE=WxH, else 1024×768.
SIZE = tuple(int(x) for x in os.environ.get("CASHIER_SCREENSHOT_SIZE", "1024x768").split("x"))
#: Shorter than 1024×768 (1280×800 at 150 %: 853×533): the refund panel may scroll, but each
#: stage's actions must be in sight without the cashier scrolling.
SHORT = SIZE[1] < 700 or float(os.environ.get("CASHIER_SCREENSHOT_FONT_PT") or 0) > 11.25


def main(out_dir: str) -> int:
    global OUT
    out = OUT = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = make_application([sys.argv[0]])
    points = os.environ.get("CASHIER_SCREENSHOT_FONT_PT")
    if points:  # the system's text size set larger: the style follows (cashier_gui.app)
        font = app.font()
        font.setPointSizeF(float(points))
        app.setFont(font)
    language = install_translators(app, os.environ.get("CASHIER_SCREENSHOT_LANGUAGE") or None)
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    w = MainWindow(factory, training=True)
    w.setWindowState(Qt.WindowState.WindowNoState)  # exactly 1024×768, whatever the screen
    width, height = SIZE
    w.resize(width, height)
    w.move(w.screen().availableGeometry().topLeft())  # where a window manager would put it
    w.show()
    w.activateWindow()  # as the cashier's window is: focus drawn as they see it
    w.start()
    with loop:
        saved = loop.run_until_complete(drive(w, out))
        loop.run_until_complete(w.shutdown())
    print("\n".join(saved))
    print(f"language {language}")
    for clipped in CLIPPED:
        print(f"clipped: {clipped}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
