"""Lines of text for paper of a given width: one layout for the receipt printer and the PDF.

A `Line` is its text plus how it is printed (centred, bold, large); `pairs` puts a label and a
value on one line when they fit, the value on its own lines when not; `paragraph` wraps words.
Widths are counted in characters (the receipt printer's font is fixed-width).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    text: str
    center: bool = False
    bold: bool = False
    large: bool = False  # double height and width on the receipt printer: half as many chars

    def fits(self, width: int) -> bool:
        return len(self.text) <= (width // 2 if self.large else width)


def rule(width: int, char: str = "-") -> Line:
    return Line(char * width)


def blank() -> Line:
    return Line("")


def centred(text: str, width: int, *, bold: bool = False, large: bool = False) -> list[Line]:
    room = width // 2 if large else width
    return [Line(part, center=True, bold=bold, large=large) for part in _wrap(text, room)]


def paragraph(text: str, width: int, *, bold: bool = False) -> list[Line]:
    return [Line(part, bold=bold) for part in _wrap(text, width)]


def pair(label: str, value: str, width: int, *, bold: bool = False) -> list[Line]:
    """`Label        value` on one line when both fit; else the label, then the value wrapped
    and indented by two."""
    if len(label) + 1 + len(value) <= width:
        return [Line(label + " " * (width - len(label) - len(value)) + value, bold=bold)]
    out = [Line(label, bold=bold)]
    out += [Line("  " + part, bold=bold) for part in _wrap(value, width - 2)]
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Word-wrapped lines; a word longer than a line (an ID) is cut, never lost."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
