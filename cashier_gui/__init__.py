"""cashier_gui — refund card payments at the shop counter (Viopay POS API, Poynt POS Bridge)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cashier_gui")
except PackageNotFoundError:  # running from a tree that was never installed
    __version__ = "0+unknown"

APP_NAME = "Cashier Refunds"
