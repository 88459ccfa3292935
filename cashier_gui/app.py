"""The composition root of the window: QApplication, stylesheet, the qasync loop (set up once),
the excepthook, the main window — and the runtime opened after the first paint."""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from cashier_gui import APP_NAME
from cashier_gui.resources import BODY_MIN_PT, resource
from cashier_gui.ui.qt_features import skip_feature_scan

if TYPE_CHECKING:
    import asyncio

    from cashier_gui.config import Paths

log = logging.getLogger("cashier_gui")

START_COLLECTION_MS = 20_000  # garbage collection is back on by then, ready or not


skip_feature_scan()  # for the modules imported after this one (cashier_gui.ui.qt_features)


def make_application(argv: list[str] | None = None, *, icon: bool = True) -> QApplication:
    """The application with its names and style sheet; its window icon too unless `icon` is
    False (run() sets it after the first paint: see set_window_icon)."""
    # Fractional scale factors as the screen has them (150 %, not rounded to 200 %): Qt 6's
    # default, said through the environment rather than setHighDpiScaleFactorRoundingPolicy,
    # whose enum would create PySide's whole `Qt` namespace (≈ 1,200 enum members, ≈ 118 M
    # instructions) before the first paint. Read when the QApplication is made.
    os.environ.setdefault("QT_SCALE_FACTOR_ROUNDING_POLICY", "PassThrough")
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("cashier_gui")
    if icon:
        set_window_icon(app)
    apply_style(app)
    return app


def set_window_icon(app: QApplication) -> None:
    """The app's icon (title bar, task bar) on every window, those already shown included.
    Decoding and scaling the 256 px PNG and creating QIcon's Python type (its 151-member
    ThemeIcon enum) cost ≈ 25 M instructions, so run() sets it right after the first paint."""
    from PySide6.QtGui import QIcon

    path = resource("icon.png")
    if path.exists():
        app.setWindowIcon(QIcon(str(path)))


_EM = re.compile(r"font-size:\s*([0-9]*\.?[0-9]+)em\b")
_URL = re.compile(r"url\(([\w.-]+)\)")


def body_points(system_points: float) -> float:
    """The body text's size in points: the system's text size (the application's default
    font), never under BODY_MIN_PT — a smaller system font keeps the counter readable, a larger
    one (the user's text-size setting) makes every text of the window larger with it."""
    return max(BODY_MIN_PT, system_points) if system_points > 0 else BODY_MIN_PT


def style_sheet(text: str, system_points: float) -> str:
    """resources/style.qss with its font sizes in em of the body text (Qt's style sheets take
    only px or pt for a font) written as points of `body_points(system_points)`."""
    body = body_points(system_points)
    text = _EM.sub(lambda m: f"font-size: {float(m.group(1)) * body:.2f}pt", text)
    # Its images (url(name.png)) are beside it; Qt would look in the current folder.
    folder = resource("").as_posix().rstrip("/")
    return _URL.sub(lambda m: f"url({folder}/{m.group(1)})", text)


def apply_style(app: QApplication) -> None:
    """Set the style sheet for the application's default font now, and again whenever the
    system's font changes while the window is open (QGuiApplication.fontChanged)."""
    style = resource("style.qss")
    if not style.exists():
        return
    text = style.read_text(encoding="utf-8")

    def render() -> None:
        font = app.font()
        points = font.pointSizeF()
        if points <= 0 < font.pixelSize():  # a system font given in pixels
            points = font.pixelSize() * 72 / max(1.0, app.primaryScreen().logicalDotsPerInch())
        app.setStyleSheet(style_sheet(text, points))

    render()
    if app.property("cashier_style_follows_font") is None:
        app.setProperty("cashier_style_follows_font", True)
        app.fontChanged.connect(lambda _font: render())


def install_translators(app: QApplication, setting: str | None = None) -> str:
    """Speak one language in the window and the core: the `language` setting, else the system's
    (QLocale.system()). Replaces translators an earlier call installed; returns the language."""
    from cashier_gui import i18n

    system = QLocale.system()
    ui = system.uiLanguages()
    language = i18n.choose_language(setting, ui[0] if ui else system.name())
    for old in app.findChildren(QTranslator, "cashier_gui_translator"):
        app.removeTranslator(old)
        old.setParent(None)  # gone from findChildren now, not at the next event-loop turn
        old.deleteLater()
    for path in i18n.qt_catalogues(language):
        translator = QTranslator(app)
        translator.setObjectName("cashier_gui_translator")
        if translator.load(str(path)):
            app.installTranslator(translator)
        else:
            log.warning("translation %s could not be loaded", path.name)
    return i18n.install(language)


