"""Checks an installer runs: "Test connection" in Settings and `cashier-refund doctor`.

Never prints or returns a secret's value — only whether it is there, and the MSK's check value.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
from dataclasses import dataclass, replace

from cashier_gui.config import ConfigError, Paths, Settings, load_settings
from cashier_gui.gateways.base import (
    AuthFailed,
    BadResponse,
    ConnectFailed,
    GatewayError,
    NotFound,
)
from cashier_gui.i18n import N_, _
from cashier_gui.protocol.viopay import key_check_value, parse_msk
from cashier_gui.secrets import (
    HMAC_SECRET,
    MSK,
    PAIRING_CODE,
    SHOP_PASSWORD,
    KeyringUnavailable,
    SecretStore,
    describe_backend,
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""  # a failure: the command or menu that fixes it

    @property
    def text(self) -> str:
        if self.fix and not self.ok:
            return _("{detail} Fix: {fix}").format(detail=self.detail, fix=self.fix)
        return self.detail


SETTINGS_MENU = N_("Counter → Settings… in the window")


def fix_for(name: str, provider: str | None) -> str:
    """The command or menu that fixes a failed check, named on every failure."""
    setup = (
        "cashier-refund setup poynt --host IP --currency USD"
        if provider == "poynt"
        else "cashier-refund setup viopay --base-url URL --terminal-id ID --key-id ID"
    )
    menu = _(SETTINGS_MENU)
    fixes = {
        "config": _("{setup} (or setup poynt --host IP --currency USD), or {menu}.").format(
            setup=setup, menu=menu
        ),
        "keyring": _(
            "unlock or start the desktop keyring (GNOME Keyring or KWallet), sign in to the PC "
            "again, then run cashier-refund doctor."
        ),
        HMAC_SECRET: _("cashier-refund secret set {name} (or {menu}).").format(
            name=HMAC_SECRET, menu=menu
        ),
        MSK: _("cashier-refund secret set {name} (or {menu}).").format(name=MSK, menu=menu),
        "msk": _("cashier-refund secret set {name} with the MSK Viopay gave you.").format(name=MSK),
        PAIRING_CODE: _("cashier-refund pair (type the code the terminal shows)."),
        "tls": _(
            "check the address and CA bundle: {setup} [--ca-bundle FILE], or {menu}; then check "
            "the network."
        ).format(setup=setup, menu=menu),
        "clock": _("set the PC's clock right (turn on automatic time), then run doctor again."),
        "connection": _(
            "cashier-refund secret set {hmac} / {msk}, or {setup}; then run cashier-refund doctor."
        ).format(hmac=HMAC_SECRET, msk=MSK, setup=setup),
        "terminal": _(
            "cashier-refund pair (pair again); if the terminal's address changed: {setup}, or "
            "{menu}."
        ).format(setup=setup, menu=menu),
        "currency": _("{setup}, or {menu} → Shop currency.").format(setup=setup, menu=menu),
        "shop": _(
            "check the shop server and the network; cashier-refund secret set {name} if it "
            "wants a password; cashier-refund shop init --url … once per shop; cashier-refund "
            "setup shop --url … --counter NAME (or --off to leave the shop)."
        ).format(name=SHOP_PASSWORD),
        "shop-tls": _(
            "give the server a certificate for its name, and this counter its CA: "
            "cashier-refund setup shop --url … --counter NAME --ca-file FILE."
        ),
        "shop-rights": _(
            "ask the shop server's administrator to GRANT EXECUTE on the shop's functions and "
            "SELECT on its tables to this counter's user."
        ),
        "shop-clock": _("set the PC's and the shop server's clocks right (automatic time)."),
        "shop-login": _(
            "give this counter a login of its own in the counters' role — as the shop's owner: "
            "CREATE ROLE till2 LOGIN PASSWORD '…' IN ROLE shop_counter; — then cashier-refund "
            "setup shop --url postgresql://till2@… --counter NAME and cashier-refund secret set "
            "{name}. Change the password of the login this counter had (it is in this PC's "
            "keyring, which every cashier on this OS account can read)."
        ).format(name=SHOP_PASSWORD),
    }
    return fixes.get(name, _("{menu}, then run cashier-refund doctor.").format(menu=menu))


async def test_viopay(client: object) -> Check:
    """Two probes about a charge that cannot exist, so nothing can be refunded:
    a signed lookup (404 = URL, secret, key ID, terminal and clock are right), then a sealed
    refund of one cent (404 = the gateway opened the envelope: the MSK is right; the contract
    has the gateway check the body and its key check value before the charge)."""
    from cashier_gui.gateways.base import BadRequest, RefundRequest
    from cashier_gui.gateways.viopay import ViopayClient
    from cashier_gui.money import Money

    assert isinstance(client, ViopayClient)
    probe = "ch_connection_test_" + secrets.token_hex(6)
    try:
        try:
            await client.lookup(probe)
        except NotFound:
            pass
        else:
            return Check(
                "connection",
                False,
                _("A charge {probe} exists: is this a real gateway?").format(probe=probe),
            )
        request = RefundRequest(
            probe,
            Money(1, "EUR"),
            None,
            "CONNECTION-TEST",
            "connection-test-" + secrets.token_hex(8),
        )
        try:
            await client.refund(request)
        except NotFound:
            return Check(
                "connection",
                True,
                _("Viopay answered and accepted this counter's signature and MSK."),
            )
        except BadRequest as exc:
            if "key check value" in (exc.server_message or ""):
                return _wrong_msk()
            return Check("connection", False, exc.message)
        return Check(
            "connection",
            False,
            _("A refund on {probe} was accepted: check the URL.").format(probe=probe),
        )
    except AuthFailed as exc:
        if exc.clock_skew is not None:
            return Check("connection", False, exc.message)
        return Check(
            "connection",
            False,
            _(
                "Viopay refused the signature: the HMAC secret, the key ID or the terminal ID is "
                "wrong (or the PC clock is off)."
            ),
        )
    except BadResponse as exc:
        if "MSK" in exc.message:
            return _wrong_msk()
        return Check("connection", False, exc.message)
    except ConnectFailed as exc:
        return Check(
            "connection",
            False,
            _(
                "No connection: check the URL, the TLS certificate and the network. ({message})"
            ).format(message=exc.message),
        )
    except GatewayError as exc:
        return Check("connection", False, exc.message)


def _wrong_msk() -> Check:
    return Check(
        "connection",
        False,
        _(
            "The MSK does not match the gateway's: compare its key "
            "check value with the one Viopay gave you."
        ),
    )


async def doctor(paths: Paths | None = None, store: SecretStore | None = None) -> list[Check]:
    """Every check; each failure carries the command or menu that fixes it."""
    paths = paths or Paths.default()
    provider: str | None = None
    with contextlib.suppress(ConfigError):  # _doctor reports it
        provider = load_settings(paths).provider
    return [
        c if c.ok or c.fix else replace(c, fix=fix_for(c.name, provider))
        for c in await _doctor(paths, store)
    ]


async def _doctor(paths: Paths, store: SecretStore | None) -> list[Check]:
    checks: list[Check] = []
    try:
        settings = load_settings(paths)
    except ConfigError as exc:
        return [Check("config", False, str(exc))]
    if not settings.configured:
        return [
            Check(
                "config",
                False,
                _("Not set up: no provider in {settings}.").format(settings=paths.settings),
            )
        ]
    checks.append(Check("config", True, f"{paths.settings} ({settings.provider})"))
    store = store or SecretStore(settings.profile)
    try:
        store.check()
        checks.append(Check("keyring", True, describe_backend(store.backend)))
    except KeyringUnavailable as exc:
        checks.append(Check("keyring", False, str(exc)))
        return checks
    names = (HMAC_SECRET, MSK) if settings.provider == "viopay" else (PAIRING_CODE,)
    values: dict[str, str | None] = {}
    for name in names:
        try:
            values[name] = store.get(name)
        except KeyringUnavailable as exc:
            checks.append(Check(name, False, str(exc)))
            return checks
        checks.append(
            Check(name, bool(values[name]), _("present") if values[name] else _("missing"))
        )
    checks.extend(_doctor_doors(settings, store))
    if settings.provider == "viopay":
        checks.extend(await _doctor_viopay(settings, values))
        checks.extend(await asyncio.to_thread(_doctor_outside, paths, settings))
    else:
        currency = settings.default_currency
        checks.append(
            Check(
                "currency",
                bool(currency),
                _("shop currency {currency}").format(currency=currency)
                if currency
                else _("No shop currency: the terminal cannot look sales up, so refunds need it."),
            )
        )
        checks.extend(await _doctor_poynt(settings, values))
    if settings.shop_server is not None:
        checks.extend(await asyncio.to_thread(_doctor_shop, paths, settings, store))
    return checks


def _doctor_shop(paths: Paths, settings: Settings, store: SecretStore) -> list[Check]:
    """The shop server as this counter reaches it: answers, TLS, schema, rights, clock."""
    from cashier_gui.shop import ShopError, ShopServer

    shop = settings.shop_server
    assert shop is not None
    try:
        server = ShopServer(
            shop.url, password=store.get(SHOP_PASSWORD), ca_file=shop.ca_file, wait_s=5
        )
    except ShopError as exc:
        return [Check("shop", False, str(exc))]
    with server:
        try:
            health = server.health()
            policy = server.policy()
        except ShopError as exc:
            return [Check("shop", False, str(exc))]
    where = server.target.where
    said = (
        _("the shop server's, version {version}, applies at every counter").format(
            version=policy.version
        )
        if policy.version
        else _("none set on the shop server yet: no rules (cashier-refund policy set)")
    )
    if not settings.policy.empty:
        from cashier_gui.policy import ignored_local_policy

        said = f"{said}. {ignored_local_policy()}"
    loopback = server.target.params.get("sslmode") != "verify-full"
    skew = health.clock_skew_s
    return [
        Check(
            "shop",
            True,
            _("{where} answers as “{counter}” (tables at version {version})").format(
                where=where, counter=shop.counter, version=health.version
            ),
        ),
        Check(
            "shop-tls",
            health.encrypted or loopback,
            _("encrypted, certificate and name checked")
            if health.encrypted
            else _("on this PC (loopback): not encrypted")
            if loopback
            else _("NOT encrypted"),
        ),
        Check(
            "shop-rights",
            health.may_claim,
            _("this counter's user may claim and record refunds")
            if health.may_claim
            else _("this counter's database user may not call the shop's functions"),
        ),
        _login_check(health.too_mighty),
        Check("shop-policy", True, said),
        Check(
            "shop-clock",
            abs(skew) < 60,
            _("the shop server's clock is {seconds} s from this PC's").format(
                seconds=f"{skew:+.1f}"
            ),
        ),
    ]


def _login_check(too_mighty: tuple[str, ...]) -> Check:
    """Fails when this counter's database login may do what a counter must not: its password
    is in the shared OS account's keyring, so any cashier could use those rights."""
    words = {
        "superuser": _("is a superuser"),
        "owner": _("owns the shop's tables"),
        "pin_hashes": _("may read the PIN hashes"),
        "writes_history": _("may write the shop's history itself"),
    }
    if not too_mighty:
        return Check("shop-login", True, _("this counter's login is a counter's, nothing more"))
    return Check(
        "shop-login",
        False,
        _(
            "this counter's database login {rights}: rights a counter must not have, since any "
            "cashier at this PC can use its password"
        ).format(rights=", ".join(words[n] for n in too_mighty)),
    )


