"""The one base of every error a person at the counter may read.

Three kinds of failure, as Electrum splits them:
- cancelled by the person (asyncio.CancelledError, "Cancelled: nothing was refunded"): silent
  or a plain word;
- `UserFacing`: `str(exc)` is a finished sentence for the cashier (what happened, what to do) —
  gateway errors, money input, settings, keyring, journal, operators, command-line usage;
- anything else is a bug: logged, and shown as a short apology with no internals.

The window routes errors in `ui/ops.py`, the command line in `cli.main`; both ask only
`isinstance(exc, UserFacing)`.
"""

from __future__ import annotations


class UserFacing(Exception):
    """An error whose `str()` is written for the person at the counter."""