def configured_language() -> str:
    """The `language` setting, "" (follow the system) when unset or unreadable. Read from the
    settings file with tomllib alone, before the first paint: the settings' whole chain (money,
    Babel, policy, paper) is loaded after it — and a window whose settings are unusable says
    what is wrong with them then, in this language. Same file as `Paths.default().settings`
    (tests/ui/test_startup_language.py)."""
    import tomllib
    from pathlib import Path

    from cashier_gui.i18n import LANGUAGES

    home = os.environ.get("CASHIER_GUI_HOME")
    if home:
        folder = Path(home).expanduser()
    else:
        from platformdirs import user_config_path

        folder = user_config_path("cashier_gui", appauthor=False)
    try:
        data = tomllib.loads((folder / "settings.toml").read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    language = data.get("language", "")
    return language if isinstance(language, str) and language in LANGUAGES else ""


def setup_logging(paths: Paths) -> None:
    """A rotating log file in the data folder, private to this user (0600 in a 0700 folder).
    Nothing secret is ever logged."""
    from cashier_gui.files import PrivateRotatingFileHandler

    try:
        paths.ensure_dirs()
        handler: logging.Handler = PrivateRotatingFileHandler(
            paths.logs / "cashier_gui.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def install_excepthook(parent: QWidget) -> None:
    """Unexpected errors: logged in full, shown as a short apology; the window stays."""
    # Imported here, not before the first paint: QMessageBox's Python type brings 46 enum
    # members (as in ui/window_actions.py and ui/printing.py).
    from PySide6.QtWidgets import QMessageBox

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(QApplication.translate("app", "Something went wrong"))
        box.setText(
            QApplication.translate(
                "app",
                "Something went wrong inside the app. Your refunds are safe in the journal.\n"
                "Reference for support: {reference}",
            ).format(reference=kind.__name__)
        )
        box.setModal(False)
        box.show()

    sys.excepthook = hook


def hold_collection_for_startup() -> None:
    """From the first line of start-up until the window is ready: no automatic garbage
    collection. Start-up allocates hundreds of thousands of objects that live as long as the
    app (modules, Qt wrappers, the runtime's clients); the collector walked them again and again,
    last in one full collection of 28–35 ms on the runtime's worker thread — holding the GIL,
    so the window waited too. `freeze_startup_objects` turns collection back on."""
    import gc

    gc.disable()


def freeze_startup_objects() -> None:
    """Once the app is up: move everything allocated so far (modules, Qt wrappers, the window)
    out of the garbage collector's reach, and collect automatically again (young objects only
    walk what came since). Otherwise a full collection walks them all — a measured 27 ms pause
    in the middle of a refund. Safe to call more than once. Forgets the source lines start-up
    read, too (`drop_source_lines`)."""
    import gc

    drop_source_lines()
    gc.freeze()
    gc.enable()


def drop_source_lines() -> None:
    """Empty Python's `linecache`. PySide6's `__feature__` import hook reads the source of every
    module that imports something (`inspect.getsource`: does it use PySide6?), and linecache
    keeps it for good — in training ≈ 25,000 lines, 1.9 MiB, that nothing reads again (a
    traceback reads its file afresh; a packaged app has no sources, so nothing is kept there).
    Called on the GUI thread before the runtime's imports and when the window is ready:
    −2 MiB resident after ten refunds (bench/memory.py, issue 22)."""
    import linecache

    linecache.clearcache()


#: At most this many blocking calls (journal, keyring, shop server, printer) run at once.
WORKER_THREADS = 10


def use_worker_threads_on_demand(loop: asyncio.AbstractEventLoop) -> None:
    """The event loop's default executor (asyncio.to_thread): a thread pool that starts a
    thread when a call finds none idle, up to WORKER_THREADS. qasync's own starts all ten of
    its QThreads at the first call: 10 idle threads with their stacks and malloc arenas, 1.5 MiB
    of resident memory (measured: peak 117.0 → 115.5 MiB in bench/memory.py) where a cashier's
    window needs two or three."""
    from concurrent.futures import ThreadPoolExecutor

    loop.set_default_executor(
        ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="worker")
    )


def default_runtime_factory(training: bool, provider: str) -> Any:
    from cashier_gui.doors import apply_seal
    from cashier_gui.runtime import open_runtime

    runtime = open_runtime(training=training, training_provider=provider)
    apply_seal(runtime)  # a policy no manager sealed: every cashier's refund asks one
    return runtime


def run(*, training: bool, provider: str = "viopay") -> int:
    """Show the window first; everything its first paint does not need comes after."""
    hold_collection_for_startup()
    app = make_application(icon=False)
    install_translators(app, configured_language())
    from cashier_gui.ui.main_window import MainWindow

    window = MainWindow(default_runtime_factory, training=training, provider=provider)
    window.show()
    app.processEvents()  # the first paint, before the heavier imports below
    set_window_icon(app)

    import asyncio

    import qasync

    from cashier_gui import __version__
    from cashier_gui.config import Paths

    app.setApplicationVersion(__version__)
    setup_logging(Paths.default())
    loop = qasync.QEventLoop(app)
    use_worker_threads_on_demand(loop)
    asyncio.set_event_loop(loop)
    install_excepthook(window)
    window.ready.connect(freeze_startup_objects)
    # A start that fails (no keyring, settings to fix) is never "ready": collect again anyway.
    QTimer.singleShot(START_COLLECTION_MS, freeze_startup_objects)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    drop_source_lines()  # what the imports so far left in linecache (before the runtime's)
    window.start()
    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(window.shutdown())
    return 0
