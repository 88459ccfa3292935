"""The refund screen's rules, without Qt: what every input means in every stage.

The panel feeds events in (keys with their time, Enter, Esc, F5, Ctrl+N, Cancel, a lookup or a
send finishing) and carries out the effects that come back (start a lookup, show a stage, send,
cancel, check unanswered refunds, put text in the charge field, say something). Nothing here
touches a widget, so every stage × input is tested directly (tests/ui/test_flow.py).

Decisions the rules encode:
- **A scan is a burst**: at least `SCAN_MIN_CHARS` characters, each within `SCAN_GAP` seconds
  of the one before, ended by Enter within `SCAN_GAP` — a person does not type that fast
  (`ui/scan.py`'s `ScanDetector`, which sign-in asks too). A scan
  is a new charge from any stage but sending: it drops an unsent form (and a confirm card) and
  starts a lookup of the scanned ID. While sending, a scan is kept and shown in the charge field
  when the result arrives (never sent, never looked up behind the cashier's back).
- **A confirm is deliberate**: Enter confirms only when it is not the end of a burst and the
  confirm card has been on screen for `CONFIRM_GUARD` seconds.
- **Only the latest lookup counts**: a lookup that finishes after another was started (a second
  scan) is dropped, so an old charge never comes back onto the form.
- **Esc steps back** one stage (confirm → form → lookup keeping the ID; result → lookup);
  while sending it asks to cancel (the journal decides whether it still can).
- After a result the charge field has the focus: the next scan starts the next refund at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cashier_gui.i18n import _
from cashier_gui.ui.scan import ScanDetector as ScanDetector  # the flow's `detector`

CONFIRM_GUARD = 0.3  # seconds the confirm card is shown before Enter confirms


class Stage(StrEnum):
    LOOKUP = "lookup"  # only the charge field (maybe a lookup in progress)
    CHARGE = "charge"  # the charge's details and the refund form
    CONFIRM = "confirm"  # one question, everything locked
    SENDING = "sending"  # waiting for the journal and the gateway
    RESULT = "result"  # the outcome


# ---- events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Typed:
    """A printable character, from whatever widget has the focus."""

    char: str
    at: float


@dataclass(frozen=True)
class Enter:
    at: float


@dataclass(frozen=True)
class Scanned:
    """A scan a widget told apart itself (the approval card's keypad: a fast run that cannot be
    a PIN). Nothing of it was typed into a field the flow must undo."""

    code: str


@dataclass(frozen=True)
class Escape:
    pass


@dataclass(frozen=True)
class Refresh:
    """F5: check refunds without an answer."""


@dataclass(frozen=True)
class NewRefund:
    """Ctrl+N."""


@dataclass(frozen=True)
class Cancel:
    """The Cancel button while sending."""


@dataclass(frozen=True)
class Choose:
    """A click on the charge card's Refund or Void sale button (a deliberate act): on to the
    confirm card for that kind. A refund needs a form that passes the checks."""

    kind: str  # "refund" or "void"
    at: float


@dataclass(frozen=True)
class Confirm:
    """A click on the confirm card's button: deliberate, so no guard time."""


@dataclass(frozen=True)
class BackToConfirm:
    """Sending stopped before anything was sent (a cancel, the manager's name or PIN refused):
    back to the confirm card, Enter guarded again."""

    message: str
    at: float


@dataclass(frozen=True)
class LookupDone:
    charge_id: str
    view: Any  # refunds.ChargeView


@dataclass(frozen=True)
class LookupFailed:
    charge_id: str
    message: str


@dataclass(frozen=True)
class FormReady:
    """The form holds an amount and reason that pass the checks (the panel validates)."""

    ok: bool


@dataclass(frozen=True)
class SendDone:
    attempt: Any  # journal.Attempt, in its final, pending, unknown or cancelled state
    at: float


@dataclass(frozen=True)
class SendRefused:
    """Refused before anything was written (rules, another window): back to the form."""

    message: str


@dataclass(frozen=True)
class Reconciled:
    """A check of unanswered refunds finished: what is on screen may have changed."""


Event = (
    Typed
    | Enter
    | Scanned
    | Escape
    | Refresh
    | NewRefund
    | Cancel
    | Choose
    | Confirm
    | BackToConfirm
    | LookupDone
    | LookupFailed
    | FormReady
    | SendDone
    | SendRefused
    | Reconciled
)

# ---- effects ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Show:
    stage: Stage


