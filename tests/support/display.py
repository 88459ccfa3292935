"""The Xvfb display scripts/test starts for tests that need a real X server."""

from __future__ import annotations

import os

import pytest


def xvfb_display() -> str:
    shown = os.environ.get("CASHIER_TEST_XVFB_DISPLAY")
    if not shown:
        if os.environ.get("CI"):
            pytest.fail("CI must run the X11 tests under Xvfb: use scripts/test")
        pytest.skip("no Xvfb display (run through scripts/test)")
    return shown
