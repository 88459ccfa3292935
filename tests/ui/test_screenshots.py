"""Screenshots of the real window under Xvfb (xcb platform, real fonts): kept as artifacts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
STATES = [
    "1-lookup",
    "2-charge-partial-kwd",
    "3-over-refund-refused",
    "4-confirm",
    "5-approved",
    "6-error-not-found",
    "7-declined",
    "7-pending",
    "8-unknown-with-banner",
    "9-not-refundable",
    "10-sending-countdown",
    "11-unknown-resolve-by-hand",
    "13-checked-status-message",
    "14-void-choice",
    "15-void-confirm",
    "16-settled-refund-instead",
    "17-approval-confirm",
    "19-sign-in-wrong-pin",
]


#: (scale, language, the counter's screen in device pixels). The window fills the screen:
#: its size in Qt's pixels is the screen's divided by the scale (1024×768 at 150 %: 682×512).
#: The last three: a system text size of 13 pt (the body's least is 11.25 pt): every text is
#: larger, the panel goes one column sooner and scrolls with its actions in sight.
SCREENS = [
    (scale, language, screen, "")
    for screen in ("1024x768", "1280x800")
    for scale in ("1", "1.25", "1.5")
    for language in ("en", "de")
] + [("2", "en", "2048x1536", ""), ("1", "en", "1024x768", "13"), ("1", "de", "1024x768", "13")]


@pytest.fixture
def counter_screen(request: pytest.FixtureRequest) -> Iterator[str]:
    """An X server of exactly the counter's screen size (Xvfb): dialogs must fit on it."""
    size = request.param
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as f:
            number = f.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb for the counter's screen")
@pytest.mark.parametrize(
    ("scale", "language", "counter_screen", "font_pt"), SCREENS, indirect=["counter_screen"]
)
def test_screenshots_of_every_state(
    tmp_path: Path,
    scale: str,
    language: str,
    counter_screen: str,
    font_pt: str,
    request: pytest.FixtureRequest,
) -> None:
    """Every state on a 1024×768 and a 1280×800 screen at 100, 125 and 150 %, in English and
    in German (the German words are longer): every visible label and button lies inside its
    window and shows its whole text (font metrics against its size, tests/ui/screenshots.py
    `problems`); every dialog (Resolve by hand, People, Settings' every tab, History with its
    details pane) lies on the screen, History's columns show their values; at 1024×768 and
    more nothing has to be scrolled; on a shorter window the panel may scroll, but each step's
    actions are in sight without scrolling (so too with a 13 pt system font at 1024×768)."""
    screen = request.node.callspec.params["counter_screen"]
    physical = [int(x) for x in screen.split("x")]
    size = "x".join(str(int(x / float(scale))) for x in physical)
    folder = f"scale-{scale}-{screen}" + ("" if language == "en" else f"-{language}")
    folder += f"-font-{font_pt}pt" if font_pt else ""
    out = Path(os.environ.get("CASHIER_TEST_ARTIFACTS", tmp_path)) / "screenshots" / folder
    env = dict(
        os.environ,
        CASHIER_SCREENSHOT_LANGUAGE=language,
        DISPLAY=counter_screen,
        QT_QPA_PLATFORM="xcb",
        QT_SCALE_FACTOR=scale,
        CASHIER_SCREENSHOT_SIZE=size,
        CASHIER_SCREENSHOT_FONT_PT=font_pt,
        CASHIER_GUI_HOME=str(tmp_path / "home"),
        PYTHONPATH=str(ROOT),
    )
    r = subprocess.run(
        [sys.executable, "-m", "tests.ui.screenshots", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"language {language}" in r.stdout
    assert "clipped:" not in r.stdout, r.stdout
    print(f"\nscreenshots: {out}")
    for state in STATES:
        image = QImage(str(out / f"{state}.png"))
        assert not image.isNull(), state
        width, height = (int(x) for x in size.split("x"))
        expected = (round(width * float(scale)), round(height * float(scale)))
        assert abs(image.width() - expected[0]) <= 1, state
        assert abs(image.height() - expected[1]) <= 1, state
        # Not blank: a real window has many colours.
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 37)
        }
        assert len(colours) > 8, state
    dialog = QImage(str(out / "12-resolve-dialog.png"))
    assert not dialog.isNull() and dialog.width() >= 560 * float(scale)
