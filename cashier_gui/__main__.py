"""`cashier-gui` / `python -m cashier_gui`: the counter window.

Kept light: argument parsing and the first paint come before the heavy imports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from cashier_gui import APP_NAME

    parser = argparse.ArgumentParser(prog="cashier-gui", description=APP_NAME)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--training",
        action="store_true",
        help="practise with the built-in simulator: no money moves",
    )
    parser.add_argument(
        "--provider",
        choices=("viopay", "poynt"),
        default="viopay",
        help="which back end training mode simulates",
    )
    parser.add_argument(
        "--self-test", action="store_true", help="check the installation and exit 0 (all good) or 1"
    )
    args = parser.parse_args(argv)
    if args.version:
        from cashier_gui import __version__

        print(f"cashier-gui {__version__}")
        return 0
    if args.self_test:
        from cashier_gui.selftest import run_self_test
        from cashier_gui.ui.selfcheck import CHECKS

        return run_self_test(CHECKS)
    from cashier_gui.ui.qt_features import skip_feature_scan

    skip_feature_scan()  # before the window's modules import PySide6
    from cashier_gui.app import run

    return run(training=args.training, provider=args.provider)


def refund_main(argv: Sequence[str] | None = None) -> int:
    """`cashier-refund`: the command line, with the window's PDF drawing handed in (loaded
    only when a command writes a PDF — the rest never imports Qt)."""
    from pathlib import Path

    from cashier_gui.cli import main as cli_main
    from cashier_gui.paper.layout import Line

    def write_pdf(lines: Sequence[Line], target: Path, width: int) -> None:
        from cashier_gui.ui.pdf import write_pdf as draw

        draw(lines, target, width)

    return cli_main(argv, pdf_writer=write_pdf)


if __name__ == "__main__":
    sys.exit(main())
