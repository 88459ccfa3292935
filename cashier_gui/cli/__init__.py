"""`cashier-refund`: the command line of the counter app (a contract: keep names and flags).

Exit codes (common.py), truthful about what left the machine: 0 approved (lookup: found;
reconcile: nothing left unknown); 2 bad input or usage, nothing sent; 3 declined or refused by
the server; 4 pending, or unknown — it MAY have been sent (never used when nothing was sent);
5 not sent: nothing reached the server (or the refund was cancelled before it left), safe to
try again; 1 anything else (a lookup that failed before any refund: nothing was refunded);
6 `reconcile` found a refund made outside this app that no manager acknowledged yet (it wins
over 4). `journal verify` exits 1 for tampering and for attempts under unsealed settings.
`--json` prints exactly one JSON object on stdout.

`CASHIER_GUI_HOME=DIR` puts config and data under DIR; the keyring backend follows keyring's
own `PYTHON_KEYRING_BACKEND`.

The rooms: parser.py (every command's parser, `main`), common.py (exit codes, the usage error,
the language), output.py (charges and attempts as words or JSON), refund.py (lookup, refund,
void, reconcile, resolve), people.py (operators, signing in), admin.py (sim, setup, secret,
journal, doctor, pair), paper.py (receipt, report).
"""

from cashier_gui.cli.parser import build_parser, main

__all__ = ["build_parser", "main"]
