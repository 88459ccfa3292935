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

import functools
import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cashier_gui import zones
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
from cashier_gui.operators import Operator, OperatorError, OperatorStore, PeopleStore, Role
from cashier_gui.policy import Policy, PolicySource, SettingsPolicy
from cashier_gui.refunds import RefundService
from cashier_gui.secrets import SHOP_PASSWORD, SecretStore

if TYPE_CHECKING:  # the simulators' server (aiohttp) is imported for training only
    from cashier_gui.journal.shop_import import ImportSummary
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

        try:
            password = self.password() if self.password is not None else None
            server = self._server(password)
        except BaseException:
            local.close()
            raise
        return ShopJournal(local, server, password=password).start()

    def policy(
        self, paths: Paths, settings: Settings, journal: Journal | None = None
    ) -> PolicySource:
        """Where this counter's policy comes from, chosen with the journal: the settings file's
        `[policy]` on a counter alone (and in training: `open_runtime` gives it its own); in a
        shop, the shop server's — the local `[policy]` is ignored there (doctor says so).
        `journal`, this home's as `open()` made it, lends its server and the policy is kept
        in step (LISTEN shop_policy); without it (a command that sets or shows the policy) the
        source opens a connection of its own and reads afresh each time. Close it when done."""
        if self.shop is None:
            return SettingsPolicy(settings.policy, functools.partial(_write_policy, paths))
        from cashier_gui.journal.shop import ShopJournal
        from cashier_gui.shop.shop_policy import ShopPolicy

        password = self.password() if self.password is not None else None
        if isinstance(journal, ShopJournal):
            return ShopPolicy(journal.server, self.shop.counter, password=password).start()
        return ShopPolicy(self._server(password), self.shop.counter, owns_server=True)

    def _server(self, password: str | None) -> Any:
        """A new pool to the shop server (ConfigError when its settings cannot be used)."""
        from cashier_gui.shop import ShopInputError, ShopServer

        assert self.shop is not None
        try:
            return ShopServer(
                self.shop.url,
                password=password,
                ca_file=self.shop.ca_file,
                lease_seconds=self.shop.lease_seconds,
                application_name=f"cashier-refund {self.shop.counter}",
            )
        except ShopInputError as exc:
            raise ConfigError(f"shop_server: {exc}") from None

    def import_to_shop(self, progress: Callable[[int, int], None] | None = None) -> ImportSummary:
        """`shop import`: this PC's own settled history onto the shop server it joined, under
        this counter's name (journal/shop_import.py). Only for a counter in a shop."""
        from cashier_gui.journal.shop_import import import_history
        from cashier_gui.shop import ShopServer

        assert self.shop is not None
        password = self.password() if self.password is not None else None
        with (
            SqliteJournal(self.path, counter=self.shop.counter) as local,
            ShopServer(self.shop.url, password=password, ca_file=self.shop.ca_file) as server,
        ):
            return import_history(local, server, progress=progress)

    def read_shop_period(self, since: str, until: str, counter: str | None = None) -> int:
        """A shop-wide report's reading: every counter's attempts of [since, until) (or one
        counter's) from the shop server into this PC's replica, which the report then reads.
        Raises ShopError when the server cannot be read: the report must say so. Only for a
        counter in a shop; blocks on the network (never the GUI thread)."""
        from cashier_gui.journal.shop import mirror_all, read_period
        from cashier_gui.shop import ShopServer

        assert self.shop is not None
        password = self.password() if self.password is not None else None
        with ShopServer(
            self.shop.url, password=password, ca_file=self.shop.ca_file, wait_s=3
        ) as server:
            seen = read_period(server, since, until, counter)
        with SqliteJournal(self.path, counter=self.shop.counter) as local:
            mirror_all(local, seen)
        return len(seen)

    def reader(self, *, fresh: bool = False) -> JournalReader:
        """A reader with its own connection (History, reports, the CLI): reads never wait on
        the service's writes. Close it when done. In a shop it reads this PC's replica of the
        shop's attempts; `fresh` brings the replica up to date first (when the server answers)."""
        if fresh and self.shop is not None:
            journal = self.open()
            journal.close()  # its first sync ran as it started
        return SqliteJournal(self.path, counter=self.counter)


def _write_policy(paths: Paths, policy: Policy) -> None:
    """The settings file with `policy` as its `[policy]` (the rest as it is)."""
    from dataclasses import replace

    from cashier_gui.config import save_settings

    settings = load_settings(paths)
    save_settings(paths, replace(settings, policy=replace(policy, seal_broken=False)))


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


def people_home(
    paths: Paths,
    *,
    settings: Settings | None = None,
    secrets: SecretStore | None = None,
) -> PeopleStore:
    """Who may sign in, chosen where the journal's home is: this PC's operators file, or — once
    the counter has joined a shop — the shop server's people (the local file is then not read
    at all: editing it changes no one's role). Never blocks: a shop is reached, and the keyring
    read, on the first call (from a worker thread)."""
    shop = settings.shop_server if settings is not None else None
    if shop is None:
        return OperatorStore(paths.operators)
    from cashier_gui.shop.people import ShopPeople  # psycopg only on a counter in a shop

    store = secrets or SecretStore(settings.profile if settings is not None else "default")
    return ShopPeople.at(
        shop.url, shop.counter, password=lambda: store.get(SHOP_PASSWORD), ca_file=shop.ca_file
    )


