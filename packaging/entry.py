"""The packaged program: the command line when started as `cashier-refund`, else the window."""

import sys
from pathlib import Path

if Path(sys.argv[0]).stem == "cashier-refund":
    from cashier_gui.__main__ import refund_main as main
else:
    from cashier_gui.__main__ import main

sys.exit(main())