def _doctor_outside(paths: Paths, settings: Settings) -> list[Check]:
    """Refunds made outside this app that no manager acknowledged (refunds/outside.py; Viopay
    only: the Poynt bridge lists no refunds, and `reconcile` says so)."""
    from cashier_gui.journal import JournalError
    from cashier_gui.refunds.outside import FindingsFile

    findings = FindingsFile(paths.data_dir)
    try:
        still_open, last = findings.open(), findings.last_check()
    except JournalError as exc:
        return [Check("outside", False, str(exc))]
    if still_open:
        return [
            Check(
                "outside",
                False,
                _(
                    "{count} refunds made outside this app, not acknowledged by a manager "
                    "(cashier-refund reconcile lists them), e.g. {words}"
                ).format(count=len(still_open), words=still_open[0].words(settings.locale)),
            )
        ]
    return [
        Check(
            "outside",
            True,
            _("no refund made outside this app found (last check: {when})").format(
                when=last or _("never: run cashier-refund reconcile")
            ),
        )
    ]


def _doctor_doors(settings: Settings, store: SecretStore) -> list[Check]:
    """The seal over the policy and endpoint, and a back end on this PC itself (issue 27)."""
    from cashier_gui.doors import (
        check_seal,
        endpoint,
        fingerprint,
        is_loopback,
        loopback_refused,
        seal_words,
    )

    out: list[Check] = []
    try:
        state = check_seal(settings, store)
        refused = loopback_refused(settings, store)
    except KeyringUnavailable as exc:
        return [Check("seal", False, str(exc))]
    words = seal_words(state, settings.policy)
    if words is None:
        detail = _("policy and endpoint as a manager saved them ({fingerprint})")
        out.append(Check("seal", True, detail.format(fingerprint=fingerprint(settings))))
    else:
        out.append(Check("seal", False, f"{words} ({state})"))
    where = endpoint(settings) or ""
    if refused:
        out.append(Check("endpoint", False, refused))
    elif is_loopback(where):
        out.append(
            Check(
                "endpoint",
                True,
                _("TEST COUNTER: {endpoint} is this PC itself; refunds here are not real.").format(
                    endpoint=where
                ),
            )
        )
    return out


