from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_gui.safetext import (
    CSV_TRIGGERS,
    ELLIPSIS,
    NotPlainText,
    csv_cell,
    printable,
    typed_line,
    typed_problem,
)

# ---- printable ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("Card declined", "Card declined"),
        ("\x1b[2JCard declined", "Card declined"),  # clear screen
        ("\x1b[31mred\x1b[0m text", "red text"),  # colours
        ("a\x1b]0;evil title\x07b", "ab"),  # OSC: set the window title
        ("a\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC 8 hyperlink
        ("a\x1bcb", "ab"),  # ESC c: reset the terminal
        ("\x9b2Jx", "2Jx"),  # C1 CSI: the control goes, the rest is plain text
        ("line one\nline two", "line one line two"),
        ("fake\r[OK] approved", "fake [OK] approved"),  # CR would overwrite the line
        ("tab\tand\t\ttabs", "tab and tabs"),
        ("nul\x00byte", "nulbyte"),
        ("bell\x07 and del\x7f", "bell and del"),
        ("C1 \x85next \x80\x9f", "C1 next"),
        ("REFUND \u202eDEVORPPA", "REFUND DEVORPPA"),  # right-to-left override
        ("\u2066isolate\u2069 \u202aembed\u202c", "isolate embed"),
        ("pay\u200bpal \u200dzw\u200c\u200e\u200f", "paypal zw"),
        ("para\u2028graph\u2029end", "para graph end"),
        ("\ufeffBOM", "BOM"),
        ("  lots   of \u00a0\u2003 space  ", "lots of space"),
        ("Ünïcödé 日本語 عربى", "Ünïcödé 日本語 عربى"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (b"bytes \xff\x1b[2J", "bytes \ufffd"),
        ("\ud800lone surrogate", "lone surrogate"),
    ],
)
def test_printable_keeps_text_and_drops_controls(hostile: object, shown: str) -> None:
    assert printable(hostile) == shown


def test_printable_caps_long_text_with_an_ellipsis() -> None:
    long = "x" * 10_000
    out = printable(long)
    assert len(out) == 300 and out.endswith(ELLIPSIS) and out[:-1] == "x" * 299
    assert printable("abcdef", limit=6) == "abcdef"
    assert printable("abcdefg", limit=6) == "abcde…"
    assert printable("abc   defg", limit=5) == "abc…"  # no dangling space before the ellipsis
    assert printable("abc", limit=1) == "…"


def test_printable_caps_after_cleaning() -> None:
    # 500 escape sequences are no text at all: they do not count towards the limit.
    assert printable("\x1b[2J" * 500 + "ok", limit=10) == "ok"


def test_printable_refuses_a_useless_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        printable("x", limit=0)


def _bad(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


@given(text=st.text(), limit=st.integers(min_value=1, max_value=400))
def test_printable_output_is_one_clean_line(text: str, limit: int) -> None:
    out = printable(text, limit)
    assert len(out) <= limit
    assert not any(_bad(ch) for ch in out)
    assert "  " not in out and out == out.strip(" ")
    assert not any(ch.isspace() and ch != " " for ch in out)


@given(text=st.text(alphabet=st.characters(categories=["L", "N", "P"]), max_size=50))
def test_printable_leaves_visible_text_alone(text: str) -> None:
    assert printable(text) == text


@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    junk=st.lists(
        st.sampled_from(["\x1b[2J", "\u202e", "\u200b", "\x00", "\x9b", "\u2066", "\x7f"]),
        max_size=5,
    ),
)
def test_printable_output_never_has_a_control_even_with_injected_ones(
    text: str, junk: list[str]
) -> None:
    out = printable("".join(junk) + text + "".join(junk))
    assert not any(_bad(ch) for ch in out)
    assert "\x1b" not in out


# ---- csv_cell ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (
            '=HYPERLINK("https://evil.example","Click")',
            '\'=HYPERLINK("https://evil.example","Click")',
        ),
        ("-2+3", "'-2+3"),
        ("+2+3", "'+2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),  # after leading spaces: some spreadsheets trim on import
        ("\u00a0@x", "'\u00a0@x"),
        ("\uff1dcmd|' /C calc'!A0", "'\uff1dcmd|' /C calc'!A0"),  # full-width equals
        ("-5.00", "'-5.00"),
        ("Customer changed mind", "Customer changed mind"),
        ("ch_3PqR-=+@", "ch_3PqR-=+@"),  # triggers later in the text are harmless
        ("'=already quoted", "'=already quoted"),
        ("", ""),
        ("15.00", "15.00"),
    ],
)
def test_csv_cell_neutralises_formulas(value: str, cell: str) -> None:
    assert csv_cell(value) == cell


@pytest.mark.parametrize("value", [0, 1500, -3, None, True])
def test_csv_cell_passes_numbers_and_empty_cells_through(value: int | None) -> None:
    assert csv_cell(value) is value


@given(text=st.text())
def test_csv_cell_never_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert cell in (text, "'" + text)
    assert cell[:1] not in CSV_TRIGGERS
    assert cell[:1] == "'" or cell.lstrip()[:1] not in CSV_TRIGGERS


@given(text=st.text(alphabet=st.sampled_from([*sorted(CSV_TRIGGERS), " ", "a", "1"]), min_size=1))
def test_csv_cell_with_mostly_triggers(text: str) -> None:
    cell = csv_cell(text)
    assert cell[:1] not in CSV_TRIGGERS
    if text.lstrip()[:1] in CSV_TRIGGERS or text[0] in CSV_TRIGGERS:
        assert cell == "'" + text
    else:
        assert cell == text


@pytest.mark.parametrize(
    ("typed", "char", "position"),
    [
        ("box\ndamaged", "U+000A", 4),
        ("box\r", "U+000D", 4),
        ("\tbox", "U+0009", 1),
        ("x\x1b]0;pwned\x07", "U+001B", 2),  # retitles a terminal that `cat`s the CSV
        ("x\x1b[2J", "U+001B", 2),  # clears it
        ("ab\u202ecod.exe", "U+202E", 3),  # right-to-left override
        ("\u2066x\u2069", "U+2066", 1),  # left-to-right isolate
        ("a\u200bb", "U+200B", 2),  # zero-width space
        ("a\u2028b", "U+2028", 2),  # line separator
        ("a\x85b", "U+0085", 2),  # next line (C1)
        ("a\x00b", "U+0000", 2),
    ],
)
def test_typed_text_refuses_line_breaks_controls_and_bidi(
    typed: str, char: str, position: int
) -> None:
    for field in ("note", "by", "why"):
        with pytest.raises(NotPlainText, match="one line of plain text") as refused:
            typed_line(typed, field)
        assert f"{char} at character {position}" in str(refused.value)


@pytest.mark.parametrize(
    "typed", ["Box damaged", "Größe 42 — zu klein", "箱が壊れた", "שלום", "ok 👍", "a  b", ""]
)
def test_typed_text_keeps_any_visible_script(typed: str) -> None:
    assert typed_line(typed, "note") == typed and typed_problem(typed, "why") is None
