"""Screenshots of the real window under Xvfb (xcb platform, real fonts): kept as artifacts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support.env import xvfb_display

ROOT = Path(__file__).resolve().parents[2]
STATES = [
    "1-lookup",
    "2-charge-partial-kwd",
    "3-over-refund-refused",
    "4-confirm",
    "5-approved",
    "6-error-not-found",
    "7-declined",
    "8-unknown-with-banner",
    "9-not-refundable",
    "10-sending-countdown",
    "11-unknown-resolve-by-hand",
    "14-void-choice",
    "15-void-confirm",
    "16-settled-refund-instead",
    "17-approval-confirm",
    "19-sign-in-wrong-pin",
]


@pytest.mark.parametrize(
    ("scale", "language", "size"),
    [
        ("1", "en", "1024x768"),
        ("1", "de", "1024x768"),
        ("1.5", "en", "853x533"),  # 1280×800 at 150 %
        ("1.5", "de", "853x533"),
        ("2", "en", "1024x768"),
    ],
)
def test_screenshots_of_every_state(tmp_path: Path, scale: str, language: str, size: str) -> None:
    """Every state at 1024×768 and at 150 % on a 1280×800 screen, in English and in German
    (the German words are longer): every visible label and button lies inside the window and
    shows its whole text (font metrics against its size, tests/ui/screenshots.py `problems`);
    at 1024×768 nothing has to be scrolled; on the short 150 % screen the panel may scroll, but
    each step's actions are in sight without scrolling. Settings and People too."""
    folder = f"scale-{scale}-{size}" + ("" if language == "en" else f"-{language}")
    out = Path(os.environ.get("CASHIER_TEST_ARTIFACTS", tmp_path)) / "screenshots" / folder
    env = dict(
        os.environ,
        CASHIER_SCREENSHOT_LANGUAGE=language,
        DISPLAY=xvfb_display(),
        QT_QPA_PLATFORM="xcb",
        QT_SCALE_FACTOR=scale,
        CASHIER_SCREENSHOT_SIZE=size,
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
