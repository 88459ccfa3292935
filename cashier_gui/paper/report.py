"""The end-of-shift report: what this counter — or, in a shop, every counter of the shop, one
counter or one person — refunded in a day or in one person's session.

Per currency and state — approved, pending, declined/failed, unknown, voided — the count and
the sum; per operator the same; and every unknown attempt by name, with what to do. Built from
the journal (one query over the period, read on the caller's thread: the window calls
`build_report` from a worker thread), printed as lines (receipt printer, PDF), or written as
CSV (formula-safe, like the journal's export) or JSON.

Decisions: a cancelled attempt is left out (nothing left the counter); `not_sent` counts with
declined/failed (nothing was refunded, but the cashier tried); `prepared`/`sent` count as
unknown (a report printed while a refund is in flight says so); a Poynt full refund whose
amount the terminal never told counts in the number but not in the sum, and the line says so.
Sums are integer minor units per currency — currencies are never added together.

In a shop the report is the shop's: its day is the shop's (policy time zone), the period's
attempts of every counter are read from the shop server into this PC's replica first
(`JournalHome.read_shop_period`), per-counter totals follow when it covers more than one
counter, and an unknown attempt names its counter. When the server cannot be read the report
is still printed from this PC's copy — headed NOT THE SHOP'S FIGURES with why — and the command
exits non-zero: it never passes for the shop's.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cashier_gui.config import Paths
from cashier_gui.files import OwnFiles, open_output
from cashier_gui.i18n import N_, _
from cashier_gui.journal import Attempt, JournalReader, Kind, State, stamp
from cashier_gui.money import Money, display_locale
from cashier_gui.paper.layout import Line, blank, centred, pair, paragraph, rule
from cashier_gui.paper.receipt import local_time
from cashier_gui.safetext import csv_cell

if TYPE_CHECKING:
    from cashier_gui.refunds.outside import OutsideRefund

#: The report's buckets, in print order, with their words (translated where shown).
BUCKETS: dict[str, str] = {
    "approved": N_("Refunded"),
    "voided": N_("Voided"),
    "pending": N_("Pending"),
    "declined": N_("Declined / failed"),
    "unknown": N_("Unknown — check"),
}


def _plain(minor: int, currency: str) -> str:
    return Money(minor, currency).plain() if currency else ""


def _shown(minor: int, currency: str, locale: str) -> str:
    return Money(minor, currency).format(locale) if currency else _("amount not known")


def bucket(attempt: Attempt) -> str | None:
    state = attempt.state
    if state is State.CANCELLED:
        return None
    if state is State.APPROVED:
        return "voided" if attempt.kind is Kind.VOID else "approved"
    if state is State.PENDING:
        return "pending"
    if state in (State.DECLINED, State.FAILED, State.NOT_SENT):
        return "declined"
    return "unknown"


@dataclass
class Tally:
    count: int = 0
    minor: int = 0
    without_amount: int = 0  # counted, but their amount is not known

    def add(self, attempt: Attempt) -> None:
        self.count += 1
        if attempt.amount_minor is None:
            self.without_amount += 1
        else:
            self.minor += attempt.amount_minor


@dataclass
class Report:
    title: str
    since: str  # UTC, as the journal stores it
    until: str
    operator: str | None
    training: bool
    #: currency → bucket → tally
    totals: dict[str, dict[str, Tally]] = field(default_factory=dict)
    #: operator → currency → bucket → tally
    by_operator: dict[str, dict[str, dict[str, Tally]]] = field(default_factory=dict)
    unknown: list[Attempt] = field(default_factory=list)
    count: int = 0
    #: Refunds made outside this app (refunds/outside.py): open ones, and those found in the
    #: period (acknowledged or not).
    outside: list[OutsideRefund] = field(default_factory=list)
    #: The one counter it covers (`--counter`), else None: every counter the journal holds.
    counter: str | None = None
    #: A counter in a shop: the report is the shop's (read from its server), not this PC's.
    shop: bool = False
    #: Why the shop server could not be read (then the figures are only this PC's copy, and
    #: the report says so at the top); None when it was read.
    shop_problem: str | None = None
    #: counter → currency → bucket → tally
    by_counter: dict[str, dict[str, dict[str, Tally]]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """False when a shop's report could not read the shop server."""
        return self.shop_problem is None

    def to_json(self) -> dict[str, Any]:
        def tallies(table: dict[str, Tally], currency: str) -> dict[str, Any]:
            return {
                name: {
                    "count": t.count,
                    "total": _plain(t.minor, currency),
                    "total_minor": t.minor,
                    "without_amount": t.without_amount,
                }
                for name, t in table.items()
            }

        return {
            "title": self.title,
            "since": self.since,
            "until": self.until,
            "operator": self.operator,
            "training": self.training,
            "counter": self.counter,
            "shop": {"read": self.complete, "problem": self.shop_problem} if self.shop else None,
            "attempts": self.count,
            "totals": {c: tallies(t, c) for c, t in sorted(self.totals.items())},
            "by_operator": {
                name: {c: tallies(t, c) for c, t in sorted(per.items())}
                for name, per in sorted(self.by_operator.items())
            },
            "by_counter": {
                name: {c: tallies(t, c) for c, t in sorted(per.items())}
                for name, per in sorted(self.by_counter.items())
            },
            "unknown": [
                {
                    "attempt": a.id,
                    "counter": a.counter,
                    "charge_id": a.charge_id,
                    "amount": a.amount.plain() if a.amount else None,
                    "currency": a.currency,
                    "created_at": a.created_at,
                    "operator": a.operator,
                    "reference": a.transaction_reference,
                }
                for a in self.unknown
            ],
            "outside": [f.to_json() for f in self.outside],
        }

    def write_json(self, target: Path | str, *, own: OwnFiles | None = None) -> None:
        """The report as JSON in `target` (`files.open_output`: 0600, no link, never one of
        `own`, by default this PC's `Paths.default().own_files()`)."""
        with open_output(Path(target), "w", own=own or Paths.default().own_files()) as fh:
            json.dump(self.to_json(), fh, ensure_ascii=False, indent=2)
            fh.write("\n")

    def write_csv(self, target: Path | str, *, own: OwnFiles | None = None) -> int:
        """Rows: section, operator (or counter), currency, state, count, total, without
        amount — totals, per operator, per counter (a shop) — then, when the shop server could not be
        read, a `shop_not_read` row with why, then the unknown attempts. Returns the number of
        rows written (header not counted)."""
        rows: list[list[Any]] = []
        for currency, table in sorted(self.totals.items()):
            for name, t in table.items():
                rows.append(
                    [
                        "total",
                        "",
                        currency,
                        name,
                        t.count,
                        _plain(t.minor, currency),
                        t.without_amount,
                    ]
                )
        for who, per in sorted(self.by_operator.items()):
            for currency, table in sorted(per.items()):
                for name, t in table.items():
                    rows.append(
                        [
                            "operator",
                            who,
                            currency,
                            name,
                            t.count,
                            _plain(t.minor, currency),
                            t.without_amount,
                        ]
                    )
        for where, per in sorted(self.by_counter.items() if self.shop else ()):
            for currency, table in sorted(per.items()):
                for name, t in table.items():
                    rows.append(
                        [
                            "counter",
                            where,
                            currency,
                            name,
                            t.count,
                            _plain(t.minor, currency),
                            t.without_amount,
                        ]
                    )
        if self.shop_problem is not None:
            rows.append(["shop_not_read", "", "", "", "", "", self.shop_problem])
        for a in self.unknown:
            rows.append(
                [
                    "unknown",
                    a.operator,
                    a.currency or "",
                    a.charge_id,
                    a.id,
                    a.amount.plain() if a.amount else "",
                    a.transaction_reference,
                ]
            )
        for f in self.outside:
            rows.append(
                [
                    "outside",
                    f.acknowledged_by or "",
                    f.currency,
                    f.charge_id,
                    f.refund_id,
                    f.amount.plain(),
                    f.made_at or "",
                ]
            )
        own = own or Paths.default().own_files()
        with open_output(Path(target), "w", newline="", own=own) as fh:
            writer = csv.writer(fh)
            writer.writerow(
                [
                    "section",
                    "operator",
                    "currency",
                    "state_or_charge",
                    "count_or_attempt",
                    "total",
                    "without_amount_or_reference",
                ]
            )
            for row in rows:
                writer.writerow([csv_cell(v) if isinstance(v, str) else v for v in row])
        return len(rows)

    def lines(self, width: int = 42, locale: str | None = None) -> list[Line]:
        locale = display_locale(locale)
        out: list[Line] = []
        if self.training:
            out += centred(_("TRAINING — NO MONEY MOVED"), width, bold=True)
        if self.shop_problem is not None:
            out += centred(_("NOT THE SHOP'S FIGURES"), width, bold=True)
            out += paragraph(
                _(
                    "The shop server could not be read ({problem}). Below is only what this "
                    "PC had kept: other counters' refunds may be missing. Print it again once "
                    "the shop server answers."
                ).format(problem=self.shop_problem),
                width,
            )
            out.append(rule(width, "*"))
        out += centred(self.title, width, bold=True, large=True)
        out += pair(_("From"), local_time(self.since, locale), width)
        out += pair(_("To"), local_time(self.until, locale), width)
        if self.counter:
            out += pair(_("Counter"), self.counter, width)
        elif self.shop:
            out += pair(_("Counter"), _("every counter of the shop"), width)
        if self.operator:
            out += pair(_("Operator"), self.operator, width)
        out.append(rule(width))
        if not self.totals:
            out += paragraph(_("No refunds in this period."), width)
        for currency, table in sorted(self.totals.items()):
            out += centred(currency or _("Currency not known"), width, bold=True)
            out += self._table(table, currency, width, locale)
            out.append(blank())
        if len(self.by_operator) > 1:  # one person: the totals above are theirs
            out.append(rule(width))
            out += centred(_("Per operator"), width, bold=True)
            for who, per in sorted(self.by_operator.items()):
                out.append(Line(who, bold=True))
                for currency, table in sorted(per.items()):
                    out += self._table(table, currency, width, locale, indent="  ")
        if len(self.by_counter) > 1:  # one counter: the totals above are its own
            out.append(rule(width))
            out += centred(_("Per counter"), width, bold=True)
            for where, per in sorted(self.by_counter.items()):
                out.append(Line(where, bold=True))
                for currency, table in sorted(per.items()):
                    out += self._table(table, currency, width, locale, indent="  ")
        out.append(rule(width))
        if self.unknown:
            out += centred(_("UNKNOWN — CHECK BEFORE CLOSING"), width, bold=True)
            for a in self.unknown:
                amount = a.amount.format(locale) if a.amount else _("full amount")
                out += pair(_("Attempt {id}").format(id=a.id), amount, width)
                where = f" · {a.counter}" if a.counter and len(self.by_counter) > 1 else ""
                out += paragraph(
                    "  " + a.charge_id + " · " + local_time(a.created_at, locale) + where, width
                )
            out += paragraph(
                _(
                    "Press F5 (Check now) for each. If one stays unknown, check it on the "
                    "terminal or the payment service's website and resolve it by hand. Never "
                    "refund these again before they are settled."
                ),
                width,
            )
        else:
            out += paragraph(_("No refund without an answer: nothing to check."), width)
        if self.outside:
            out.append(rule(width))
            out += centred(_("REFUNDS MADE OUTSIDE THIS APP"), width, bold=True)
            for f in self.outside:
                out += paragraph(f.words(locale), width)
                if f.acknowledged_at:
                    out += paragraph(
                        "  "
                        + _("acknowledged by {who}, {when}").format(
                            who=f.acknowledged_by, when=local_time(f.acknowledged_at, locale)
                        ),
                        width,
                    )
            out += paragraph(
                _(
                    "The payment service holds these refunds; this counter never sent them. "
                    "A manager checks each with the payment service."
                ),
                width,
            )
        return out

    @staticmethod
    def _table(
        table: dict[str, Tally], currency: str, width: int, locale: str, indent: str = ""
    ) -> list[Line]:
        out: list[Line] = []
        for name, words in BUCKETS.items():
            t = table.get(name)
            if t is None:
                continue
            total = _shown(t.minor, currency, locale)
            if t.without_amount:
                total = _("{total} + {count} of unknown amount").format(
                    total=total, count=t.without_amount
                )
            out += pair(f"{indent}{_(words)} ({t.count})", total, width)
        return out


