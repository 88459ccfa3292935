"""Composition without Qt: settings + secrets + journal + gateway → a RefundService.

Both front ends (the window through `app.py`, and `cashier-refund`) build their service here, so
they behave alike. Everything here may block (keyring, disk): the window calls `open_runtime`
from a worker thread.

Training mode starts the built-in simulator on a loopback port with the public training secrets
and keeps its own journal (`training-journal.sqlite3`), so practice refunds never mix with real
ones.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Any

from cashier_gui.config import Paths, Settings, load_settings
from cashier_gui.gateways.base import Gateway, NotConfigured, Timeouts
from cashier_gui.gateways.viopay import ViopayClient
from cashier_gui.journal import Journal
from cashier_gui.protocol.viopay import parse_msk
from cashier_gui.refunds import RefundService
from cashier_gui.secrets import HMAC_SECRET, MSK, SecretStore
from cashier_gui.simulators.server import ServerThread


@dataclass
class Runtime:
    paths: Paths
    settings: Settings
    service: RefundService
    training: bool
    provider_label: str
    terminal: str
    simulators: list[ServerThread] = field(default_factory=list)
    #: Training: the charge or transaction IDs a cashier can practise with, with a word on each.
    training_ids: list[tuple[str, str]] = field(default_factory=list)
    #: Training: the simulator's own state (tests plan faults through it).
    simulator_state: Any = None

    async def aclose(self) -> None:
        import asyncio

        await self.service.aclose()
        self.service.journal.close()
        for sim in self.simulators:
            await asyncio.to_thread(sim.stop)  # waits for its thread: not on the GUI thread


def warm_up(settings: Settings) -> None:
    """Load what the first lookup would otherwise load on the GUI thread: Babel's locale data
    (≈ 20 ms) and the async back end httpx's transport imports on its first connection (anyio's
    asyncio back end, 26 modules, ≈ 35 ms). Called from the worker thread that opens the
    runtime."""
    import contextlib
    import importlib

    from cashier_gui.money import Money

    for currency in ("EUR", settings.default_currency or "USD"):
        Money(1234, currency).format(settings.locale)
    # The module anyio's get_async_backend("asyncio") imports; private, so best effort.
    with contextlib.suppress(ImportError):
        importlib.import_module("anyio._backends._asyncio")


def operator_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some kiosk set-ups
        return "unknown"


def timeouts(settings: Settings) -> Timeouts:
    return Timeouts(connect=settings.connect_timeout_s, read=settings.read_timeout_s)


def open_runtime(
    paths: Paths | None = None,
    *,
    training: bool = False,
    training_provider: str = "viopay",
    secrets: SecretStore | None = None,
    training_timeouts: Timeouts | None = None,
) -> Runtime:
    """Build the service for the configured provider (or training). Raises NotConfigured,
    ConfigError or KeyringUnavailable with a sentence that says what to do."""
    paths = paths or Paths.default()
    if training:
        runtime = _open_training(paths, training_provider, training_timeouts or Timeouts())
        warm_up(runtime.settings)
        return runtime
    settings = load_settings(paths)
    warm_up(settings)
    if not settings.configured:
        raise NotConfigured(
            "This counter is not set up yet: run the setup (or `cashier-refund setup viopay …`)."
        )
    secrets = secrets or SecretStore(settings.profile)
    gateway: Gateway
    if settings.provider == "viopay":
        assert settings.viopay is not None
        gateway = viopay_gateway(settings, secrets)
        terminal, label = settings.viopay.terminal_id, "Viopay"
    else:
        from cashier_gui.gateways.poynt import PoyntClient
        from cashier_gui.secrets import PAIRING_CODE

        assert settings.poynt is not None
        code = secrets.get(PAIRING_CODE)
        if not code:
            raise NotConfigured("The Poynt pairing code is missing: pair with the terminal.")
        gateway = PoyntClient(
            host=settings.poynt.host,
            port=settings.poynt.port,
            pairing_code=code,
            client_name=settings.poynt.client_name,
            timeouts=timeouts(settings),
            currency=settings.default_currency,
        )
        terminal = f"{settings.poynt.host}:{settings.poynt.port}"
        label = "Poynt terminal"
    journal = Journal(paths.journal)
    service = RefundService(
        gateway, journal, terminal=terminal, operator=operator_name(), policy=settings.policy
    )
    return Runtime(paths, settings, service, False, label, terminal)


def viopay_gateway(settings: Settings, secrets: SecretStore) -> ViopayClient:
    assert settings.viopay is not None
    hmac_secret = secrets.get(HMAC_SECRET)
    msk_hex = secrets.get(MSK)
    missing = [n for n, v in ((HMAC_SECRET, hmac_secret), (MSK, msk_hex)) if not v]
    if missing:
        raise NotConfigured(
            f"Missing in the OS keyring: {', '.join(missing)}. "
            "Set it with `cashier-refund secret set NAME` or in Settings."
        )
    assert hmac_secret is not None and msk_hex is not None
    try:
        msk = parse_msk(msk_hex)
    except ValueError as exc:
        raise NotConfigured(f"The MSK in the keyring is unusable: {exc}.") from None
    v = settings.viopay
    return ViopayClient(
        base_url=v.base_url,
        terminal_id=v.terminal_id,
        key_id=v.key_id,
        hmac_secret=hmac_secret,
        msk=msk,
        device_model=v.device_model,
        timeouts=timeouts(settings),
        verify=v.ca_bundle or True,
    )


def _open_training(paths: Paths, provider: str, limits: Timeouts) -> Runtime:
    from cashier_gui.simulators import viopay as vsim

    settings = Settings()
    journal = Journal(paths.data_dir / "training-journal.sqlite3")
    if provider == "poynt":
        from cashier_gui.gateways.poynt import PoyntClient
        from cashier_gui.simulators import poynt as psim

        sim = psim.PoyntSimulator()
        server = ServerThread(sim.app).start()
        gateway: Gateway = PoyntClient(
            host=server.host,
            port=server.port,
            pairing_code=psim.TRAINING_PAIRING_CODE,
            client_name="cashier_gui training",
            timeouts=limits,
        )
        ids = [(t.transaction_id, t.describe()) for t in sim.transactions.values()]
        state: Any = sim
        terminal, label = f"{server.host}:{server.port}", "Poynt terminal (simulated)"
    else:
        vs = vsim.ViopaySimulator()
        server = ServerThread(vs.app).start()
        gateway = ViopayClient(
            base_url=server.url,
            terminal_id=vsim.TRAINING_TERMINAL_ID,
            key_id=vsim.TRAINING_KEY_ID,
            hmac_secret=vsim.TRAINING_HMAC_SECRET,
            msk=bytes.fromhex(vsim.TRAINING_MSK_HEX),
            device_model="Training",
            timeouts=limits,
        )
        ids = [(c.charge_id, vsim.describe(c)) for c in vs.charges.values()]
        state = vs
        terminal, label = vsim.TRAINING_TERMINAL_ID, "Viopay (simulated)"
    service = RefundService(
        gateway, journal, terminal=terminal, operator=operator_name(), training=True
    )
    return Runtime(paths, settings, service, True, label, terminal, [server], ids, state)
