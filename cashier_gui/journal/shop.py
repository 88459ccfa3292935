"""The shop's home of the journal: a counter that has joined a shop server.

The shop server (PostgreSQL, `cashier_gui.shop`) is the one authority on whether a charge may be
refunded now; this PC's SQLite file (`SqliteJournal`) stays the counter's write-ahead log, its
outbox and a replica of the other counters' attempts. `ShopJournal` is a `Journal` like the
SQLite home, so the refund service does not know which one it has.

How a refund goes (each step durable before the next):
1. `prepare`: the local file records `prepared`; then one short server transaction claims the
   charge (lock its row with a ~2 s lock timeout, refuse while any counter has an open attempt on
   it or the sale would be over-refunded, insert the attempt under the same key). Refused → the
   local attempt is `cancelled` and ChargeBusy says which counter, when, how much. The server
   unreachable → the local attempt is `not_sent` (SHOP_UNAVAILABLE): nothing new is ever sent
   without the shop's claim — fail closed, never a silent local-only refund.
2. `send_or_cancel`: the server marks it `sent` first, then the local file; only then does the
   request leave. If the server cannot be told, it is not sent (`not_sent`). So whatever dies
   between two steps, the server never holds less than the truth: a counter killed after the
   server's `sent` leaves an attempt whose lease runs out → `unknown` shop-wide (never retried);
   killed before it → `prepared`, lease out → `cancelled` (provably never sent).
3. Outcomes are written locally first, then pushed (`record_outcome`, idempotent). A push that
   fails stays in the outbox (`SqliteJournal.outbox()`, derived from the rows) and is retried
   by `sync()` — in the background and at start-up. Until it arrives the server still says
   `sent`/`unknown`, so the charge stays blocked everywhere: safe by construction.
4. Other counters' attempts reach the replica through `sync()` (after a notification, on
   reconnect, and periodically), so History, reports, `journal list` and the charge card show
   the whole shop, and the local check in `prepare` already sees an open attempt elsewhere.

No lock or transaction is ever held across a gateway or terminal call: the service calls these
methods from its journal worker thread between the network steps. Every method may block on the
network (bounded by the server's connect, lock and statement timeouts): never the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cashier_gui.i18n import _
from cashier_gui.journal import reasons
from cashier_gui.journal.model import (
    IN_FLIGHT,
    Attempt,
    ChargeBusy,
    JournalError,
    Kind,
    NeedsManager,
    NewAttempt,
    Problem,
    SignInNeeded,
    State,
    StateChanged,
    stamp,
)
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.policy import PolicyUnavailable
from cashier_gui.shop import (
    ApproverRefused,
    AttemptRecord,
    BadTransition,
    ChargeBusyElsewhere,
    ChargeOpenElsewhere,
    Listener,
    OverDailyLimit,
    OverRefund,
    PolicyChanged,
    SessionRefused,
    ShopAttempt,
    ShopError,
    ShopSchemaError,
    ShopServer,
    ShopUnavailable,
)
from cashier_gui.shop import Kind as ShopKind
from cashier_gui.shop import State as ShopState

log = logging.getLogger(__name__)

#: How far back `sync()` re-reads the shop after a reconnect (open attempts: always).
RECENT = timedelta(days=2)


class ShopJournal:
    """A `Journal` for a counter in a shop. `local` is this PC's file (opened with this
    counter's name), `server` the shop server's pool."""

    def __init__(
        self, local: SqliteJournal, server: ShopServer, *, password: str | None = None
    ) -> None:
        """`password`: the shop user's (from the keyring), for the listener's own connection;
        kept in memory only."""
        self.local = local
        self.server = server
        self._password = password
        self._sync_lock = threading.Lock()
        #: None while the server answers; else why it does not (for the window's banner).
        self.unavailable: str | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener: Listener | None = None
        self._on_change: Callable[[str], None] | None = None

    @property
    def counter(self) -> str:
        return self.local.counter

    @property
    def path(self) -> Path:
        return self.local.path

    def close(self) -> None:
        self.stop()
        self.local.close()
        self.server.close()

    # ---- in the background --------------------------------------------------------------------

    def start(
        self,
        *,
        listen: bool = True,
        every_s: float | None = None,
        on_change: Callable[[str], None] | None = None,
    ) -> ShopJournal:
        """Keep this counter in step while it runs: `sync()` now and every `every_s` seconds
        (default: a third of the lease, at most 10 s — the heartbeat that keeps its leases,
        the outbox, silent counters' leases), and — with
        `listen` — hear the other counters at once (LISTEN/NOTIFY: the changed charge is
        mirrored, then `on_change(charge_id)`; after every reconnect, everything is re-read and
        `on_change("")`). Callbacks run on background threads: a window hands them over to its
        own thread. Stopped by `stop()`/`close()`."""
        if on_change is not None:
            self._on_change = on_change
        period = every_s if every_s is not None else min(10.0, self.server.lease_seconds / 3)
        ticker = threading.Thread(target=self._tick, args=(period,), name="shop-sync", daemon=True)
        self._threads.append(ticker)
        ticker.start()
        if listen:
            self._listener = Listener(
                self.server.target,
                self._heard,
                self._reconnected,
                password=self._password,
                on_lost=lambda: self._changed(""),
            ).start()
        return self

    def watch(self, on_change: Callable[[str], None]) -> None:
        self._on_change = on_change

    def stop(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        for thread in self._threads:
            thread.join(10)
        self._threads.clear()

    def _tick(self, every_s: float) -> None:
        while True:
            before = self.unavailable
            try:
                self.sync()
            except Exception:  # a bug must not end the heartbeat that keeps our leases
                log.exception("shop sync failed")
            if before != self.unavailable:
                self._changed("")  # the shop server came back, or went
            if self._stop.wait(every_s):
                return

    def _heard(self, charge_id: str) -> None:
        self._sync_charge(charge_id)
        self._changed(charge_id)

    def _reconnected(self) -> None:
        self.sync()
        self._changed("")

    def _changed(self, charge_id: str) -> None:
        if self._on_change is not None:
            try:
                self._on_change(charge_id)
            except Exception:
                log.exception("a shop change callback failed")

    # ---- writes -------------------------------------------------------------------------------

    def prepare(
        self,
        new: NewAttempt,
        *,
        actor: str | None = None,
        guard: Callable[[Sequence[Attempt]], object] | None = None,
    ) -> Attempt:
        self._sync_charge(new.charge_id)  # what the other counters did on it, best effort
        attempt = self.local.prepare(new, actor=actor, guard=guard)
        try:
            self.server.claim(self._record(new, attempt), self.counter)
        except (OverDailyLimit, PolicyChanged, ApproverRefused) as exc:
            # The shop's policy, as the server weighs it at the claim: a manager must approve
            # (the per-day count over every counter; an approver the server did not take: a
            # wrong PIN, not a manager), or weigh it again (a new policy).
            self.local.transition(
                attempt.key,
                State.CANCELLED,
                expect=State.PREPARED,
                error_code=reasons.CLAIM_POLICY,
                actor=actor,
            )
            if isinstance(exc, (OverDailyLimit, ApproverRefused)):
                raise NeedsManager(str(exc)) from None
            raise ChargeBusy(str(exc)) from None
        except SessionRefused as exc:
            # Who refunds is proved by the sign-in, and it no longer holds: sign in again.
            self.local.transition(
                attempt.key,
                State.CANCELLED,
                expect=State.PREPARED,
                error_code=reasons.CLAIM_SIGN_IN,
                actor=actor,
            )
            raise SignInNeeded(str(exc)) from None
        except (ChargeOpenElsewhere, ChargeBusyElsewhere, OverRefund) as exc:
            code, other = _refusal(exc)
            self.local.transition(
                attempt.key,
                State.CANCELLED,
                expect=State.PREPARED,
                error_code=code,
                error_message=other,
                actor=actor,
            )
            self._sync_charge(new.charge_id)
            raise ChargeBusy(str(exc)) from None
        except ShopError as exc:  # unreachable, refused access, schema: fail closed
            if isinstance(exc, (ShopUnavailable, ShopSchemaError)):
                self._down(exc)
            else:
                log.error("the shop server refused a claim: %s", exc)
            return self.local.transition(
                attempt.key,
                State.NOT_SENT,
                expect=State.PREPARED,
                error_code=reasons.SHOP_UNAVAILABLE,
                actor=actor,
            )
        self._up()
        self.local.pushed(attempt.key, State.PREPARED)
        return attempt

    def send_or_cancel(
        self, key: str, cancelled: Callable[[], bool], *, actor: str | None = None
    ) -> Attempt:
        if cancelled():
            done = self.local.send_or_cancel(key, lambda: True, actor=actor)
            self._push(done)
            return done
        try:
            self.server.mark_sent(key, self.counter)
        except (ShopError, BadTransition) as exc:
            # Not known as sent by the shop (unreachable, or its lease ran out and it was
            # cancelled there): it must not be sent.
            if isinstance(exc, ShopUnavailable):
                self._down(exc)
            done = self.local.transition(
                key,
                State.NOT_SENT,
                expect=State.PREPARED,
                error_code=reasons.SHOP_UNAVAILABLE,
                actor=actor,
            )
            self._push(done)
            return done
        self._up()
        self.local.pushed(key, State.SENT)
        return self.local.send_or_cancel(key, lambda: False, actor=actor)

    def transition(
        self,
        key: str,
        state: State,
        *,
        expect: State | frozenset[State] | None = None,
        refund_id: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        trace_id: str | None = None,
        amount: Money | None = None,
        actor: str | None = None,
    ) -> Attempt:
        done = self.local.transition(
            key,
            state,
            expect=expect,
            refund_id=refund_id,
            error_code=error_code,
            error_message=error_message,
            trace_id=trace_id,
            amount=amount,
            actor=actor,
        )
        self._push(done)
        return done

    def claim_resend(self, key: str, *, actor: str | None = None) -> Attempt | None:
        """A re-send keeps the attempt `unknown` on the server (the charge stays blocked
        shop-wide while it is asked again); only its bound answer moves it."""
        return self.local.claim_resend(key, actor=actor)

    def resolve_by_hand(
        self, key: str, *, refunded: bool, by: str, why: str, actor: str | None = None
    ) -> Attempt:
        done = self.local.resolve_by_hand(key, refunded=refunded, by=by, why=why, actor=actor)
        self._push(done)
        return done

    def recover_abandoned(
        self, counter: str | None = None, *, actor: str | None = None
    ) -> list[Attempt]:
        """This PC's dead senders (its own file locks), then what the server says of dead
        counters (leases): their `sent` attempts are `unknown` shop-wide, never retried."""
        settled = self.local.recover_abandoned(counter, actor=actor)
        for attempt in settled:
            self._push(attempt)
        self.sync()
        return settled

    # ---- the outbox and the replica -----------------------------------------------------------

    def sync(self) -> bool:
        """Push what the server does not have yet, let leases of silent counters run out, and
        mirror the shop's open and recent attempts. True when the server answered. Safe from
        any thread; one sync at a time."""
        with self._sync_lock:
            try:
                for attempt in self.local.outbox():
                    self._push(attempt, quiet=False)
                self.server.heartbeat(self.counter)
                self.server.expire_leases(self.counter)
                since = datetime.now(UTC) - RECENT
                seen = self.server.attempts(
                    states=[ShopState.PREPARED, ShopState.SENT, ShopState.UNKNOWN], limit=100_000
                )
                seen += self.server.attempts(since=since, limit=100_000)
            except ShopError as exc:
                self._down(exc)
                return False
            self._up()
            for theirs in seen:
                self._mirror(theirs)
            return True

    def sync_charge(self, charge_id: str) -> list[Attempt]:
        """Mirror one charge's attempts (after a notification); returns those that changed."""
        return self._sync_charge(charge_id)

    def _sync_charge(self, charge_id: str) -> list[Attempt]:
        try:
            seen = self.server.attempts(charge_id=charge_id, limit=1000)
        except ShopError as exc:
            self._down(exc)
            return []
        self._up()
        return [a for a in (self._mirror(t) for t in seen) if a is not None]

    def _mirror(self, theirs: ShopAttempt) -> Attempt | None:
        try:
            return self.local.mirror(_as_attempt(theirs))
        except StateChanged:
            return None

    def _push(self, attempt: Attempt, *, quiet: bool = True) -> None:
        """Tell the server this attempt's state (idempotent). An attempt the server never
        claimed, or one still in flight, has nothing to push."""
        if attempt.state in IN_FLIGHT or self.local.shop_state(attempt.key) is None:
            return
        try:
            self.server.record_outcome(
                attempt.key,
                ShopState(attempt.state.value),
                refund_id=attempt.refund_id,
                error_code=attempt.error_code,
                gateway_text=attempt.error_message,
                amount=attempt.amount if attempt.amount_minor is not None else None,
                by=self.counter,
            )
        except BadTransition as exc:
            # The server moved on (e.g. a lease ran out, or another counter settled it): its
            # word stands there; ours is corrected where the state machine allows.
            log.warning("shop server keeps %s as %s, not %s", attempt.key, exc.current, exc.wanted)
            self.local.pushed(attempt.key, State(exc.current))
            self._sync_charge(attempt.charge_id)
            return
        except ShopError as exc:
            self._down(exc)
            if not quiet:
                raise
            return
        self._up()
        self.local.pushed(attempt.key, attempt.state)

    def _record(self, new: NewAttempt, kept: Attempt) -> AttemptRecord:
        """What the server is told: `new`, with the text as this PC's file kept it (cleaned,
        capped: a gateway's odd card brand must not stop a refund)."""
        return AttemptRecord(
            global_id=new.key,
            charge_id=new.charge_id,
            kind=ShopKind(new.kind.value),
            provider=new.provider,
            amount=new.amount,
            operator=new.operator,
            approver=new.approver,
            charge_total=new.charge_total,
            currency=new.charge_total.currency if new.charge_total is not None else None,
            terminal=new.terminal,
            transaction_reference=new.transaction_reference,
            reason=new.reason,
            full_refund=new.full_refund,
            card_brand=kept.card_brand,
            card_last4=kept.card_last4,
            policy_version=new.policy_version,
            approver_pin=new.approver_pin,
            session=new.session,
        )

    def _down(self, exc: Exception) -> None:
        if self.unavailable is None:
            log.warning("shop server unavailable: %s", getattr(exc, "reason", "") or exc)
        self.unavailable = str(exc)

    def _up(self) -> None:
        self.unavailable = None

    # ---- reads: the replica -------------------------------------------------------------------

    def get(self, key: str) -> Attempt:
        """From this PC's file; another counter's attempt not seen here yet is fetched."""
        try:
            return self.local.get(key)
        except JournalError:
            if not self._fetch(key):
                raise
            return self.local.get(key)

    def find(self, ref: str) -> Attempt:
        try:
            return self.local.find(ref)
        except JournalError:
            if not self._fetch(ref.strip()):
                raise
            return self.local.get(ref.strip())

    def _fetch(self, key: str) -> bool:
        """Mirror one attempt the server has (by key); False when it has none or is away."""
        try:
            theirs = self.server.attempt(key)
        except (ShopError, ValueError):
            return False
        return theirs is not None and self._mirror(theirs) is not None

    def by_refund_id(self, refund_id: str) -> Attempt | None:
        return self.local.by_refund_id(refund_id)

    def by_reference(self, transaction_reference: str) -> Attempt | None:
        return self.local.by_reference(transaction_reference)

    def for_charge(self, charge_id: str) -> list[Attempt]:
        """Every counter's attempts on the charge, as the server has them now (when it
        answers; else as last mirrored)."""
        self._sync_charge(charge_id)
        return self.local.for_charge(charge_id)

    def unresolved(self, counter: str | None = None) -> list[Attempt]:
        self._refresh(counter, ShopState.PREPARED, ShopState.SENT, ShopState.UNKNOWN)
        return self.local.unresolved(counter)

    def unknown(self, counter: str | None = None) -> list[Attempt]:
        self._refresh(counter, ShopState.UNKNOWN)
        return self.local.unknown(counter)

    def pending(self, counter: str | None = None) -> list[Attempt]:
        self._refresh(counter, ShopState.PENDING)
        return self.local.pending(counter)

    def _refresh(self, counter: str | None, *states: ShopState) -> None:
        """Before a scoped read that may reach beyond this counter: mirror what the server
        has in those states (best effort: the replica as it is when the server is away)."""
        if counter == self.counter:
            return
        try:
            seen = self.server.attempts(counter=counter, states=states, limit=100_000)
        except ShopError as exc:
            self._down(exc)
            return
        for theirs in seen:
            self._mirror(theirs)

    def count_by_operator(self, operator: str, since: str) -> int:
        """`operator`'s refunds today at every counter, as the shop server counts them: the day
        is the shop policy's (`since`, this PC's idea of it, is not used). PolicyUnavailable
        when the server does not answer: the count is not guessed from this PC's copy."""
        try:
            count = self.server.refunds_today(operator)
        except ShopError as exc:
            self._down(exc)
            raise PolicyUnavailable(
                _(
                    "The shop server cannot count today's refunds right now ({problem}), so a "
                    "cashier's refund is not sent. Try again when it answers, or ask a manager."
                ).format(problem=exc)
            ) from None
        self._up()
        return count

    def query(self, **filters: Any) -> list[Attempt]:
        return self.local.query(**filters)

    def count(self, **filters: Any) -> int:
        return self.local.count(**filters)

    def distinct(self, column: str) -> list[str]:
        return self.local.distinct(column)

    def totals(self, since: str, until: str) -> dict[str, int]:
        return self.local.totals(since, until)

    def export_csv(self, target: Path | str, **filters: Any) -> int:
        return self.local.export_csv(target, **filters)

    def verify(self) -> list[Problem]:
        """This PC's file (its hash chain), the shop server's chain, and this counter's own
        attempts compared with what the server holds of them — naming every difference. The
        server unreachable is a problem too: nothing could be compared."""
        problems = self.local.verify()
        try:
            chain = self.server.verify_chain()
            held = {
                a.global_id: a for a in self.server.attempts(counter=self.counter, limit=100_000)
            }
        except ShopError as exc:
            return [*problems, Problem(_("the shop server"), str(exc))]
        problems += [Problem(_("the shop server's chain"), p) for p in chain]
        for mine in self.local.query(counter=self.counter, limit=None, newest_first=False):
            there = held.pop(mine.key, None)
            kept = self.local.shop_state(mine.key)
            where = _("refund attempt {id}").format(id=mine.id)
            if there is None:
                if kept is not None:
                    problems.append(Problem(where, _("the shop server does not have it")))
                continue
            if kept == mine.state and there.state.value != mine.state.value:
                problems.append(
                    Problem(
                        where,
                        _("is {here} here, {there} on the shop server").format(
                            here=mine.state, there=there.state.value
                        ),
                    )
                )
            elif mine.refund_id and there.refund_id and mine.refund_id != there.refund_id:
                problems.append(
                    Problem(
                        where,
                        _("has refund {here} here, {there} on the shop server").format(
                            here=mine.refund_id, there=there.refund_id
                        ),
                    )
                )
        for gid in held:
            problems.append(
                Problem(
                    _("the shop server"),
                    _("holds {key} for this counter, which this PC's journal does not").format(
                        key=gid
                    ),
                )
            )
        return problems


#: At most this many attempts are read for one period (a shop's busiest day is far below).
PERIOD_LIMIT = 100_000


def read_period(
    server: ShopServer, since: str, until: str, counter: str | None = None
) -> list[ShopAttempt]:
    """Every counter's attempts made in [since, until) (UTC stamps as the journal stores them),
    or one counter's: what a shop-wide report reads (then `mirror_all`). Raises ShopError when
    the server cannot be read — the caller says so rather than show this PC's copy as the
    shop's; ShopInputError when the period holds more than PERIOD_LIMIT (it would be
    incomplete)."""
    from cashier_gui.shop import ShopInputError

    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    seen = server.attempts(
        counter=counter, since=moment(since), until=moment(until), limit=PERIOD_LIMIT
    )
    if len(seen) >= PERIOD_LIMIT:
        raise ShopInputError(
            _("The period holds more than {count} refund attempts: choose a shorter one.").format(
                count=PERIOD_LIMIT
            )
        )
    return seen


def mirror_all(local: SqliteJournal, seen: Sequence[ShopAttempt]) -> None:
    """Keep what the server said of these attempts in this PC's replica (500 to a transaction),
    this counter's own answered ones included (a new PC for the counter)."""
    for start in range(0, len(seen), 500):
        with local.batch():
            for theirs in seen[start : start + 500]:
                try:
                    local.mirror(_as_attempt(theirs), own_settled=True)
                except StateChanged:
                    continue


def _refusal(exc: ShopError) -> tuple[str, str | None]:
    """The reason code a refused claim is kept under, and the other counter's name (data for
    the words, made when shown)."""
    if isinstance(exc, ChargeOpenElsewhere):
        return reasons.CLAIM_OPEN, exc.counter
    if isinstance(exc, ChargeBusyElsewhere):
        return reasons.CLAIM_BUSY, exc.counter
    return reasons.CLAIM_OVER, None


def _as_attempt(theirs: ShopAttempt) -> Attempt:
    """The server's record of an attempt as this journal's `Attempt` (what the replica keeps)."""
    amount = theirs.amount
    return Attempt(
        id=0,
        provider=theirs.provider,
        terminal=theirs.terminal or theirs.counter,
        charge_id=theirs.charge_id,
        amount_minor=amount.minor if amount is not None else None,
        currency=amount.currency if amount is not None else theirs.currency,
        reason=theirs.reason,
        note=None,
        transaction_reference=theirs.transaction_reference or f"shop:{theirs.global_id}",
        idempotency_key=theirs.global_id,
        operator=theirs.operator or theirs.counter,
        training=False,
        state=State(theirs.state.value),
        refund_id=theirs.refund_id,
        error_code=theirs.error_code,
        error_message=theirs.gateway_text,
        trace_id=None,
        created_at=stamp(theirs.created_at),
        updated_at=stamp(theirs.updated_at),
        full_refund=theirs.full_refund,
        kind=Kind(theirs.kind.value),
        approver=theirs.approver,
        card_brand=theirs.card_brand,
        card_last4=theirs.card_last4,
        counter=theirs.counter,
        resolved_by=None,
        resolution=None,
    )
