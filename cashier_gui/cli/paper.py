"""`cashier-refund receipt` and `cashier-refund report`: paper from the command line.

    cashier-refund receipt 42 [--pdf FILE | --escpos FILE | --print] [--training]
    cashier-refund report [--day YYYY-MM-DD] [--operator NAME] [--counter NAME]
                          [--pdf FILE | --csv FILE | --json | --print] [--training]

On a counter in a shop the report is the shop's, from any of its counters: the day's attempts
of every counter (or `--counter`'s) are read from the shop server first, and totals per counter
follow. When the server cannot be read it is printed from this PC's copy under NOT THE SHOP'S
FIGURES, and the command exits 1.

Without an output option both print their text to standard output. `--print` sends to the
receipt printer set in `[printer]` (ESC/POS kinds; a system printer is the window's). Exit 2
with a sentence for bad input (no such attempt, a bad date, an unwritable file). Every file is
written through `files.open_output`: 0600, and a link or one of the app's own files (settings,
journal, operators, logs) is refused with exit 1, nothing changed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cashier_gui import zones
from cashier_gui.cli.common import EXIT_OK, EXIT_OTHER, Usage
from cashier_gui.cli.output import err, print_json
from cashier_gui.config import Paths, Settings, load_settings
from cashier_gui.errors import UserFacing
from cashier_gui.files import write_output
from cashier_gui.i18n import N_, _
from cashier_gui.journal import JournalError, JournalReader
from cashier_gui.paper.layout import Line
from cashier_gui.runtime import JournalHome, journal_home

#: Writes paper lines to a PDF (lines, target, width). Qt draws PDFs, and the Qt-free core does
#: not import Qt: the `cashier-refund` entry point (`cashier_gui.__main__.refund_main`) hands
#: one to `cli.main(argv, pdf_writer=…)` (it loads `cashier_gui.ui.pdf` only when a PDF is
#: asked for); without one, `--pdf` says why not.
PdfWriter = Callable[[Sequence[Line], Path, int], None]


def _open_journal(
    paths: Paths, training: bool, home: JournalHome | None = None
) -> contextlib.closing[JournalReader]:
    home = home or journal_home(paths, training=training)
    if not home.exists():
        raise Usage(
            _("There is no refund journal at {path} yet: nothing has been refunded here.").format(
                path=home.where()
            )
        )
    return contextlib.closing(home.reader())


#: One whole sentence per kind of paper (a translator sees each as it is printed).
WROTE = {"receipt": N_("Wrote the receipt to {path}"), "report": N_("Wrote the report to {path}")}
PRINTED = {
    "receipt": N_("Printed the receipt on {target}"),
    "report": N_("Printed the report on {target}"),
}


def _output(
    args: argparse.Namespace,
    lines: list[Line],
    width: int,
    kind: str,
    pdf_writer: PdfWriter | None,
) -> None:
    settings = load_settings(Paths.default())
    if args.pdf:
        if pdf_writer is None:
            raise Usage(
                _(
                    "PDF needs the app's drawing part, which this way of starting it leaves "
                    "out: run the installed cashier-refund command."
                )
            )
        pdf_writer(lines, _writable(args.pdf), width)
        print(_(WROTE[kind]).format(path=args.pdf))
    elif getattr(args, "escpos", None):
        from cashier_gui.paper.escpos import escpos_bytes

        data = escpos_bytes(lines)
        try:
            # 0600, no link, never one of the app's own files
            write_output(_writable(args.escpos), data, own=Paths.default().own_files())
        except OSError as exc:
            raise Usage(
                _("Could not write {path}: {problem}").format(path=args.escpos, problem=exc)
            ) from None
        print(
            _("Wrote {count} bytes for a receipt printer to {path}").format(
                count=len(data), path=args.escpos
            )
        )
    elif args.print:
        from cashier_gui.paper.escpos import print_lines

        printer = settings.paper.printer
        if not printer.kind.startswith("escpos-"):
            raise Usage(
                _(
                    "No receipt printer is set up for the command line: set [printer] kind to "
                    "escpos-network, escpos-usb or escpos-file (a system printer prints from "
                    "the window), or use --pdf."
                )
            )
        print_lines(lines, printer)
        print(_(PRINTED[kind]).format(target=printer.target))
    else:
        for line in lines:
            print(line.text.center(width).rstrip() if line.center else line.text)


def _writable(name: str) -> Path:
    path = Path(name)
    if not path.parent.is_dir():
        raise Usage(
            _("The folder {folder} does not exist: choose another place.").format(
                folder=path.parent
            )
        )
    return path


def cmd_receipt(args: argparse.Namespace, pdf_writer: PdfWriter | None = None) -> int:
    from cashier_gui.paper.receipt import receipt_lines

    paths = Paths.default()
    settings = load_settings(paths)
    width = args.width or settings.paper.printer.width
    with _open_journal(paths, args.training) as journal:
        try:
            attempt = journal.find(str(args.attempt))
        except JournalError:
            raise Usage(
                _(
                    "There is no refund attempt {id}: `cashier-refund journal list` shows them."
                ).format(id=args.attempt)
            ) from None
    lines = receipt_lines(attempt, settings.paper.shop, width, settings.locale)
    _output(args, lines, width, "receipt", pdf_writer)
    return EXIT_OK


def _day(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Usage(
            _("--day takes a date as YYYY-MM-DD (e.g. 2026-11-23), not “{text}”.").format(text=text)
        ) from None


def cmd_report(args: argparse.Namespace, pdf_writer: PdfWriter | None = None) -> int:
    from cashier_gui.paper.report import build_report, day_bounds
    from cashier_gui.refunds.outside import FindingsFile

    paths = Paths.default()
    settings = load_settings(paths)
    width = args.width or settings.paper.printer.width
    home = journal_home(paths, training=args.training, settings=settings)
    _follow_policy(home, paths, settings)
    day = _day(args.day) if args.day is not None else zones.today()
    since, until = day_bounds(day, zones.shown_zone())  # the shop's day, not TZ's
    outside = [] if args.training else FindingsFile(paths.data_dir).for_report(since, until)
    problem = _read_shop(home, since, until, args.counter)
    if problem is not None and not home.exists():
        raise ShopNotRead(
            _(
                "The shop server could not be read ({problem}), and this PC holds no refunds "
                "of its own: there is no report to print. Try again once it answers."
            ).format(problem=problem)
        )
    with _open_journal(paths, args.training, home) as journal:
        report = build_report(
            journal,
            since=since,
            until=until,
            operator=args.operator,
            counter=args.counter,
            title=_("End-of-shift report {day}").format(day=day.isoformat()),
            training=args.training,
            outside=outside,
            shop=home.shop is not None,
            shop_problem=problem,
        )
    if args.json:
        print_json(report.to_json())
    elif args.csv:
        try:
            rows = report.write_csv(_writable(args.csv))
        except OSError as exc:
            raise Usage(
                _("Could not write {path}: {problem}").format(path=args.csv, problem=exc)
            ) from None
        print(_("Wrote {count} rows to {path}").format(count=rows, path=args.csv))
    else:
        _output(args, report.lines(width, settings.locale), width, "report", pdf_writer)
    if problem is not None:
        err(
            _(
                "The shop server could not be read ({problem}): this report holds only what "
                "this PC had kept, and says so."
            ).format(problem=problem)
        )
        return EXIT_OTHER
    return EXIT_OK


class ShopNotRead(UserFacing):
    """A shop's report without its server and without a journal here: nothing to show (exit 1)."""


