"""`cashier-refund shop init`: create or upgrade the shop server's tables (issue 20).

psycopg is imported only when the command runs, so other commands start as fast as before.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from cashier_gui.cli.common import EXIT_OK, Usage
from cashier_gui.i18n import _


def _password(args: argparse.Namespace) -> str | None:
    """From stdin only (never argv): one line, or typed without echo at a terminal."""
    if not args.password_stdin:
        return None
    if sys.stdin.isatty():
        return getpass.getpass(_("Password of the shop server's user: "))
    return sys.stdin.readline().rstrip("\r\n") or None


def cmd_shop_init(args: argparse.Namespace) -> int:
    from cashier_gui.shop import ShopInputError, init_shop, parse_url

    try:
        target = parse_url(args.url, ca_file=args.ca_file)
    except ShopInputError as exc:
        raise Usage(str(exc)) from None
    result = init_shop(target, _password(args))
    if not result.applied:
        print(
            _("Shop server {where}: already at version {version}; nothing changed.").format(
                where=target.where, version=result.after
            )
        )
    elif result.before == 0:
        print(
            _("Shop server {where}: tables created (version {version}).").format(
                where=target.where, version=result.after
            )
        )
    else:
        print(
            _("Shop server {where}: upgraded from version {old} to {new}.").format(
                where=target.where, old=result.before, new=result.after
            )
        )
    if result.advice:
        print(
            _("Recommended server settings (for its administrator; then SELECT pg_reload_conf();):")
        )
        for a in result.advice:
            print(
                _("  {name} is {current}, should be {good}: {why}").format(
                    name=a.name, current=a.current, good=a.recommended, why=_(a.why)
                )
            )
            print(f"    {a.fix}")
    return EXIT_OK


def add_shop_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    shop = sub.add_parser("shop", help="the shop server all counters share (PostgreSQL)")
    shopsub = shop.add_subparsers(dest="action", required=True, parser_class=parser_class)
    init = shopsub.add_parser(
        "init", help="create or upgrade the shop server's tables (running it again changes nothing)"
    )
    init.add_argument(
        "--url", required=True, help="postgresql://USER@HOST:PORT/DATABASE (no password in it)"
    )
    init.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the user's password from stdin (never give it as an argument)",
    )
    init.add_argument(
        "--ca-file",
        help="a CA file to trust for the server's TLS certificate (default: the system's)",
    )
    init.set_defaults(func=cmd_shop_init)
