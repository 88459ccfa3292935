import sys

from cashier_gui.__main__ import main

sys.exit(main())