def day_bounds(day: dt.date, zone: dt.tzinfo | None = None) -> tuple[str, str]:
    """A calendar day of the shop (`zone`: `Policy.zone()`; None = this PC's local time) as the
    journal's UTC stamps [since, until)."""
    if zone is None:
        start = dt.datetime.combine(day, dt.time.min).astimezone()
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min).astimezone()
    else:
        start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return stamp(start), stamp(end)


def build_report(
    journal: JournalReader,
    *,
    since: str,
    until: str,
    operator: str | None = None,
    counter: str | None = None,
    title: str | None = None,
    training: bool = False,
    outside: Sequence[OutsideRefund] = (),
    shop: bool = False,
    shop_problem: str | None = None,
) -> Report:
    """The report for [since, until) (UTC stamps), of one operator's attempts (made or
    approved) when `operator` is given, of one counter's when `counter` is. `outside`: the
    refunds made outside this app to name (`FindingsFile.for_report`). `shop`: the journal holds
    the shop's attempts (read from its server just before — or not: `shop_problem` says why).
    Reads the journal: blocks briefly."""
    report = Report(
        title=title or _("End-of-shift report"),
        since=since,
        until=until,
        operator=operator,
        training=training,
        outside=list(outside),
        counter=counter,
        shop=shop,
        shop_problem=shop_problem,
    )
    totals: dict[str, dict[str, Tally]] = defaultdict(dict)
    people: dict[str, dict[str, dict[str, Tally]]] = defaultdict(lambda: defaultdict(dict))
    tills: dict[str, dict[str, dict[str, Tally]]] = defaultdict(lambda: defaultdict(dict))
    for a in journal.query(
        since=since,
        until=until,
        operator=operator,
        counter=counter,
        limit=None,
        newest_first=False,
    ):
        name = bucket(a)
        if name is None:
            continue
        report.count += 1
        currency = a.currency or ""  # a Poynt full refund the terminal never priced
        totals[currency].setdefault(name, Tally()).add(a)
        people[a.operator][currency].setdefault(name, Tally()).add(a)
        tills[a.counter or journal.counter][currency].setdefault(name, Tally()).add(a)
        if name == "unknown":
            report.unknown.append(a)
    report.totals = {c: _ordered(t) for c, t in totals.items()}
    report.by_operator = {
        who: {c: _ordered(t) for c, t in per.items()} for who, per in people.items()
    }
    report.by_counter = {
        where: {c: _ordered(t) for c, t in per.items()} for where, per in tills.items()
    }
    return report


def _ordered(table: dict[str, Tally]) -> dict[str, Tally]:
    return {name: table[name] for name in BUCKETS if name in table}
