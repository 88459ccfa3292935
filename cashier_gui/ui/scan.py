"""A barcode scanner's burst, told from a person typing by key times alone (no Qt here).

A scan is at least `SCAN_MIN_CHARS` characters, each within `SCAN_GAP` seconds of the one
before, ended by Enter within `SCAN_GAP` of the last — a person does not type that fast. The
refund flow (`ui/refund/flow.py`) and the keypad (`ui/signin.py`: sign-in and the approval card)
both ask one `ScanDetector`. Speed alone says "fast", not "scan": the keypad takes a fast run
that is a PIN (4–8 digits, or a badge reader's name, Tab, PIN) as a PIN, anything else as a scan;
and a secret field's keys never reach the refund flow's detector (`ui/refund/keys.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCAN_MIN_CHARS = 4
SCAN_GAP = 0.05  # seconds between a scanner's characters (they come every 5–30 ms)


@dataclass
class ScanDetector:
    """Feed it every printable character (`typed`) and every Enter (`enter`), with their times
    (monotonic seconds); `enter` returns what was scanned when that Enter ended a burst."""

    min_chars: int = SCAN_MIN_CHARS
    gap: float = SCAN_GAP
    _chars: list[str] = field(default_factory=list)
    _last: float | None = None

    def typed(self, char: str, at: float) -> None:
        if self.starts_burst(at):
            self._chars = []
        self._chars.append(char)
        self._last = at

    def ends_burst(self, at: float) -> bool:
        """An Enter at `at` would end a burst (it does not reset: `enter` does)."""
        return (
            len(self._chars) >= self.min_chars
            and self._last is not None
            and at - self._last <= self.gap
        )

    def enter(self, at: float) -> str | None:
        """The burst's characters, as typed, when this Enter ends one, else None. Resets
        either way."""
        code = "".join(self._chars) if self.ends_burst(at) else None
        self.reset()
        return code

    def starts_burst(self, at: float) -> bool:
        """A character typed at `at` would begin a new burst (none, or the last too long ago)."""
        return self._last is None or at - self._last > self.gap

    def reset(self) -> None:
        self._chars, self._last = [], None

    @property
    def pending(self) -> int:
        """How many characters the current run holds."""
        return len(self._chars)
