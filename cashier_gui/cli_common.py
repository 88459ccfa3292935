"""What every `cashier-refund` command shares: exit codes, the usage error, JSON and error
output. (cli.py builds the parser; cli_people.py, cli_paper.py and cli_admin.py add commands.)"""

from __future__ import annotations

import json
import sys
from typing import Any

from cashier_gui.errors import UserFacing

EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_REFUSED, EXIT_UNKNOWN, EXIT_NOT_SENT = 0, 1, 2, 3, 4, 5


class Usage(UserFacing):
    """Bad input: exit 2, nothing sent."""


def print_json(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")


def err(text: str) -> None:
    sys.stderr.write(text.rstrip() + "\n")
