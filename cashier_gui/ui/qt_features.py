"""PySide6's scan for `from __feature__ import …`, switched off before the window's modules
import PySide6: `cashier_gui.__main__` calls it first; `cashier_gui.app` again, for the other
ways in: tests, the self-check."""

from __future__ import annotations

import sys


def skip_feature_scan() -> None:
    """PySide6 reads the source of every module that imports from it (`inspect.getsource`,
    tokenized) to see whether it says `from __feature__ import …` — ≈ 0.3 ms a module, more for
    a long one, repeated for each of its PySide6 imports. None of ours does: treat every module
    as a PyInstaller build does (it has no sources to read, so each is "ignored", -1). A PySide6
    without this internal is left as is. Safe to call more than once."""
    import shiboken6  # noqa: F401  (its support package, shibokensupport.feature, loads with it)

    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", lambda module: False)  # noqa: B010
