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
from typing import TYPE_CHECKING, Any

from cashier_gui.config import (
    ConfigError,
    Paths,
    PoyntSettings,
    Settings,
    ViopaySettings,
    load_settings,
)
from cashier_gui.gateways.base import Gateway, Timeouts
from cashier_gui.gateways.factory import configured_gateway, poynt_client, viopay_client
from cashier_gui.i18n import _
from cashier_gui.journal import Journal
from cashier_gui.operators import Operator, OperatorError, OperatorStore, Role
from cashier_gui.policy import Policy
from cashier_gui.refunds import RefundService
from cashier_gui.secrets import SecretStore

if TYPE_CHECKING:  # the simulators' server (aiohttp) is imported for training only
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
    #: The people who may sign in: the counter's file, or in training the training manager.
    operators: OperatorStore | None = None
    #: Training: who practises (signed in without a PIN); None for a real counter.
    trainee: Operator | None = None

    @property
    def people(self) -> OperatorStore:
        return self.operators or OperatorStore(self.paths.operators)

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


#: Training practises manager approval: the trainee (a cashier, signed in without a PIN) needs
#: the training manager's PIN above these amounts (the €120 and ¥12,800 practice sales).
TRAINEE = Operator("Trainee", Role.CASHIER)
TRAINING_MANAGER, TRAINING_MANAGER_PIN = "Trainer", "1234"
TRAINING_POLICY = Policy(
    approval_above={"EUR": 5000, "USD": 5000, "GBP": 5000, "CHF": 5000, "JPY": 5000, "KWD": 50000}
)


def training_operators(paths: Paths) -> OperatorStore:
    """The training counter's people (its own file beside the training journal): the training
    manager, PIN 1234 — printed on the training screen, it guards no money."""
    store = OperatorStore(paths.data_dir / "training-operators.json")
    try:
        store.verify(TRAINING_MANAGER, TRAINING_MANAGER_PIN)
    except OperatorError:  # first training run, or a trainee changed it: start afresh
        for op in store.list():
            store.remove(op.name)
        store.add(TRAINING_MANAGER, Role.MANAGER, TRAINING_MANAGER_PIN)
    return store


def operator_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some kiosk set-ups
        return "unknown"


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
    gateway, terminal, label = configured_gateway(
        settings, secrets or SecretStore(settings.profile)
    )
    journal = Journal(paths.journal)
    service = RefundService(
        gateway, journal, terminal=terminal, operator=operator_name(), policy=settings.policy
    )
    return Runtime(paths, settings, service, False, label, terminal)


def _open_training(paths: Paths, provider: str, limits: Timeouts) -> Runtime:
    from cashier_gui.simulators import viopay as vsim
    from cashier_gui.simulators.server import ServerThread

    try:  # the counter's own choices (receipts, printer, number format) apply in training too
        settings = load_settings(paths)
    except ConfigError:
        settings = Settings()
    journal = Journal(paths.training_journal)
    gateway: Gateway
    if provider == "poynt":
        from cashier_gui.simulators import poynt as psim

        sim = psim.PoyntSimulator()
        server = ServerThread(sim.app).start()
        gateway = poynt_client(
            PoyntSettings(host=server.host, port=server.port, client_name="cashier_gui training"),
            pairing_code=psim.TRAINING_PAIRING_CODE,
            limits=limits,
        )
        ids = [(t.transaction_id, t.describe(settings.locale)) for t in sim.transactions.values()]
        state: Any = sim
        terminal, label = f"{server.host}:{server.port}", _("Poynt terminal (simulated)")
    else:
        vs = vsim.ViopaySimulator()
        server = ServerThread(vs.app).start()
        gateway = viopay_client(
            ViopaySettings(
                base_url=server.url,
                terminal_id=vsim.TRAINING_TERMINAL_ID,
                key_id=vsim.TRAINING_KEY_ID,
                device_model="Training",
            ),
            hmac_secret=vsim.TRAINING_HMAC_SECRET,
            msk_hex=vsim.TRAINING_MSK_HEX,
            limits=limits,
        )
        ids = [(c.charge_id, vsim.describe(c, settings.locale)) for c in vs.charges.values()]
        state = vs
        terminal, label = vsim.TRAINING_TERMINAL_ID, _("Viopay (simulated)")
    service = RefundService(
        gateway,
        journal,
        terminal=terminal,
        operator=operator_name(),
        training=True,
        policy=TRAINING_POLICY,
    )
    return Runtime(
        paths,
        settings,
        service,
        True,
        label,
        terminal,
        [server],
        ids,
        state,
        operators=training_operators(paths),
        trainee=TRAINEE,
    )
