"""The window's open runtime, for tests that waited for it (`MainWindow.runtime` is None until
the window has started)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cashier_gui.runtime import Runtime
    from cashier_gui.ui.main_window import MainWindow


def rt(window: MainWindow) -> Runtime:
    runtime = window.runtime
    assert runtime is not None, "the window has not started (wait for `ready`)"
    return runtime
