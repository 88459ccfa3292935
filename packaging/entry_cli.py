import sys

from cashier_gui.cli import main

sys.exit(main())
