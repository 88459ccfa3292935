"""cashier_gui — refund card payments at the shop counter (Viopay POS API, Poynt POS Bridge)."""

from __future__ import annotations

APP_NAME = "Cashier Refunds"


def __getattr__(name: str) -> str:
    # The version is defined once, in pyproject.toml, and read from the installed metadata —
    # lazily, because importlib.metadata costs ≈ 30 ms that the first paint does not need.
    if name == "__version__":
        value = _installed_version()
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'cashier_gui' has no attribute {name!r}")


def _installed_version() -> str:
    """The `Version:` of the first cashier_gui-*.dist-info on sys.path — the file
    importlib.metadata.version reads, without importing it (0.5 MiB resident for good in a
    training window: its modules and the caches of its search). Anything else (a zip on the
    path, an .egg-info, a name spelled otherwise) is left to importlib.metadata."""
    import os
    import sys

    for entry in sys.path:
        folder = entry or "."
        try:
            names = os.listdir(folder)
        except OSError:  # a zip file, a folder that is gone
            continue
        for name in names:
            if name.startswith("cashier_gui-") and name.endswith(".dist-info"):
                try:
                    with open(os.path.join(folder, name, "METADATA"), encoding="utf-8") as fh:
                        for line in fh:
                            if not line.strip():
                                break  # the headers end here
                            if line.startswith("Version:"):
                                return line.split(":", 1)[1].strip()
                except OSError:
                    pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cashier_gui")
    except PackageNotFoundError:  # a tree that was never installed
        return "0+unknown"
