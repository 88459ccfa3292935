"""`python -m cashier_gui.cli`: the command line without the window's PDF drawing (the Qt-free
core alone; the installed `cashier-refund` is `cashier_gui.__main__.refund_main`)."""

from cashier_gui.cli.parser import main

if __name__ == "__main__":
    raise SystemExit(main())
