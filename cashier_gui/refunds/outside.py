"""Refunds made outside this app (issue 27 item 5): the gateway's refunds on every charge the
journal has touched, compared with the journal.

Whoever can run a Python prompt as the app's OS account can read the HMAC secret and the MSK
from the keyring and sign a refund the app never sees (docs/security.md). That cannot be
prevented on one PC; it can be *found*: the gateway's charge look-up lists the charge's
refunds, and every refund this app sent is in the journal (its refund ID, or at least its
transaction reference while its answer is unknown). A refund the journal does not hold is named
— "made outside this app: refund R… of €x on charge C…, at <time>" — kept in a findings file
beside the journal until a manager acknowledges it (then it stays in the history), and shown by
`reconcile`, the window's banner and the end-of-shift report.

Decisions:
- Which refunds count: approved and pending ones (money moved, or may). A declined refund moved
  nothing and is not named.
- Refunds dated more than `CLOCK_MARGIN` before the journal's first attempt are not named:
  the app was not in use yet (a portal refund before the app was installed is not a finding).
  The margin covers the gateway's whole seconds and a PC clock a few minutes off (the gateway
  refuses requests more than 5 minutes off). A refund without a date is named.
- A back end without a charge look-up (Poynt POS Bridge) lists no refunds: nothing can be
  compared there, and `check_outside` says so instead of reporting "nothing found".
- Findings live in `outside-refunds.json` in the data folder (0600, replaced atomically under
  an OS file lock), not in the journal: the journal may live on a shop server, and the findings
  are this counter's observations, with the last check's time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cashier_gui.files import open_private, private_dir
from cashier_gui.gateways.base import Charge, GatewayError, PastRefund, RefundStatus
from cashier_gui.i18n import _
from cashier_gui.journal import Attempt, JournalError, utcnow
from cashier_gui.locks import exclusive_file_lock
from cashier_gui.money import Money
from cashier_gui.zones import shown

if TYPE_CHECKING:
    from cashier_gui.policy import Policy
    from cashier_gui.refunds.service import RefundService

log = logging.getLogger(__name__)

FINDINGS_FILE = "outside-refunds.json"
_LOCK_FILE = "outside-refunds.lock"
#: How far before the journal's first attempt a refund is still named (clock skew, rounding).
CLOCK_MARGIN = dt.timedelta(minutes=10)
#: The gateway's refund states that moved money, or may have.
COUNTED = frozenset({RefundStatus.APPROVED, RefundStatus.PENDING})


@dataclass(frozen=True)
class OutsideRefund:
    """One refund the gateway holds and the journal does not."""

    refund_id: str
    charge_id: str
    amount_minor: int
    currency: str
    status: str  # the gateway's: approved or pending
    made_at: str | None  # when the gateway says it was made (RFC 3339), if it says
    found_at: str  # when this counter first found it (the journal's stamp format)
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def open(self) -> bool:
        """Not acknowledged by a manager yet: shown in the banner, counted by reconcile."""
        return self.acknowledged_at is None

    def words(self, locale: str | None = None) -> str:
        """The sentence people read, e.g. "made outside this app: refund rf_… of €5.00 on
        charge ch_…, at 2026-12-07 14:03"."""
        return _(
            "made outside this app: refund {refund} of {amount} on charge {charge}, at {time}"
        ).format(
            refund=self.refund_id,
            amount=self.amount.format(locale),
            charge=self.charge_id,
            time=shown_time(self.made_at),
        )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["amount"] = self.amount.plain()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutsideRefund:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


def shown_time(stamp: str | None) -> str:
    """An RFC 3339 stamp as `YYYY-MM-DD HH:MM` in the shop's zone (zones.py); "time not given"
    when the gateway gave none."""
    moment = _parse(stamp)
    if moment is None:
        return stamp or _("time not given")
    return shown(moment).strftime("%Y-%m-%d %H:%M")


def _parse(stamp: str | None) -> dt.datetime | None:
    if not stamp:
        return None
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def not_held(
    charge: Charge, attempts: Sequence[Attempt], *, since: str | None = None
) -> list[PastRefund]:
    """The charge's refunds (approved or pending) that none of `attempts` holds — by refund ID,
    or by transaction reference (an attempt whose answer is still unknown) — leaving out those
    the gateway dates before `since` (the journal's first attempt)."""
    ids = {a.refund_id for a in attempts if a.refund_id}
    refs = {a.transaction_reference for a in attempts if a.transaction_reference}
    start = _parse(since)
    out = []
    for r in charge.refunds:
        if r.status not in COUNTED or r.refund_id in ids:
            continue
        if r.transaction_reference and r.transaction_reference in refs:
            continue
        made = _parse(r.created_at)
        if start is not None and made is not None and made < start - CLOCK_MARGIN:
            continue
        out.append(r)
    return out


@dataclass
class OutsideCheck:
    """What one comparison found."""

    supported: bool  # False: this back end lists no refunds (Poynt)
    charges: int = 0  # charges looked up
    found: list[OutsideRefund] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (charge, why)


