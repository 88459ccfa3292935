"""The one place a gateway client is built from settings and secrets: the runtime, training,
Settings' "Test connection" and `doctor` all come here, so a setting means the same everywhere.

Gateways themselves know nothing of the settings file (`gateways/*` never import `config`);
this module is the bridge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cashier_gui.gateways.base import NotConfigured, Timeouts
from cashier_gui.i18n import _

if TYPE_CHECKING:
    from cashier_gui.config import PoyntSettings, Settings, ViopaySettings
    from cashier_gui.gateways.base import Gateway
    from cashier_gui.gateways.poynt import PoyntClient
    from cashier_gui.gateways.viopay import ViopayClient
    from cashier_gui.secrets import SecretStore


def timeouts(settings: Settings) -> Timeouts:
    return Timeouts(connect=settings.connect_timeout_s, read=settings.read_timeout_s)


def viopay_client(
    v: ViopaySettings, *, hmac_secret: str, msk_hex: str, limits: Timeouts
) -> ViopayClient:
    """NotConfigured (with what to do) when the MSK is unusable."""
    from cashier_gui.gateways.viopay import ViopayClient
    from cashier_gui.protocol.viopay import parse_msk

    try:
        msk = parse_msk(msk_hex)
    except ValueError as exc:
        raise NotConfigured(_("The MSK is unusable: {problem}.").format(problem=exc)) from None
    return ViopayClient(
        base_url=v.base_url,
        terminal_id=v.terminal_id,
        key_id=v.key_id,
        hmac_secret=hmac_secret,
        msk=msk,
        device_model=v.device_model,
        timeouts=limits,
        verify=v.ca_bundle or True,
    )


def poynt_client(
    p: PoyntSettings, *, pairing_code: str, limits: Timeouts, currency: str | None = None
) -> PoyntClient:
    from cashier_gui.gateways.poynt import PoyntClient

    return PoyntClient(
        host=p.host,
        port=p.port,
        pairing_code=pairing_code,
        client_name=p.client_name,
        timeouts=limits,
        currency=currency,
    )


def configured_gateway(settings: Settings, secrets: SecretStore) -> tuple[Gateway, str, str]:
    """(gateway, terminal name, label) for the configured back end, secrets from the keyring.
    NotConfigured says what is missing and how to set it."""
    from cashier_gui.doors import loopback_refused
    from cashier_gui.secrets import HMAC_SECRET, MSK, PAIRING_CODE

    refused = loopback_refused(settings, secrets)  # a real counter, a simulator's address
    if refused:
        raise NotConfigured(refused)
    if settings.provider == "viopay" and settings.viopay is not None:
        hmac_secret, msk_hex = secrets.get(HMAC_SECRET), secrets.get(MSK)
        missing = [n for n, v in ((HMAC_SECRET, hmac_secret), (MSK, msk_hex)) if not v]
        if missing:
            raise NotConfigured(
                _(
                    "Missing in the OS keyring: {names}. Set it with `cashier-refund secret set "
                    "NAME` or in Settings."
                ).format(names=", ".join(missing))
            )
        assert hmac_secret is not None and msk_hex is not None
        client = viopay_client(
            settings.viopay, hmac_secret=hmac_secret, msk_hex=msk_hex, limits=timeouts(settings)
        )
        return client, settings.viopay.terminal_id, "Viopay"
    if settings.provider == "poynt" and settings.poynt is not None:
        code = secrets.get(PAIRING_CODE)
        if not code:
            raise NotConfigured(_("The Poynt pairing code is missing: pair with the terminal."))
        p = settings.poynt
        client_p = poynt_client(
            p, pairing_code=code, limits=timeouts(settings), currency=settings.default_currency
        )
        return client_p, f"{p.host}:{p.port}", _("Poynt terminal")
    raise NotConfigured(
        _("This counter is not set up yet: run the setup (or `cashier-refund setup viopay …`).")
    )


async def pair_with_terminal(settings: PoyntSettings, code: str) -> str:
    """Pair with the terminal showing `code` (upper-cased); returns its serial number."""
    client = poynt_client(settings, pairing_code=code, limits=Timeouts())
    try:
        return await client.pair()
    finally:
        await client.aclose()