class UnknownPeople:
    """The people of a counter whose settings cannot be read: every call raises why. Never the
    PC's operators file instead — whoever broke the settings would choose the managers."""

    def __init__(self, error: ConfigError) -> None:
        self.error = error

    def _fail(self, *_args: Any, **_kwargs: Any) -> Any:
        raise ConfigError(str(self.error))

    list = any = verify = sign_in = sign_out = locked_until = _fail
    add = remove = set_pin = unlock = lock = _fail

    def close(self) -> None:
        pass


def people_of(paths: Paths) -> PeopleStore:
    """`people_home` with the settings read here (a small file); unreadable: UnknownPeople."""
    try:
        settings = load_settings(paths)
    except ConfigError as exc:
        return UnknownPeople(exc)
    return people_home(paths, settings=settings)


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
    #: The people who may sign in: the counter's (or shop's), or in training the training
    #: manager.
    operators: PeopleStore | None = None
    #: Training: who practises (signed in without a PIN); None for a real counter.
    trainee: Operator | None = None
    #: The real counter's people (`people_home`): also in training, where managers are real.
    counter_people: PeopleStore | None = None
    #: Training: `training_ids` as the simulator has them now (what is still refundable after
    #: a practice refund); read off the GUI thread.
    practice_list: Callable[[], list[tuple[str, str]]] | None = None

    @property
    def people(self) -> PeopleStore:
        if self.counter_people is None:
            self.counter_people = people_home(self.paths, settings=self.settings)
        return self.counter_people

    def reader(self) -> JournalReader:
        """A reader of this counter's journal, with its own connection: close it when done."""
        return self.home.reader()

    async def aclose(self) -> None:
        import asyncio

        await self.service.aclose()
        await asyncio.to_thread(self.service.journal.close)  # a shop's threads stop: may wait
        if self.counter_people is not None:
            await asyncio.to_thread(self.counter_people.close)  # a shop's connections
        for sim in self.simulators:
            await asyncio.to_thread(sim.stop)  # waits for its thread: not on the GUI thread


def warm_up(settings: Settings) -> None:
    """Load what the first lookup would otherwise load on the GUI thread: Babel's locale data
    (≈ 20 ms), the async back end httpx's transport imports on its first connection (anyio's
    asyncio back end, 26 modules, ≈ 35 ms) and the reference's pattern. Called from the worker
    thread that opens the runtime."""
    import contextlib
    import importlib

    from cashier_gui.money import Money

    for currency in ("EUR", settings.default_currency or "USD"):
        Money(1234, currency).format(settings.locale)
    from cashier_gui.refunds.model import make_reference

    make_reference("POS")  # compiles its pattern here, not in the first lookup's turn
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


#: The training manager's PIN record, hashed once ahead of time under operators.SCRYPT_N/R/P
#: (a fixed salt: the PIN is public and guards no money; tests check it against scrypt).
TRAINING_MANAGER_SALT = "Y2FzaGllci10cmFpbmluZw=="  # b"cashier-training"
TRAINING_MANAGER_HASH = "me3BaGc9ufGgngzyc2EJa3jgvJ3bumjvQ/s/RJJ8cPE="


def training_operators(paths: Paths) -> OperatorStore:
    """The training counter's people (its own file beside the training journal): the training
    manager, PIN 1234 — printed on the training screen, it guards no money. Kept when its
    record is still the one hashed ahead of time and not locked; otherwise (first training
    run, a trainee changed or locked it, a damaged file) started afresh. No scrypt runs here:
    checking the PIN at every start cost 32 MiB of peak memory (decision, issue 22)."""
    store = OperatorStore(paths.data_dir / "training-operators.json")
    args = (TRAINING_MANAGER, Role.MANAGER, TRAINING_MANAGER_SALT, TRAINING_MANAGER_HASH)
    try:
        store.keep_prehashed(*args)
    except OperatorError:  # a damaged training file: it guards nothing, start afresh
        store.path.unlink(missing_ok=True)
        store.keep_prehashed(*args)
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

    journal = home.open()
    try:
        source = home.policy(paths, settings, journal)
    except BaseException:
        journal.close()
        raise
    zones.follow(lambda: source.known().zone())  # times shown in the shop's zone
    service = RefundService(
        gateway,
        journal,
        terminal=terminal,
        operator=operator_name(),
        policy_source=source,
        policy_fingerprint=fingerprint(settings),
    )
    from cashier_gui.money import window_locale

    service.money_locale = window_locale(settings.locale)
    people = people_home(paths, settings=settings, secrets=store)
    return Runtime(paths, settings, service, False, label, terminal, home, counter_people=people)


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

        def listing() -> list[tuple[str, str]]:
            locale = window_locale(settings.locale)
            return [(t.transaction_id, t.describe(locale)) for t in list(sim.transactions.values())]

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

        def listing() -> list[tuple[str, str]]:
            locale = window_locale(settings.locale)
            return [(c.charge_id, vsim.describe(c, locale)) for c in list(vs.charges.values())]

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
    zones.follow(TRAINING_POLICY.zone)
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
        listing(),
        state,
        operators=training_operators(paths),
        trainee=TRAINEE,
        counter_people=people_home(paths, settings=settings),
        practice_list=listing,
    )