def _follow_policy(home: JournalHome, paths: Paths, settings: Settings) -> None:
    """The report's day and times in the shop's zone (zones.py): in a shop, the zone of the
    server's policy; where that cannot be read, this PC's settings' (the report then says the
    server was not read)."""
    from cashier_gui.policy import PolicyUnavailable

    policy = settings.policy
    if home.shop is not None:
        source = home.policy(paths, settings)
        try:
            policy = source.current()
        except PolicyUnavailable:
            pass
        finally:
            source.close()
    zones.follow(policy.zone)


def _read_shop(home: JournalHome, since: str, until: str, counter: str | None) -> str | None:
    """In a shop: the period's attempts of every counter (or `counter`'s) from the shop server
    into this PC's replica. Why it could not be read, or None (also without a shop)."""
    if home.shop is None:
        return None
    from cashier_gui.shop import ShopError
    from cashier_gui.shop.errors import why_unread

    try:
        home.read_shop_period(since, until, counter)
    except ShopError as exc:
        return why_unread(exc)
    return None


def add_paper_parsers(sub: Any, pdf_writer: PdfWriter | None = None) -> None:
    rc = sub.add_parser("receipt", help="a refund attempt's receipt (text, PDF or ESC/POS)")
    rc.add_argument("attempt", type=int, help="the refund attempt's number (journal list)")
    out = rc.add_mutually_exclusive_group()
    out.add_argument("--pdf", metavar="FILE", help="write the receipt as a PDF")
    out.add_argument("--escpos", metavar="FILE", help="write the receipt printer's raw bytes")
    out.add_argument(
        "--print", action="store_true", help="print on the receipt printer set in [printer]"
    )
    _common(rc)
    rc.set_defaults(func=functools.partial(cmd_receipt, pdf_writer=pdf_writer))

    rp = sub.add_parser("report", help="the end-of-shift report for a day")
    rp.add_argument(
        "--day",
        metavar="YYYY-MM-DD",
        help="the shop's day (its policy's time zone; default: today)",
    )
    rp.add_argument(
        "--operator",
        metavar="NAME",
        help="only what this person made or approved (a shop: at any counter)",
    )
    rp.add_argument(
        "--counter",
        metavar="NAME",
        help="only this counter's (a shop: every counter's by default, read from its server)",
    )
    out = rp.add_mutually_exclusive_group()
    out.add_argument("--pdf", metavar="FILE", help="write the report as a PDF")
    out.add_argument("--csv", metavar="FILE", help="write the report's figures as CSV")
    out.add_argument("--json", action="store_true", help="print the report as one JSON object")
    out.add_argument(
        "--print", action="store_true", help="print on the receipt printer set in [printer]"
    )
    _common(rp)
    rp.set_defaults(func=functools.partial(cmd_report, pdf_writer=pdf_writer))


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--width",
        type=int,
        choices=(32, 42, 48),
        help="characters per line (default: the printer's width setting, 42)",
    )
    p.add_argument(
        "--training", action="store_true", help="from the training journal (practice refunds)"
    )
