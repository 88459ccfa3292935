"""Composition without Qt: settings + secrets + journal + gateway → a RefundService.

Both front ends (the window through `app.py`, and `cashier-refund`) build their service here, so
they behave alike. Everything here may block (keyring, disk): the window calls `open_runtime`
from a worker thread.

Where the journal lives is decided here and nowhere else (`journal_home`): the window, the
command line and paper get a `JournalReader` from the runtime (`Runtime.reader()`, or
`open_reader()` for commands that need no gateway) — never a path.

Training mode starts the built-in simulator on a loopback port with the public training secrets
and keeps its own journal (`training-journal.sqlite3`), so practice refunds never mix with real
ones.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cashier_gui.config import (
    ConfigError,
    Paths,
    PoyntSettings,
    Settings,
    ShopServerSettings,
    ViopaySettings,
    load_settings,
)
from cashier_gui.gateways.base import Gateway, Timeouts
from cashier_gui.gateways.factory import configured_gateway, poynt_client, viopay_client
from cashier_gui.i18n import _
from cashier_gui.journal import Journal, JournalReader
from cashier_gui.journal.sqlite import SqliteJournal, start_afresh
from cashier_gui.operators import Operator, OperatorError, OperatorStore, Role
from cashier_gui.policy import Policy
from cashier_gui.refunds import RefundService
from cashier_gui.secrets import SHOP_PASSWORD, SecretStore

if TYPE_CHECKING:  # the simulators' server (aiohttp) is imported for training only
    from cashier_gui.simulators.server import ServerThread


@dataclass(frozen=True)
class JournalHome:
    """Where this counter's journal lives, chosen once at start-up: this PC's SQLite file, or —
    once the counter has joined a shop — the shop server with that file as its write-ahead log,
    outbox and replica. Training always has a file of its own and never reaches a shop server,
    so practice never mixes with real refunds."""

    path: Path
    counter: str | None = None  # None: the PC's name
    shop: ShopServerSettings | None = None
    #: The shop user's password from the keyring (asked for only when the journal is opened).
    password: Callable[[], str | None] | None = field(default=None, compare=False, repr=False)

    def exists(self) -> bool:
        """Has anything been journalled here yet?"""
        return self.path.exists()

    def where(self) -> str:
        """Where it lives, for a person (messages, doctor)."""
        return str(self.path)

    def open(self) -> Journal:
        """The journal the refund service writes through (one per process: it owns what it
        sends). In a shop it keeps in step in the background until closed."""
        local = SqliteJournal(self.path, counter=self.counter)
        if self.shop is None:
            return local
        # psycopg is loaded only on a counter that has joined a shop.
        from cashier_gui.journal.shop import ShopJournal
        from cashier_gui.shop import ShopInputError, ShopServer

        try:
            password = self.password() if self.password is not None else None
            server = ShopServer(
                self.shop.url,
                password=password,
                ca_file=self.shop.ca_file,
                lease_seconds=self.shop.lease_seconds,
                application_name=f"cashier-refund {self.shop.counter}",
            )
        except ShopInputError as exc:
            local.close()
            raise ConfigError(f"shop_server: {exc}") from None
        except BaseException:
            local.close()
            raise
        return ShopJournal(local, server, password=password).start()

    def reader(self, *, fresh: bool = False) -> JournalReader:
        """A reader with its own connection (History, reports, the CLI): reads never wait on
        the service's writes. Close it when done. In a shop it reads this PC's replica of the
        shop's attempts; `fresh` brings the replica up to date first (when the server answers)."""
        if fresh and self.shop is not None:
            journal = self.open()
            journal.close()  # its first sync ran as it started
        return SqliteJournal(self.path, counter=self.counter)


def journal_home(
    paths: Paths,
    *,
    training: bool = False,
    settings: Settings | None = None,
    secrets: SecretStore | None = None,
) -> JournalHome:
    """Training: its own file. A counter in a shop (`[shop_server]`): the shop server, with the
    counter's name, the password from the keyring (`shop-password`, none when not stored)."""
    if training:
        return JournalHome(paths.training_journal)
    shop = settings.shop_server if settings is not None else None
    if shop is None:
        return JournalHome(paths.journal)
    store = secrets or SecretStore(settings.profile if settings is not None else "default")
    return JournalHome(paths.journal, shop.counter, shop, password=lambda: store.get(SHOP_PASSWORD))


def open_reader(paths: Paths | None = None, *, training: bool = False) -> JournalReader:
    """For commands that read the journal without a gateway (list, export, verify, receipts,
    reports). Raises JournalError or ConfigError with a sentence when it cannot be opened."""
    paths = paths or Paths.default()
    settings = None if training else _settings_or_none(paths)
    home = journal_home(paths, training=training, settings=settings)
    return home.reader(fresh=True)


def _settings_or_none(paths: Paths) -> Settings | None:
    try:
        return load_settings(paths)
    except ConfigError:
        return None


@dataclass
class Runtime:
    paths: Paths
    settings: Settings
    service: RefundService
    training: bool
    provider_label: str
    terminal: str
    home: JournalHome
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

    def reader(self) -> JournalReader:
        """A reader of this counter's journal, with its own connection: close it when done."""
        return self.home.reader()

    async def aclose(self) -> None:
        import asyncio

        await self.service.aclose()
        await asyncio.to_thread(self.service.journal.close)  # a shop's threads stop: may wait
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
    store = secrets or SecretStore(settings.profile)
    gateway, terminal, label = configured_gateway(settings, store)
    home = journal_home(paths, settings=settings, secrets=store)
    from cashier_gui.doors import fingerprint

    service = RefundService(
        gateway,
        home.open(),
        terminal=terminal,
        operator=operator_name(),
        policy=settings.policy,
        policy_fingerprint=fingerprint(settings),
    )
    from cashier_gui.money import window_locale

    service.money_locale = window_locale(settings.locale)
    return Runtime(paths, settings, service, False, label, terminal, home)


def _open_training(paths: Paths, provider: str, limits: Timeouts) -> Runtime:
    from cashier_gui.money import window_locale
    from cashier_gui.simulators import viopay as vsim
    from cashier_gui.simulators.server import ServerThread

    try:  # the counter's own choices (receipts, printer, number format) apply in training too
        settings = load_settings(paths)
    except ConfigError:
        settings = Settings()
    home = journal_home(paths, training=True)
    # The simulator below starts with every practice sale as new: so does the practice journal
    # (the last one kept as training-journal.previous), unless another training window has it.
    start_afresh(home.path)
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
        ids = [
            (t.transaction_id, t.describe(window_locale(settings.locale)))
            for t in sim.transactions.values()
        ]
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
        ids = [
            (c.charge_id, vsim.describe(c, window_locale(settings.locale)))
            for c in vs.charges.values()
        ]
        state = vs
        terminal, label = vsim.TRAINING_TERMINAL_ID, _("Viopay (simulated)")
    service = RefundService(
        gateway,
        home.open(),
        terminal=terminal,
        operator=operator_name(),
        training=True,
        policy=TRAINING_POLICY,
    )
    service.money_locale = window_locale(settings.locale)
    return Runtime(
        paths,
        settings,
        service,
        True,
        label,
        terminal,
        home,
        [server],
        ids,
        state,
        operators=training_operators(paths),
        trainee=TRAINEE,
    )
