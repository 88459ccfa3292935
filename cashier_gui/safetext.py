"""Text from outside (server messages, trace IDs, charge descriptions, names typed by someone
else) stays text: it cannot move the terminal's cursor, reverse a line, hide characters, or
become a formula in the accountant's spreadsheet.

- `printable(text, limit=300)`: one line for a terminal, a log line, the journal or a label.
  Use it on anything a server or another person wrote before printing or storing it.
- `csv_cell(value)`: one cell for a CSV export. Use it on every cell you write.
- `typed_line(text, field)`: what a person types as one line (a refund's note, who checked and
  what they saw when resolving by hand) — *refused* at entry, with a sentence
  (`NotPlainText`), when it holds a line break, a tab, a control character (ESC…), a bidi
  override or isolate, a zero-width or other invisible character. The settings refuse the
  same characters (`invisible`, used by config_checks). Kept text is never silently changed:
  the person sees why and types it again.

`printable` and `csv_cell` never raise on odd input; all are pure (no I/O, no Qt).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, overload

from cashier_gui.errors import UserFacing
from cashier_gui.i18n import N_, _

__all__ = [
    "CSV_TRIGGERS",
    "ELLIPSIS",
    "NotPlainText",
    "csv_cell",
    "invisible",
    "printable",
    "typed_line",
]

ELLIPSIS = "…"

#: Escape sequences a terminal acts on: CSI (`ESC [ … final`), OSC/DCS/PM/APC/SOS strings
#: (`ESC ] … BEL` or `… ESC \\`) and two-character escapes. They are removed whole, so that
#: `\x1b[2J` does not leave a stray `[2J` behind.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\|$)"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"  # two-character (and nF) escapes
)

#: Categories removed outright: controls (C0, DEL, C1), format characters (bidi embeddings,
#: overrides and isolates U+202A-202E, U+2066-2069, zero-width U+200B-200F, BOM U+FEFF, soft
#: hyphen…), lone surrogates (they cannot even be encoded to UTF-8).
_REMOVED = frozenset({"Cc", "Cf", "Cs"})


def printable(text: object, limit: int = 300) -> str:
    """`text` as one plain line of at most `limit` characters.

    - `None` is `""`; bytes are decoded as UTF-8 (undecodable bytes become U+FFFD); anything
      else goes through `str()`.
    - Terminal escape sequences (ESC …) are removed whole.
    - Every kind of line break and white space (tab, CR, LF, U+2028, U+2029, no-break spaces)
      becomes one ordinary space; runs of them collapse, and the ends are trimmed.
    - Every other control or format character (Unicode categories Cc, Cf, and lone surrogates)
      is removed: C0, DEL, C1 (0x80-0x9F), bidi overrides and isolates, zero-width characters.
    - Longer than `limit`: cut, and the last character is `…` (so the result is never longer
      than `limit`).

    Visible characters of any script are kept as they are (including combining marks).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if text is None:
        raw = ""
    elif isinstance(text, bytes | bytearray):
        raw = bytes(text).decode("utf-8", errors="replace")
    else:
        raw = str(text)
    raw = _ESCAPES.sub("", raw)
    kept: list[str] = []
    for ch in raw:
        if ch.isspace() or unicodedata.category(ch) in ("Zl", "Zp"):
            kept.append(" ")
        elif unicodedata.category(ch) not in _REMOVED:
            kept.append(ch)
    line = re.sub(" {2,}", " ", "".join(kept)).strip(" ")
    if len(line) > limit:
        line = line[: limit - 1].rstrip(" ") + ELLIPSIS
    return line


#: A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
#: (OWASP "CSV injection"): `=` `+` `-` `@`, tab, CR — and their full-width forms, which some
#: spreadsheet versions treat the same way.
CSV_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


@overload
def csv_cell(value: str) -> str: ...
@overload
def csv_cell(value: int) -> int: ...
@overload
def csv_cell(value: None) -> None: ...
def csv_cell(value: str | int | None) -> str | int | None:
    """A CSV cell a spreadsheet shows as text and never runs.

    Decisions:
    - Only `str` values are changed. `int` (IDs, minor units the app computed) and `None`
      (an empty cell) are returned as they are: the app wrote them, they cannot hold a formula.
    - A string whose first character — or whose first character after leading white space,
      because some spreadsheets trim cells on import — is in `CSV_TRIGGERS` gets a single quote
      `'` in front (OWASP's advice). Nothing else in the text changes, so the export stays
      faithful: `=HYPERLINK("x")` becomes `'=HYPERLINK("x")`.
    - This includes strings that look like negative numbers (`-5.00`): a refund amount is
      never negative, so write amounts the app computed as they are (not through this
      function) if a negative one should ever need to stay a number.
    """
    if not isinstance(value, str):
        return value
    if value[:1] in CSV_TRIGGERS or value.lstrip()[:1] in CSV_TRIGGERS:
        return "'" + value
    return value


# ---- what a person types ------------------------------------------------------------------------


def invisible(ch: str) -> bool:
    """A character that is not plain visible text on one line: control (CR, LF, NUL, tab, ESC,
    DEL, C1), format (bidi embeddings, overrides and isolates, zero-width, BOM, soft hyphen),
    a lone surrogate, or a line/paragraph separator (U+2028, U+2029)."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


class NotPlainText(UserFacing):
    """Typed text with a line break or an invisible character: refused, nothing recorded."""


Field = Literal["note", "by", "why"]

#: One whole sentence per field (a translator sees each as it is shown).
_REFUSALS: dict[str, str] = {
    "note": N_(
        "The note must be one line of plain text: no line breaks, tabs, control characters "
        "or direction marks ({char} at character {position}). Type it again."
    ),
    "by": N_(
        "The name must be one line of plain text: no line breaks, tabs, control characters "
        "or direction marks ({char} at character {position}). Type it again."
    ),
    "why": N_(
        "What you saw must be one line of plain text: no line breaks, tabs, control "
        "characters or direction marks ({char} at character {position}). Type it again."
    ),
}


def typed_problem(text: str, field: Field) -> str | None:
    """The sentence refusing `text` for `field` (see `typed_line`), or None when it is fine."""
    for position, ch in enumerate(text, start=1):
        if invisible(ch):
            return _(_REFUSALS[field]).format(char=f"U+{ord(ch):04X}", position=position)
    return None


def typed_line(text: str, field: Field) -> str:
    """`text` as typed when it is one line of visible characters; NotPlainText otherwise."""
    problem = typed_problem(text, field)
    if problem is not None:
        raise NotPlainText(problem)
    return text
