"""cashier_gui — refund card payments at the shop counter (Viopay POS API, Poynt POS Bridge)."""

from __future__ import annotations

APP_NAME = "Cashier Refunds"


def __getattr__(name: str) -> str:
    # The version is defined once, in pyproject.toml, and read from the installed metadata —
    # lazily, because importlib.metadata costs ≈ 30 ms that the first paint does not need.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("cashier_gui")
        except PackageNotFoundError:  # a tree that was never installed
            value = "0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'cashier_gui' has no attribute {name!r}")
