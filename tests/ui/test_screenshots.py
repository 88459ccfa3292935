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


@pytest.mark.parametrize(("scale", "language"), [("1", "en"), ("2", "en"), ("1", "de")])
def test_screenshots_of_every_state(tmp_path: Path, scale: str, language: str) -> None:
    """Every state at 1024×768 (and 2×), in English and in German: no button outside the
    window in any of them — the German words are longer."""
    folder = f"scale-{scale}" + ("" if language == "en" else f"-{language}")
    out = Path(os.environ.get("CASHIER_TEST_ARTIFACTS", tmp_path)) / "screenshots" / folder
    env = dict(
        os.environ,
        CASHIER_SCREENSHOT_LANGUAGE=language,
        DISPLAY=xvfb_display(),
        QT_QPA_PLATFORM="xcb",
        QT_SCALE_FACTOR=scale,
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
        assert (image.width(), image.height()) == (1024 * int(scale), 768 * int(scale)), state
        # Not blank: a real window has many colours.
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 37)
        }
        assert len(colours) > 8, state
    dialog = QImage(str(out / "12-resolve-dialog.png"))
    assert not dialog.isNull() and dialog.width() >= 560 * int(scale)
