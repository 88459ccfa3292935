"""`cashier-refund`: the parser of every command, and `main`, which runs one and turns what it
raised into an exit code and a sentence (or one JSON object with `--json`).

Each command's module adds its own parsers: refund.py (lookup, refund, void, reconcile,
resolve), people.py (operator), admin.py (sim, setup, secret, journal, doctor, pair) and
paper.py (receipt, report). The exit codes are in common.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from cashier_gui import __version__
from cashier_gui.cli.admin import add_admin_parsers
from cashier_gui.cli.common import EXIT_INPUT, EXIT_OTHER, exit_code_for, speak_configured_language
from cashier_gui.cli.output import attempt_json, err, print_json
from cashier_gui.cli.paper import PdfWriter, add_paper_parsers
from cashier_gui.cli.people import add_operator_parser
from cashier_gui.cli.refund import add_reconcile_parsers, add_refund_parsers
from cashier_gui.errors import UserFacing
from cashier_gui.gateways.base import GatewayError, NotSent, OutcomeUnknown
from cashier_gui.i18n import _
from cashier_gui.safetext import printable


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        err(f"{self.prog}: {message}")
        raise SystemExit(EXIT_INPUT)


def build_parser(pdf_writer: PdfWriter | None = None) -> argparse.ArgumentParser:
    """Every command; `pdf_writer` draws the PDFs of `receipt`/`report --pdf` (without it,
    they say that this way of starting leaves PDF drawing out)."""
    p = _Parser(prog="cashier-refund", description="Refund card payments from the counter.")
    p.add_argument("--version", action="version", version=f"cashier-refund {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_refund_parsers(sub)
    add_operator_parser(sub, _Parser)
    add_reconcile_parsers(sub)
    add_admin_parsers(sub, _Parser)
    add_paper_parsers(sub, pdf_writer)
    return p


def main(argv: Sequence[str] | None = None, *, pdf_writer: PdfWriter | None = None) -> int:
    """Run one command: its exit code (common.py says what each means)."""
    speak_configured_language()
    args = build_parser(pdf_writer).parse_args(argv)
    json_mode = bool(getattr(args, "json", False))
    try:
        code: int = args.func(args)
        return code
    except UserFacing as exc:
        code = exit_code_for(exc)
        if json_mode:
            payload: dict[str, Any] = {"status": "error", "error": {"message": str(exc)}}
            blocking = getattr(exc, "blocking", None)
            if blocking is not None:  # which counter, when, how much (a shop)
                payload["blocked_by"] = attempt_json(blocking)
            if isinstance(exc, GatewayError):
                payload["error"] = exc.as_dict()
                payload["status"] = (
                    "unknown"
                    if isinstance(exc, OutcomeUnknown)
                    else "not_sent"
                    if isinstance(exc, NotSent)
                    else "refused"
                )
            print_json(payload)
        else:
            err(printable(str(exc), 600))
            if isinstance(exc, GatewayError) and exc.trace_id:
                err(_("Trace ID: {trace}").format(trace=printable(exc.trace_id, 100)))
        return code
    except KeyboardInterrupt:
        err(_("Interrupted."))
        return EXIT_OTHER
