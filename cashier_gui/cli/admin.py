"""Setting up and looking after a counter from the command line: `sim`, `setup`, `secret`,
`journal`, `doctor`, `pair` and `policy` (and `shop`, from cli/shop.py).

Once people exist, `setup`, `secret set|delete`, `pair` and `policy seal` are a manager's doors
(`--manager NAME`, PIN on stdin first, as the window asks); each is recorded in the counter's
changes log (doors.py), and a save seals the policy and endpoint."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
from typing import Any

from cashier_gui.cli.common import EXIT_OK, EXIT_OTHER, Usage
from cashier_gui.cli.guard import door as _door
from cashier_gui.cli.guard import door_pin
from cashier_gui.cli.guard import seal_saved as _seal
from cashier_gui.cli.guard import who as _who
from cashier_gui.cli.output import attempt_json, err, print_json
from cashier_gui.cli.shop import add_setup_shop_parser, add_shop_parser
from cashier_gui.config import (
    Paths,
    PoyntSettings,
    ViopaySettings,
    load_settings,
    save_settings,
)
from cashier_gui.i18n import N_, _
from cashier_gui.journal import State
from cashier_gui.protocol.viopay import key_check_value, parse_msk
from cashier_gui.runtime import open_reader
from cashier_gui.secrets import MSK, NAMES, PAIRING_CODE, SecretStore


def cmd_sim(args: argparse.Namespace) -> int:
    from cashier_gui.simulators.server import serve_forever

    if args.provider == "viopay":
        from cashier_gui.simulators import viopay as vsim

        secret = os.environ.get("VIOPAY_SIM_HMAC_SECRET") or ""
        msk_hex = os.environ.get("VIOPAY_SIM_MSK") or ""
        if msk_hex:
            try:
                msk = parse_msk(msk_hex)
            except ValueError as exc:
                raise Usage(_("VIOPAY_SIM_MSK: {exc}").format(exc=exc)) from None
        else:
            msk = bytes.fromhex(vsim.TRAINING_MSK_HEX)
        charges = None
        if args.charges:
            try:
                charges = vsim.load_charges(args.charges)
            except (OSError, ValueError) as exc:
                raise Usage(str(exc)) from None
        sim = vsim.ViopaySimulator(
            hmac_secret=secret or vsim.TRAINING_HMAC_SECRET,
            msk=msk,
            key_id=args.key_id,
            terminal_id=args.terminal_id,
            charges=charges,
        )
        sim.faults.delay_ms = args.delay_ms
        for kind in args.fault or []:
            sim.faults.push(kind, 1_000_000 if args.fault_always else 1)
        print(
            _("Viopay simulator — terminal {terminal_id}, key ID {key_id}").format(
                terminal_id=args.terminal_id, key_id=args.key_id
            )
        )
        if not secret:
            print(_("  HMAC secret (training): {secret}").format(secret=vsim.TRAINING_HMAC_SECRET))
        if not msk_hex:
            print(_("  MSK (training): {msk}").format(msk=vsim.TRAINING_MSK_HEX))
        print(_("  MSK key check value: {kcv}").format(kcv=sim.kcv))
        print(
            _("  charges ({count}): {ids}").format(
                count=len(sim.charges), ids=", ".join(sorted(sim.charges))
            )
        )
        app = sim.app()
        port = args.port if args.port is not None else 8080
    else:
        from cashier_gui.simulators import poynt as psim

        code = os.environ.get("POYNT_SIM_PAIRING_CODE") or ""
        transactions = None
        if args.transactions:
            try:
                transactions = psim.load_transactions(args.transactions)
            except (OSError, ValueError) as exc:
                raise Usage(str(exc)) from None
        psimulator = psim.PoyntSimulator(
            pairing_code=code or psim.TRAINING_PAIRING_CODE, transactions=transactions
        )
        psimulator.delay_ms = args.delay_ms
        print(_("Poynt POS Bridge simulator"))
        if not code:
            print(_("  pairing code (training): {code}").format(code=psim.TRAINING_PAIRING_CODE))
        print(
            _("  transactions ({count}): {ids}").format(
                count=len(psimulator.transactions), ids=", ".join(sorted(psimulator.transactions))
            )
        )
        app = psimulator.app()
        port = args.port if args.port is not None else 55555

    def announce(url: str) -> None:
        print(_("Listening on {url}  (Ctrl+C to stop)").format(url=url), flush=True)

    try:
        asyncio.run(serve_forever(app, args.host, port, announce))
    except KeyboardInterrupt:
        print(_("Stopped."))
    except OSError as exc:
        err(
            _("Cannot listen on {host}:{port}: {problem}").format(
                host=args.host, port=port, problem=exc.strerror or exc
            )
        )
        return EXIT_OTHER
    return EXIT_OK


def _read_secret(prompt: str) -> str:
    """From the terminal without echo, or one line of piped standard input — never argv."""
    raw = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    return raw.strip()


def cmd_setup(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from cashier_gui.doors import endpoint, is_loopback, record, settings_changes

    manager = _door(args, N_("set this counter up"))
    paths = Paths.default()
    settings = before = load_settings(paths)
    if args.provider == "viopay":
        settings = settings.with_viopay(
            ViopaySettings(
                base_url=args.base_url,
                terminal_id=args.terminal_id,
                key_id=args.key_id,
                device_model=args.device_model,
                ca_bundle=args.ca_bundle,
            )
        )
    else:
        settings = settings.with_poynt(PoyntSettings(host=args.host, port=args.port))
        if args.currency is not None:
            from dataclasses import replace

            from cashier_gui.money import check_currency

            settings = replace(settings, default_currency=check_currency(args.currency.upper()))
        if not settings.default_currency:
            err(
                _(
                    "Note: the terminal cannot look sales up, so every refund needs the shop's currency. Set it once: cashier-refund setup poynt --host {host} --currency USD (your currency's code)."
                ).format(host=args.host)
            )
    settings = replace(settings, test_counter=bool(args.test_counter))
    where = endpoint(settings)
    if where is not None and is_loopback(where) and not settings.test_counter:
        raise Usage(
            _(
                "{endpoint} is this PC itself: a real counter never sends refunds there (a "
                "simulator only pretends to refund). Give the real address, or add "
                "--test-counter on a counter for tests and training only."
            ).format(endpoint=where)
        )
    save_settings(paths, settings)
    record(paths, _who(manager), "setup", settings_changes(before, settings))
    _seal(paths, _who(manager))
    print(_("Saved {settings}").format(settings=paths.settings))
    return EXIT_OK


def cmd_secret(args: argparse.Namespace) -> int:
    from cashier_gui.doors import record

    paths = Paths.default()
    store = SecretStore(load_settings(paths).profile)
    name = args.name
    manager = None
    if args.action in ("set", "delete"):
        manager = _door(args, N_("change this counter's secrets"))
    if args.action == "delete":
        deleted = store.delete(name)
        if deleted:
            record(paths, _who(manager), "secret delete", {name: "deleted"})
        print((_("{name}: deleted") if deleted else _("{name}: was not set")).format(name=name))
        return EXIT_OK
    if args.action == "status":
        store.check()
        for n in NAMES:
            word = _("set") if store.get(n) else _("missing")
            print(f"{n:<20} {word}")
        return EXIT_OK
    value = _read_secret(_("{name} (not shown): ").format(name=name))
    if not value:
        raise Usage(
            _("{name}: nothing was read from standard input; nothing was stored.").format(name=name)
        )
    extra = ""
    if name == MSK:
        try:
            msk = parse_msk(value)
        except ValueError as exc:
            raise Usage(
                _("{name}: {exc}. Nothing was stored.").format(name=name, exc=exc)
            ) from None
        value = msk.hex().upper()
        extra = " — " + _("key check value {kcv} (compare it with the gateway's)").format(
            kcv=key_check_value(msk)
        )
    elif name == PAIRING_CODE and not value.isalnum():
        raise Usage(
            _("{name}: a pairing code is letters and digits only. Nothing was stored.").format(
                name=name
            )
        )
    elif len(value) < 8 and name != PAIRING_CODE:
        raise Usage(
            _("{name}: that is too short to be a real secret. Nothing was stored.").format(
                name=name
            )
        )
    store.set(name, value)
    record(paths, _who(manager), "secret set", {name: "set"})  # never the value
    print(_("Stored {name} in the OS keyring{extra}.").format(name=name, extra=extra))
    return EXIT_OK


def cmd_journal(args: argparse.Namespace) -> int:
    with contextlib.closing(open_reader()) as journal:
        if args.action == "list":
            states = [State(args.state)] if args.state else None
            rows = journal.query(
                states=states, counter=args.counter, limit=args.limit, newest_first=False
            )
            if args.json:
                print_json({"attempts": [attempt_json(a) for a in rows]})
            else:
                for a in rows:
                    amount = a.amount.format() if a.amount else _("full")
                    line = (
                        f"#{a.id:<6} {a.created_at[:19]}  {a.state:<8} {amount:>14}  "
                        f"{a.charge_id}  {a.refund_id or ''}"
                    )
                    # In a shop the list holds every counter's attempts: say whose each is.
                    print(f"{line}  {a.counter}" if a.counter else line)
            return EXIT_OK
        if args.action == "export":
            try:
                n = journal.export_csv(args.csv)  # files.open_output: UnsafeTarget is exit 1
            except OSError as exc:
                raise Usage(
                    _("Could not write {path}: {problem}").format(
                        path=args.csv, problem=exc.strerror or exc
                    )
                ) from None
            print(_("Wrote {n} refund attempts to {csv}").format(n=n, csv=args.csv))
            return EXIT_OK
        problems = journal.verify() if not args.shop else _verify_shop()
        unsealed = _unsealed(journal)
        if not problems and not unsealed:
            print(
                _("The journal is intact ({count} refund attempts).").format(count=journal.count())
            )
            return EXIT_OK
        for p in problems:
            print(_("TAMPERED  {problem}").format(problem=p))
        for words in unsealed:
            print(_("UNSEALED  {problem}").format(problem=words))
        return EXIT_OTHER


def _unsealed(journal: Any) -> list[str]:
    """This counter's attempts made under settings no manager had sealed at the time (their
    fingerprint against the seals the changes log records)."""
    from cashier_gui.doors import sealed_fingerprints, unsealed_attempts

    mine = [
        a
        for a in journal.query(limit=None, newest_first=False)
        if a.counter in (None, journal.counter)
    ]
    return unsealed_attempts(mine, sealed_fingerprints(Paths.default()))


def _verify_shop() -> list[Any]:
    """The journal as this counter writes through it (in a shop: this PC's file, the shop
    server's chain and the two compared)."""
    from cashier_gui.runtime import journal_home

    paths = Paths.default()
    journal = journal_home(paths, settings=load_settings(paths)).open()
    try:
        return list(journal.verify())
    finally:
        journal.close()


def cmd_doctor(args: argparse.Namespace) -> int:
    from cashier_gui.diagnose import doctor

    checks = asyncio.run(doctor())
    if args.json:
        print_json(
            {
                "ok": all(c.ok for c in checks),
                "checks": [
                    {"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix or None}
                    for c in checks
                ],
            }
        )
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{'ok  ' if c.ok else 'FAIL'}  {c.name:<{width}}  {c.text}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_OTHER


def cmd_pair(args: argparse.Namespace) -> int:
    from cashier_gui.doors import record
    from cashier_gui.gateways.factory import pair_with_terminal

    paths = Paths.default()
    settings = load_settings(paths)
    if settings.poynt is None:
        raise Usage(_("Set the terminal's address first: cashier-refund setup poynt --host IP"))
    manager = _door(args, N_("pair this counter with a terminal"))
    store = SecretStore(settings.profile)
    code = _read_secret(_("Pairing code shown on the terminal: ")).upper()
    if not code or not code.isalnum():
        raise Usage(_("Type the pairing code the terminal shows (letters and digits)."))
    serial = asyncio.run(pair_with_terminal(settings.poynt, code))  # code is upper-cased
    store.set(PAIRING_CODE, code)
    record(paths, _who(manager), "pair", {PAIRING_CODE: "set", "serial": serial})
    print(
        _("Paired with terminal {serial}; the pairing code is in the OS keyring.").format(
            serial=serial
        )
    )
    return EXIT_OK


def cmd_policy(args: argparse.Namespace) -> int:
    """`policy show`: the policy in force, where it comes from (this counter's settings file, or
    the shop server) and whether the settings seal holds; `policy set`: a manager puts a policy
    file in force (the shop server in a shop, the settings file otherwise); `policy seal`: a
    manager seals the settings file as it is now (after an edit by hand)."""
    from cashier_gui.doors import check_seal, fingerprint, record, seal_words
    from cashier_gui.runtime import journal_home
    from cashier_gui.secrets import KeyringUnavailable

    paths = Paths.default()
    settings = load_settings(paths)
    secrets = SecretStore(settings.profile)
    home = journal_home(paths, settings=settings, secrets=secrets)
    if args.action == "set":
        wanted = _policy_file(args.source)  # a bad file: nothing asked, nothing changed
        manager, pin = door_pin(args, N_("set the shop's policy"))
        if home.shop is not None and manager is None:
            # The shop's policy binds every counter: a counter without people has nobody to
            # ask, so nobody at it may change it (a counter alone keeps its own file as before).
            raise Usage(
                _(
                    "The shop's policy applies at every counter of the shop, so only a manager "
                    "sets it, and this counter has no people yet. Add a manager here first "
                    "(cashier-refund operator add NAME --role manager), or set it at a counter "
                    "that has one. Nothing was changed."
                )
            )
        source = home.policy(paths, settings)
        try:
            source.save(wanted, _who(manager)[:100], pin)
            where = source.origin()
        finally:
            source.close()
        record(paths, _who(manager), "policy set", {"policy": wanted.to_toml(), "where": where})
        if home.shop is None:
            _seal(paths)  # the file a manager just saved
            settings = load_settings(paths)
        print(_("Policy set: in force from {where}.").format(where=where))
    if args.action == "seal":
        manager = _door(args, N_("seal the shop's policy"))
        record(paths, _who(manager), "policy seal", {"fingerprint": fingerprint(settings)})
        _seal(paths, _who(manager))
    import tomli_w

    source = home.policy(paths, settings)
    try:
        policy = source.current()  # PolicyUnavailable: the shop server does not answer
        where = source.origin()
    finally:
        source.close()
    table = policy.to_toml()
    print(tomli_w.dumps({"policy": table}).strip() if table else _("No policy: no rules."))
    print(_("From {where}").format(where=where))
    if home.shop is not None and not settings.policy.empty:
        from cashier_gui.policy import ignored_local_policy

        err(ignored_local_policy())
    try:
        words = seal_words(check_seal(settings, secrets), settings.policy)
    except KeyringUnavailable as exc:
        words = str(exc)
    print(_("Fingerprint {fingerprint}").format(fingerprint=fingerprint(settings)))
    if words:
        err(words)
        return EXIT_OTHER
    print(_("Sealed by a manager's save: unchanged since."))
    return EXIT_OK


def _policy_file(name: str) -> Any:
    """The policy in a TOML file (a `[policy]` table, or its rules at the top); Usage with
    the file and the problem otherwise."""
    import tomllib

    from cashier_gui.policy import Policy, PolicyError

    try:
        with open(name, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise Usage(
            _("Cannot read {file}: {problem}. Nothing was changed.").format(
                file=name, problem=exc.strerror or exc
            )
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise Usage(
            _("{file} is not TOML ({problem}). Nothing was changed.").format(file=name, problem=exc)
        ) from None
    table = data.get("policy", data)
    try:
        return Policy.from_toml(table)
    except PolicyError as exc:
        problem = str(exc).rstrip()  # some rules' sentences end without a full stop
        if problem[-1:] not in ".!?":
            problem += "."
        raise Usage(
            _("{file}: {problem} Nothing was changed.").format(file=name, problem=problem)
        ) from None


def add_admin_parsers(sub: Any, _Parser: type[argparse.ArgumentParser]) -> None:
    sim = sub.add_parser("sim", help="run a training/test simulator as a real HTTP server")
    simsub = sim.add_subparsers(dest="provider", required=True, parser_class=_Parser)
    from cashier_gui.simulators.names import FAULT_KINDS, TRAINING_KEY_ID, TRAINING_TERMINAL_ID

    sv = simsub.add_parser("viopay", help="a Viopay POS API simulator (training charges)")
    sv.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    sv.add_argument("--port", type=int, default=None, help="port to listen on (default: any free)")
    sv.add_argument(
        "--charges", metavar="FILE", help="charges to serve, as JSON (default: the training set)"
    )
    sv.add_argument(
        "--key-id", default=TRAINING_KEY_ID, help="HMAC key ID it accepts (default: %(default)s)"
    )
    sv.add_argument(
        "--terminal-id",
        default=TRAINING_TERMINAL_ID,
        help="terminal ID it accepts (default: %(default)s)",
    )
    sv.add_argument(
        "--delay-ms", type=int, default=0, help="wait this long before each answer (default: 0)"
    )
    sv.add_argument(
        "--fault",
        action="append",
        choices=FAULT_KINDS,
        help="plan a fault for the next refund (repeatable)",
    )
    sv.add_argument("--fault-always", action="store_true", help="repeat the planned faults")
    sp = simsub.add_parser("poynt", help="a Poynt terminal simulator (training transactions)")
    sp.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    sp.add_argument("--port", type=int, default=None, help="port to listen on (default: any free)")
    sp.add_argument(
        "--transactions",
        metavar="FILE",
        help="transactions to serve, as JSON (default: the training set)",
    )
    sp.add_argument(
        "--delay-ms", type=int, default=0, help="wait this long before each answer (default: 0)"
    )
    sim.set_defaults(func=cmd_sim)

    add_shop_parser(sub, _Parser)  # `shop init` (cli/shop.py)

    setup = sub.add_parser("setup", help="write the non-secret settings")
    setupsub = setup.add_subparsers(dest="provider", required=True, parser_class=_Parser)
    s1 = setupsub.add_parser("viopay", help="the Viopay POS API (cloud)")
    s1.add_argument("--base-url", required=True, help="the API address Viopay gave you (https://…)")
    s1.add_argument("--terminal-id", required=True, help="this counter's terminal ID at Viopay")
    s1.add_argument("--key-id", required=True, help="the ID of the HMAC key Viopay issued")
    s1.add_argument(
        "--device-model", default="PC", help="device model sent to Viopay (default: %(default)s)"
    )
    s1.add_argument("--ca-bundle", default=None, help="a CA bundle file to trust for TLS")
    _door_arguments(s1)
    s2 = setupsub.add_parser("poynt", help="a Poynt card terminal on this network")
    s2.add_argument("--host", required=True, help="the terminal's IP address on the shop network")
    s2.add_argument(
        "--port", type=int, default=55555, help="the terminal's port (default: %(default)s)"
    )
    s2.add_argument(
        "--currency",
        help="the shop's currency, set once (e.g. USD): the terminal cannot look sales up",
    )
    _door_arguments(s2)
    setup.set_defaults(func=cmd_setup)
    add_setup_shop_parser(setupsub)

    sec = sub.add_parser("secret", help="store a secret in the OS keyring (read from stdin)")
    secsub = sec.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for action, what in (("set", "store it (typed or piped in)"), ("delete", "remove it")):
        a = secsub.add_parser(action, help=f"{what} in the OS keyring")
        a.add_argument("name", choices=NAMES, help=f"which secret: {', '.join(NAMES)}")
        a.add_argument("--manager", metavar="NAME", help="the manager doing it (PIN on stdin)")
    secsub.add_parser("status", help="which secrets are stored (never their values)").set_defaults(
        name=None
    )
    sec.set_defaults(func=cmd_secret)

    jn = sub.add_parser("journal", help="the refund journal")
    jsub = jn.add_subparsers(dest="action", required=True, parser_class=_Parser)
    jl = jsub.add_parser("list", help="the refund attempts, newest first")
    jl.add_argument("--state", choices=[s.value for s in State], help="only attempts in this state")
    jl.add_argument("--limit", type=int, default=None, help="at most this many (default: all)")
    jl.add_argument(
        "--counter", metavar="NAME", help="only this counter's (a shop: every counter's by default)"
    )
    jl.add_argument("--json", action="store_true", help="print JSON")
    je = jsub.add_parser("export", help="write every attempt to a CSV file")
    je.add_argument("--csv", required=True, metavar="FILE", help="the CSV file to write")
    jv = jsub.add_parser("verify", help="check the journal's events and states agree")
    jv.add_argument(
        "--shop",
        action="store_true",
        help="also the shop server's chain, and this counter's attempts against it",
    )
    jn.set_defaults(func=cmd_journal)

    dr = sub.add_parser("doctor", help="check config, keyring, secrets, clock, TLS, reachability")
    dr.add_argument("--json", action="store_true", help="print one JSON object")
    dr.set_defaults(func=cmd_doctor)

    pr = sub.add_parser("pair", help="pair with the Poynt terminal (code read from stdin)")
    pr.add_argument("--manager", metavar="NAME", help="the manager pairing (PIN on stdin first)")
    pr.set_defaults(func=cmd_pair)

    po = sub.add_parser("policy", help="the shop's policy: show it, set it or seal it")
    posub = po.add_subparsers(dest="action", required=True, parser_class=_Parser)
    posub.add_parser("show", help="the policy in force, where it comes from, and the seal")
    pset = posub.add_parser(
        "set", help="put a policy file in force (the shop server in a shop; a manager)"
    )
    pset.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="FILE",
        help="a TOML file with the rules (a [policy] table, as in the settings file)",
    )
    pset.add_argument("--manager", metavar="NAME", help="the manager setting it (PIN on stdin)")
    ps = posub.add_parser("seal", help="seal the settings file as it is now (a manager)")
    ps.add_argument("--manager", metavar="NAME", help="the manager sealing it (PIN on stdin)")
    po.set_defaults(func=cmd_policy)


def _door_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--manager", metavar="NAME", help="the manager doing it (PIN on stdin first)")
    p.add_argument(
        "--test-counter",
        action="store_true",
        help="a counter for tests: it may send to a simulator on this PC",
    )
