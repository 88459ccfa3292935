"""The shop server from the command line: `shop init` creates or upgrades the shop's tables;
`setup shop --url … --counter NAME` joins this counter to the shop (`--off` leaves it).

psycopg is imported only when one of these runs, so other commands start as fast as before.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from cashier_gui.cli.common import EXIT_OK, EXIT_OTHER, Usage
from cashier_gui.cli.guard import door, seal_saved, who
from cashier_gui.config import ConfigError, Paths, ShopServerSettings, load_settings, save_settings
from cashier_gui.i18n import N_, _
from cashier_gui.operators import Operator


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


def cmd_setup_shop(args: argparse.Namespace) -> int:
    """Join this counter to the shop server (checked: it answers, its tables are there), or
    leave it with --off. The password is the keyring's `shop-password` (`secret set`)."""
    from dataclasses import replace

    from cashier_gui.doors import record, settings_changes

    manager = door(args, N_("join or leave the shop"))
    paths = Paths.default()
    settings = load_settings(paths)

    def saved(after: Any) -> None:  # as every manager's door: recorded, then sealed
        save_settings(paths, after)
        record(paths, who(manager), "setup shop", settings_changes(settings, after))
        seal_saved(paths, who(manager))

    if args.off:
        if settings.shop_server is None:
            print(_("This counter is not in a shop: nothing changed."))
            return EXIT_OK
        saved(replace(settings, shop_server=None))
        print(
            _(
                "This counter has left the shop server: it refunds on its own again. Its "
                "journal keeps every attempt it made and saw."
            )
        )
        return EXIT_OK
    if not args.url or not args.counter:
        raise Usage(
            _("Give the shop server's address and this counter's name: --url … --counter “Till 2”.")
        )
    from cashier_gui.shop import ShopInputError, parse_url

    try:
        target = parse_url(args.url, ca_file=args.ca_file)
        shop = ShopServerSettings(
            url=args.url,
            counter=args.counter.strip(),
            ca_file=args.ca_file,
            lease_seconds=args.lease_seconds,
        )
    except (ShopInputError, ConfigError) as exc:
        raise Usage(str(exc)) from None
    version = _check_first(settings.profile, shop)
    if version is None:
        return EXIT_OTHER
    saved(replace(settings, shop_server=shop))
    print(
        _("Saved: this counter is “{counter}” in the shop at {where}.").format(
            counter=shop.counter, where=target.where
        )
    )
    print(
        _("The shop server answers (its tables are at version {version}).").format(version=version)
    )
    return EXIT_OK


def _check_first(profile: str, shop: ShopServerSettings) -> int | None:
    """Reach the shop server as the counter will (keyring password, TLS) before joining it: the
    schema version, or None after saying what to fix. A counter that joined a server it cannot
    reach could not even store the server's password afterwards — every manager's door then
    asks the shop's people, on that server — so it stays on its own until the server answers."""
    from cashier_gui.secrets import SHOP_PASSWORD, KeyringUnavailable, SecretStore
    from cashier_gui.shop import ShopError, ShopServer

    try:
        password = SecretStore(profile).get(SHOP_PASSWORD)
        with ShopServer(shop.url, password=password, ca_file=shop.ca_file) as server:
            return server.check()
    except (ShopError, KeyringUnavailable) as exc:
        print(_("Nothing changed: this counter stays on its own. {problem}").format(problem=exc))
        print(
            _(
                "If the server wants a password, store it first with `cashier-refund secret set "
                "shop-password`; the shop's tables come from `cashier-refund shop init --url …` "
                "(once per shop). Then join again."
            )
        )
        return None


def cmd_shop_import(args: argparse.Namespace) -> int:
    """Move this counter into its shop: what this PC kept on its own goes to the shop server,
    under this counter's name, once (journal/shop_import.py says what and why). Progress on
    stderr, the summary on stdout; exit 1 when the server refused any (each named, with why)."""
    from cashier_gui.cli.output import err, print_json
    from cashier_gui.runtime import journal_home

    paths = Paths.default()
    settings = load_settings(paths)
    home = journal_home(paths, settings=settings)
    if home.shop is None:
        raise Usage(
            _(
                "This counter is not in a shop yet: join it first (cashier-refund setup shop "
                "--url … --counter NAME), then import."
            )
        )

    # First the people on this PC (issue 21, item 4): a name the server has already is a
    # question, never an overwrite.
    manager = _import_people(args, paths, settings)

    # Then the history.
    if not home.exists():
        print(_("There is no refund journal on this PC: nothing to import."))
        return EXIT_OK

    def progress(done: int, total: int) -> None:
        err(
            _("Uploading this counter's refund history: {done} of {total}").format(
                done=done, total=total
            )
        )

    summary = home.import_to_shop(progress)
    from cashier_gui.doors import record

    record(
        paths,
        who(manager),
        "shop import",
        {"added": str(summary.added), "already there": str(summary.already)},
    )
    if args.json:
        print_json(summary.to_json())
    else:
        print(
            _(
                "Imported into the shop as “{counter}”: {added} added, {already} already there, "
                "{skipped} skipped."
            ).format(
                counter=home.shop.counter,
                added=summary.added,
                already=summary.already,
                skipped=len(summary.skipped) + len(summary.refused),
            )
        )
        for attempt, why in [*summary.skipped, *summary.refused]:
            print(
                _("  skipped attempt {id} ({charge}): {why}").format(
                    id=attempt.id, charge=attempt.charge_id, why=why
                )
            )
    return EXIT_OTHER if summary.refused else EXIT_OK