@dataclass(frozen=True)
class StartLookup:
    charge_id: str


@dataclass(frozen=True)
class StartSend:
    pass


@dataclass(frozen=True)
class RequestCancel:
    pass


@dataclass(frozen=True)
class StartReconcile:
    pass


@dataclass(frozen=True)
class SetChargeField:
    """Replace the charge field's text (undoing characters a scan typed elsewhere)."""

    text: str


@dataclass(frozen=True)
class UndoBurst:
    """The burst's characters went into the focused widget: take them out again."""

    count: int


@dataclass(frozen=True)
class FocusChargeField:
    pass


@dataclass(frozen=True)
class ReloadResult:
    """Re-read the shown attempt from the journal: a check may have settled it."""


@dataclass(frozen=True)
class ClearForm:
    pass


@dataclass(frozen=True)
class Say:
    text: str


Effect = (
    Show
    | StartLookup
    | StartSend
    | RequestCancel
    | StartReconcile
    | SetChargeField
    | UndoBurst
    | FocusChargeField
    | ReloadResult
    | ClearForm
    | Say
)


# ---- the machine ----------------------------------------------------------------------------------


@dataclass
class RefundFlow:
    """One refund screen. `handle(event)` returns the effects, in order."""

    stage: Stage = Stage.LOOKUP
    charge_field: str = ""
    looking_up: str | None = None  # the lookup whose answer counts
    view: Any = None
    form_ok: bool = False
    confirm_since: float | None = None
    scanned_while_sending: str | None = None
    kind: str = "refund"  # what the confirm card asks for: "refund" or "void"
    detector: ScanDetector = field(default_factory=ScanDetector)

    def handle(self, event: Event) -> list[Effect]:
        match event:
            case Typed(char, at):
                self.detector.typed(char, at)
                return []
            case Enter(at):
                burst_chars = self.detector.pending
                code = (self.detector.enter(at) or "").strip()
                if code:
                    return [UndoBurst(burst_chars), *self._scan(code)]
                return self._enter(at)
            case Scanned(code):
                code = code.strip()
                return self._scan(code) if code else []
            case Escape():
                return self._escape()
            case Refresh():
                return [] if self.stage is Stage.SENDING else [StartReconcile()]
            case Reconciled():
                return self._reconciled()
            case NewRefund():
                return [] if self.stage is Stage.SENDING else self._new()
            case Cancel():
                return [RequestCancel()] if self.stage is Stage.SENDING else []
            case Choose(kind, at):
                return self._choose(kind, at)
            case Confirm():
                if self.stage is not Stage.CONFIRM:
                    return []
                self.stage, self.confirm_since = Stage.SENDING, None
                return [Show(Stage.SENDING), StartSend()]
            case BackToConfirm(message, at):
                if self.stage is not Stage.SENDING:
                    return []
                self.stage, self.confirm_since = Stage.CONFIRM, at
                return [Show(Stage.CONFIRM), Say(message)]
            case LookupDone(charge_id, view):
                return self._lookup_done(charge_id, view)
            case LookupFailed(charge_id, message):
                if charge_id != self.looking_up:
                    return []  # an older lookup: another was started since
                self.looking_up = None
                self.stage = Stage.LOOKUP
                return [Show(Stage.LOOKUP), Say(message), FocusChargeField()]
            case FormReady(ok):
                self.form_ok = ok
                return []
            case SendDone(attempt, at):
                return self._send_done(attempt, at)
            case SendRefused(message):
                if self.stage is not Stage.SENDING:
                    return []
                self.stage = Stage.CHARGE
                return [Show(Stage.CHARGE), Say(message)]
        raise AssertionError(f"unhandled event {event!r}")  # pragma: no cover

    def typed_charge_id(self, text: str) -> None:
        """The charge field's text as the cashier edits it by hand."""
        self.charge_field = text

    # ---- rules ------------------------------------------------------------------------------

    def _scan(self, code: str) -> list[Effect]:
        if self.stage is Stage.SENDING:
            self.scanned_while_sending = code
            return [
                Say(
                    _("Scanned {code}: it is looked up when this refund's answer is shown.").format(
                        code=code
                    )
                )
            ]
        dropped = self.stage in (Stage.CHARGE, Stage.CONFIRM)
        self.stage = Stage.LOOKUP
        self.view = None
        self.form_ok = False
        self.confirm_since = None
        self.charge_field = code
        self.looking_up = code
        effects: list[Effect] = [SetChargeField(code)]
        if dropped:
            effects.append(ClearForm())
        effects += [Show(Stage.LOOKUP), StartLookup(code)]
        return effects

    def _enter(self, at: float) -> list[Effect]:
        if self.stage is Stage.LOOKUP:
            text = self.charge_field.strip()
            if not text or self.looking_up == text:
                return []
            self.looking_up = text
            return [StartLookup(text)]
        if self.stage is Stage.CHARGE:
            return self._choose("refund", at)
        if self.stage is Stage.CONFIRM:
            if self.confirm_since is None or at - self.confirm_since < CONFIRM_GUARD:
                return []  # too soon after the card appeared: not a deliberate confirm
            self.stage = Stage.SENDING
            self.confirm_since = None
            return [Show(Stage.SENDING), StartSend()]
        if self.stage is Stage.RESULT:
            # Enter on the result: look up what is in the charge field (the next receipt).
            text = self.charge_field.strip()
            if text:
                self.stage = Stage.LOOKUP
                self.looking_up = text
                return [Show(Stage.LOOKUP), StartLookup(text)]
            return self._new()
        return []  # sending: Enter does nothing

    def _choose(self, kind: str, at: float) -> list[Effect]:
        if self.stage is not Stage.CHARGE or (kind == "refund" and not self.form_ok):
            return []
        self.kind = kind
        self.stage = Stage.CONFIRM
        self.confirm_since = at
        return [Show(Stage.CONFIRM)]

    def _escape(self) -> list[Effect]:
        if self.stage is Stage.CONFIRM:
            self.stage, self.confirm_since = Stage.CHARGE, None
            return [Show(Stage.CHARGE)]
        if self.stage is Stage.CHARGE:
            self.stage, self.view, self.form_ok = Stage.LOOKUP, None, False
            return [Show(Stage.LOOKUP), FocusChargeField()]
        if self.stage is Stage.SENDING:
            return [RequestCancel()]
        if self.stage is Stage.RESULT:
            return self._new()
        if self.looking_up is not None:
            self.looking_up = None  # the answer of the abandoned lookup will be dropped
            return [Say(_("Lookup abandoned."))]
        return []

    def _new(self) -> list[Effect]:
        self.stage = Stage.LOOKUP
        self.view, self.form_ok, self.confirm_since, self.looking_up = None, False, None, None
        self.charge_field, self.kind = "", "refund"
        return [ClearForm(), SetChargeField(""), Show(Stage.LOOKUP), FocusChargeField()]

    def _lookup_done(self, charge_id: str, view: Any) -> list[Effect]:
        if charge_id != self.looking_up or self.stage not in (Stage.LOOKUP, Stage.CHARGE):
            return []  # an older lookup finishing late: its charge must not come back
        refreshed = self.stage is Stage.CHARGE  # the same charge again, after a check
        self.looking_up = None
        self.view = view
        self.stage = Stage.CHARGE
        if refreshed:
            return [Show(Stage.CHARGE)]
        self.form_ok, self.kind = False, "refund"
        return [ClearForm(), Show(Stage.CHARGE)]

    def _send_done(self, attempt: Any, at: float) -> list[Effect]:
        if self.stage is not Stage.SENDING:
            return []
        cancelled = str(getattr(attempt, "state", "")) == "cancelled"
        if cancelled:
            self.stage = Stage.CONFIRM
            self.confirm_since = at  # Enter confirms again only after the guard
            return [Show(Stage.CONFIRM), Say(_("Cancelled: nothing was refunded."))]
        self.stage = Stage.RESULT
        self.view = None
        self.form_ok = False
        effects: list[Effect] = [Show(Stage.RESULT)]
        scanned, self.scanned_while_sending = self.scanned_while_sending, None
        self.charge_field = scanned or ""
        effects += [SetChargeField(self.charge_field), FocusChargeField()]
        return effects

    def _reconciled(self) -> list[Effect]:
        """What is on screen may be stale: the form's charge is looked up again (its typed
        amount stays), a shown result is re-read from the journal."""
        if self.stage is Stage.RESULT:
            return [ReloadResult()]
        if self.stage is Stage.CHARGE and self.view is not None:
            charge_id = str(getattr(self.view, "charge_id", "")) or None
            if charge_id:
                self.looking_up = charge_id
                return [StartLookup(charge_id)]
        return []
