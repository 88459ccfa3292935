"""`ShopPolicy`: the policy a shop server keeps for every counter (schema 7), as a
`policy.PolicySource`.

Read from the server at first use; kept in memory while a listener of its own hears the
`shop_policy` channel (every change there is read again at once, and everything after each
reconnect). While no listener is connected — it has not connected yet, the link went, or it was
not started (a command-line command) — every `current()` reads the server afresh. When the server
cannot be read, `current()` raises PolicyUnavailable: a cashier's refund is refused, never
weighed under no rules (fail closed). A refund weighed under a policy that changed a moment ago
is still caught: the claim names the version it was weighed under and the server refuses
another (PolicyChanged).

Every method may block on the network: never the GUI thread.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from cashier_gui.i18n import _
from cashier_gui.policy import Policy, PolicyError, PolicyUnavailable
from cashier_gui.shop.errors import ShopError, why_unread
from cashier_gui.shop.listener import Listener
from cashier_gui.shop.model import ShopPolicyRow
from cashier_gui.shop.schema import POLICY_CHANNEL
from cashier_gui.shop.server import ShopServer
from cashier_gui.zones import shown

log = logging.getLogger(__name__)


class ShopPolicy:
    """The shop's policy for counter `counter`, through `server` (closed by `close()` only when
    `owns_server`: a journal that lends its own closes it itself)."""

    def __init__(
        self,
        server: ShopServer,
        counter: str,
        *,
        password: str | None = None,
        owns_server: bool = False,
    ) -> None:
        self.server = server
        self.counter = counter
        self._password = password
        self._owns_server = owns_server
        self._lock = threading.Lock()
        self._policy: Policy | None = None
        self._row: ShopPolicyRow | None = None
        self._listener: Listener | None = None

    in_settings = False

    def start(self) -> ShopPolicy:
        """Keep the policy in memory, refreshed whenever the server says it changed."""
        if self._listener is None:
            self._listener = Listener(
                self.server.target,
                lambda _version: self._reread(),
                self._reread,
                password=self._password,
                on_lost=self._forget,
                channel=POLICY_CHANNEL,
            ).start()
        return self

    @property
    def listening(self) -> bool:
        return self._listener is not None and self._listener.connected.is_set()

    def _reread(self) -> None:
        try:
            self._read()
        except PolicyUnavailable as exc:
            log.warning("the shop's policy could not be read: %s", exc)
            self._forget()

    def _forget(self) -> None:
        with self._lock:
            self._policy = None

    def _read(self) -> Policy:
        try:
            row = self.server.policy()
        except ShopError as exc:
            # Not "ask a manager": without the server nobody's refund can be claimed.
            raise PolicyUnavailable(
                _(
                    "The shop's policy cannot be read from the shop server right now ({problem}), "
                    "so nothing was sent. Try again when the shop server answers."
                ).format(problem=why_unread(exc))
            ) from None
        try:
            policy = Policy.from_toml(row.policy)
        except PolicyError as exc:
            raise PolicyUnavailable(
                _(
                    "The shop server's policy cannot be used on this counter ({problem}), so a "
                    "cashier's refund is not sent. A manager sets it again with cashier-refund "
                    "policy set."
                ).format(problem=exc)
            ) from None
        policy = dataclasses.replace(policy, version=row.version)
        with self._lock:
            self._policy, self._row = policy, row
        return policy

    # ---- PolicySource -------------------------------------------------------------------------

    def current(self) -> Policy:
        with self._lock:
            kept = self._policy
        if kept is not None and self.listening:
            return kept
        return self._read()

    def known(self) -> Policy:
        with self._lock:
            return self._policy or Policy()

    def origin(self) -> str:
        with self._lock:
            row = self._row
        if row is None or row.version == 0:
            return _("the shop server (no policy set there yet: no rules)")
        return _(
            "the shop server (version {version}, set by {manager} at {counter}, {when})"
        ).format(
            version=row.version,
            manager=row.changed_by or "?",
            counter=row.counter or "?",
            when=shown(row.changed_at).strftime("%Y-%m-%d %H:%M") if row.changed_at else "?",
        )

    def save(self, policy: Policy, manager: str, pin: str | None = None) -> None:
        """Put `policy` in force at every counter, as manager `manager` with their `pin`, both
        checked on the server in the same function (a wrong PIN counts towards their lock-out;
        OperatorError, WrongPin or LockedOut in words). ShopInputError when the server refuses
        the policy, ShopUnavailable when it does not answer: nothing changed either way."""
        from cashier_gui.operators import OperatorError
        from cashier_gui.shop.pin_words import pin_refused

        if not pin:
            raise OperatorError(
                _("The shop's policy is changed with a manager's PIN: type {name}'s PIN.").format(
                    name=manager
                )
            )
        change = self.server.set_policy(policy.to_toml(), manager, pin, self.counter)
        if change.status == "no_people":
            raise OperatorError(
                _(
                    "The shop server has no people yet, so nobody can change the shop's policy "
                    "from a counter. Add the shop's first manager (People…, or cashier-refund "
                    "operator add NAME --role manager), then set it. Nothing was changed."
                )
            )
        if change.status == "not_manager":
            raise OperatorError(
                _("{name} is not a manager: only a manager changes the shop's policy.").format(
                    name=change.answer[1] or manager
                )
            )
        problem = pin_refused(change.answer, manager)
        if problem is not None:
            raise problem
        self._reread()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self._owns_server:
            self.server.close()
