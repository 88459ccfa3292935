"""Where the app's resources (stylesheet, icons, fonts, catalogues) are.

The source is the top-level `resources/` folder; pyproject.toml maps it to the package
`cashier_gui.assets`, so one lookup, `importlib.resources.files("cashier_gui.assets")`, finds
it in the tree (the editable install's finder), in a wheel or sdist install and in the
PyInstaller bundle (packaging/cashier_gui.spec ships it under that name)."""

from __future__ import annotations

import importlib
from pathlib import Path

PACKAGE = "cashier_gui.assets"

#: The body text's least size (style.qss's 1em): 15 px at 96 dpi, the size the screens are laid
#: out for; a larger system font makes it larger (cashier_gui.app.style_sheet).
BODY_MIN_PT = 11.25


def resources_dir() -> Path:
    # The folder of the package's __init__ is what importlib.resources.files() gives for a
    # package on the file system (tree, wheel, PyInstaller's _internal/cashier_gui/assets);
    # importing importlib.resources costs ≈ 13 M instructions before the first paint, so it is
    # asked only when that folder is not there.
    init = getattr(importlib.import_module(PACKAGE), "__file__", None)
    if init and (folder := Path(init).parent).is_dir():
        return folder
    from importlib.resources import files

    root = files(PACKAGE)
    if not isinstance(root, Path):  # e.g. a zipped install: Qt and gettext need real files
        raise RuntimeError(f"{PACKAGE} is not on the file system ({root!r})")
    return root


def resource(name: str) -> Path:
    return resources_dir() / name