def _import_people(args: argparse.Namespace, paths: Paths, settings: Any) -> Operator | None:
    """`shop import`'s first step: this PC's people to the shop (shop/people.py's
    `upload_people` says what happens to their PINs). Returns the manager who did it — checked
    on this PC when it has people (only a manager here moves them), and by the shop server when
    the shop has people of its own. None when neither has anyone (nobody to ask)."""
    from cashier_gui.cli.output import err
    from cashier_gui.cli.people import read_pin
    from cashier_gui.operators import OperatorError, OperatorStore
    from cashier_gui.policy import Approver, check_approver
    from cashier_gui.runtime import people_home
    from cashier_gui.shop.people import ShopPeople, upload_people

    what = N_("import this counter into the shop")
    local = OperatorStore(paths.operators)
    shop = people_home(paths, settings=settings)
    try:
        if not local.any() and not shop.any():
            return None
        if not args.manager:
            raise OperatorError(
                _("Only a manager can {what}: give --manager NAME (PIN on stdin).").format(
                    what=_(what)
                )
            )
        pin = read_pin(_("PIN for {name}: ").format(name=args.manager))
        if not local.any():  # nobody here to move: the shop's manager does the history
            manager = shop.verify(args.manager, pin)
            if check_approver(manager) is not Approver.OK:
                raise OperatorError(
                    _("{name} is not a manager: only a manager can {what}.").format(
                        name=manager.name, what=_(what)
                    )
                )
            return manager
        assert isinstance(shop, ShopPeople)
        done = upload_people(
            local, shop, manager=args.manager, manager_pin=pin, overwrite=args.replace or ()
        )
        manager = local.verify(args.manager, pin)
        for name in done.added:
            err(_("Person added to the shop: {name}").format(name=name))
        for name in done.replaced:
            err(_("Person replaced on the shop server with this PC's: {name}").format(name=name))
        for name in done.clashes:
            err(
                _(
                    "{name} is already on the shop server: left as the shop has them. Is it the "
                    "same person? Then nothing is to be done. Should this PC's {name} replace "
                    "them (with this PC's role, and no PIN until a manager sets one)? Then run "
                    'the import again with --replace "{name}".'
                ).format(name=name)
            )
        if done.without_pin:
            err(
                _(
                    "On the shop without a PIN yet (a PIN cannot be copied): {names}. They sign "
                    "in once a manager sets one: cashier-refund operator pin NAME --manager M."
                ).format(names=", ".join(done.without_pin))
            )
        return manager
    finally:
        shop.close()
        local.close()


def add_setup_shop_parser(setupsub: Any) -> None:
    """`setup shop` beside `setup viopay` and `setup poynt`."""
    s3 = setupsub.add_parser(
        "shop", help="join this counter to the shop server all counters share (or --off)"
    )
    s3.add_argument("--url", help="postgresql://USER@HOST:PORT/DATABASE (no password in it)")
    s3.add_argument("--counter", help="this counter's name in the shop, e.g. “Till 2”")
    s3.add_argument(
        "--ca-file",
        help="a CA file to trust for the server's TLS certificate (default: the system's)",
    )
    s3.add_argument(
        "--lease-seconds",
        type=int,
        default=60,
        help="how long the shop waits for a silent counter before its refunds in flight "
        "count as unknown (default: %(default)s)",
    )
    s3.add_argument("--off", action="store_true", help="leave the shop: refund on its own again")
    s3.add_argument("--manager", metavar="NAME", help="the manager doing it (PIN on stdin first)")
    s3.set_defaults(func=cmd_setup_shop)


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
    imp = shopsub.add_parser(
        "import",
        help="upload this PC's refund history to the shop server it joined (running it again "
        "adds nothing)",
    )
    imp.add_argument("--manager", metavar="NAME", help="the manager doing it (PIN on stdin first)")
    imp.add_argument(
        "--replace",
        metavar="NAME",
        action="append",
        help="a person already on the shop server whom this PC's person of that name replaces "
        "(asked by the first run; repeat for several)",
    )
    imp.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    imp.set_defaults(func=cmd_shop_import)