def unsupported_words() -> str:
    return _(
        "This back end (Poynt POS Bridge) cannot list a sale's refunds: refunds made outside "
        "this app cannot be found from here. Compare the terminal's or Poynt HQ's refund list "
        "with the end-of-shift report."
    )


async def check_outside(service: RefundService, *, since: str | None = None) -> OutsideCheck:
    """Look up every charge the journal has touched (its attempts since `since`, a UTC stamp;
    None: all) with this counter's gateway and name each refund the journal does not hold.
    Training never checks (the simulator moves no money). A charge whose look-up fails is
    listed in `failed` and the others still checked."""
    gateway = service.gateway
    if not gateway.has_lookup:
        return OutsideCheck(supported=False)
    if service.training:
        return OutsideCheck(supported=True)
    journal = service.journal
    attempts = await service._db(journal.query, since=since, limit=None, newest_first=False)
    first = await service._db(journal.query, limit=1, newest_first=False)
    start = first[0].created_at if first else None
    charges: list[str] = []
    for a in attempts:
        if a.training or a.provider != gateway.provider or a.charge_id in charges:
            continue
        charges.append(a.charge_id)
    check = OutsideCheck(supported=True)
    now = utcnow()
    for charge_id in charges:
        try:
            charge = await gateway.lookup(charge_id)
            held = await service._db(journal.for_charge, charge_id)
        except (GatewayError, JournalError) as exc:
            check.failed.append((charge_id, str(exc)))
            continue
        check.charges += 1
        for r in not_held(charge, held, since=start):
            check.found.append(
                OutsideRefund(
                    refund_id=r.refund_id,
                    charge_id=charge_id,
                    amount_minor=r.amount.minor,
                    currency=r.amount.currency,
                    status=str(r.status),
                    made_at=r.created_at,
                    found_at=now,
                )
            )
    return check


# ---- the findings file ------------------------------------------------------------------------


class FindingsFile:
    """`outside-refunds.json` in the data folder: every refund made outside this app that this
    counter found (acknowledged ones kept as history) and when the last check ran. Every method
    blocks briefly (disk, an OS file lock): call them off the GUI thread."""

    def __init__(self, data_dir: Path | str) -> None:
        self.folder = Path(data_dir)
        self.path = self.folder / FINDINGS_FILE

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"last_check": None, "findings": []}
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
                raise ValueError("not a findings document")
        except ValueError as exc:
            raise JournalError(
                _("{path} cannot be read ({problem}): restore it from a backup.").format(
                    path=self.path, problem=exc
                )
            ) from None
        return doc

    def _write(self, doc: dict[str, Any]) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open_private(tmp, "w") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def _locked(self) -> Any:
        private_dir(self.folder)
        with exclusive_file_lock(self.folder / _LOCK_FILE):
            yield

    def all(self) -> list[OutsideRefund]:
        """Every finding, oldest found first (acknowledged ones too)."""
        return [OutsideRefund.from_json(d) for d in self._read()["findings"]]

    def open(self) -> list[OutsideRefund]:
        """The findings no manager acknowledged yet."""
        return [f for f in self.all() if f.open]

    def for_report(self, since: str, until: str) -> list[OutsideRefund]:
        """What an end-of-shift report for [since, until) names: every open finding, and the
        acknowledged ones found in that period."""
        return [f for f in self.all() if f.open or since <= f.found_at < until]

    def last_check(self) -> str | None:
        value = self._read().get("last_check")
        return value if isinstance(value, str) else None

    def record(
        self, check: OutsideCheck, *, when: str | None = None, complete: bool = True
    ) -> list[OutsideRefund]:
        """Keep what a check found (a refund already kept is not added again) and, when every
        charge could be looked up (`complete`), when it ran — a check the network cut short
        is tried again; returns the findings that are new."""
        with self._locked():
            doc = self._read()
            known = {(d.get("charge_id"), d.get("refund_id")) for d in doc["findings"]}
            new = [f for f in check.found if (f.charge_id, f.refund_id) not in known]
            doc["findings"] += [f.to_json() for f in new]
            if complete:
                doc["last_check"] = when or utcnow()
            self._write(doc)
        for f in new:
            log.warning("refund %s on %s was made outside this app", f.refund_id, f.charge_id)
        return new

    def acknowledge(self, refund_ids: Iterable[str] | None, *, by: str) -> list[OutsideRefund]:
        """A manager has seen them: the open findings named (None: all open ones) leave the
        banner and the exit code; they stay in the file. Returns those acknowledged now."""
        wanted = set(refund_ids) if refund_ids is not None else None
        done: list[OutsideRefund] = []
        with self._locked():
            doc = self._read()
            now = utcnow()
            kept = []
            for d in doc["findings"]:
                f = OutsideRefund.from_json(d)
                if f.open and (wanted is None or f.refund_id in wanted):
                    f = replace(f, acknowledged_by=by, acknowledged_at=now)
                    done.append(f)
                kept.append(f.to_json())
            doc["findings"] = kept
            if done:
                self._write(doc)
        return done


def due(last_check: str | None, policy: Policy, now: dt.datetime | None = None) -> bool:
    """Has the daily check not run yet on the shop's today?"""
    last = _parse(last_check)
    if last is None:
        return True
    return policy.today(last) != policy.today(now)