async def _doctor_viopay(settings: Settings, values: dict[str, str | None]) -> list[Check]:
    import httpx

    from cashier_gui.gateways.factory import timeouts, viopay_client
    from cashier_gui.tls import tls_context

    assert settings.viopay is not None
    out: list[Check] = []
    msk_hex = values.get(MSK)
    if msk_hex:
        try:
            out.append(
                Check(
                    "msk",
                    True,
                    _("key check value {key_check_value}").format(
                        key_check_value=key_check_value(parse_msk(msk_hex))
                    ),
                )
            )
        except ValueError as exc:
            out.append(Check("msk", False, str(exc)))
            return out
    v = settings.viopay
    try:
        async with httpx.AsyncClient(
            verify=tls_context(v.ca_bundle), timeout=10, trust_env=False
        ) as http:
            response = await http.get(v.base_url)
        out.append(
            Check(
                "tls",
                True,
                _("{base_url} reachable (HTTP {status_code})").format(
                    base_url=v.base_url, status_code=response.status_code
                ),
            )
        )
        date = response.headers.get("Date")
        if date:
            import email.utils

            server = email.utils.parsedate_to_datetime(date)
            skew = (server - dt.datetime.now(dt.UTC)).total_seconds()
            out.append(
                Check(
                    "clock",
                    abs(skew) <= 60,
                    (
                        _("PC clock is {seconds} s behind the server")
                        if skew > 0
                        else _("PC clock is {seconds} s ahead of the server")
                    ).format(seconds=f"{abs(skew):.0f}")
                    if abs(skew) > 1
                    else _("PC clock agrees with the server"),
                )
            )
    except httpx.HTTPError as exc:
        out.append(Check("tls", False, f"{v.base_url}: {type(exc).__name__}: {exc}"))
        return out
    if values.get(HMAC_SECRET) and msk_hex:
        client = viopay_client(
            v, hmac_secret=values[HMAC_SECRET] or "", msk_hex=msk_hex, limits=timeouts(settings)
        )
        try:
            out.append(await test_viopay(client))
        finally:
            await client.aclose()
    return out


async def _doctor_poynt(settings: Settings, values: dict[str, str | None]) -> list[Check]:
    from cashier_gui.gateways.factory import poynt_client, timeouts

    assert settings.poynt is not None
    code = values.get(PAIRING_CODE)
    if not code:
        return []
    client = poynt_client(settings.poynt, pairing_code=code, limits=timeouts(settings))
    try:
        await client.ping()
        return [
            Check(
                "terminal",
                True,
                _("{base_url} answered a signed ping").format(base_url=client.base_url),
            )
        ]
    except GatewayError as exc:
        return [Check("terminal", False, exc.message)]
    finally:
        await client.aclose()
