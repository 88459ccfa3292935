from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_gui.money import (
    MAX_MINOR_UNITS,
    Money,
    MoneyError,
    currency_digits,
    parse_amount,
)


def test_digits_come_from_currency_data() -> None:
    assert (currency_digits("JPY"), currency_digits("EUR"), currency_digits("KWD")) == (0, 2, 3)


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("15", "EUR", 1500),
        ("15.5", "EUR", 1550),
        ("15,50", "EUR", 1550),
        ("1 234,50", "EUR", 123450),
        ("1\u202f234,50\u00a0€", "EUR", 123450),
        ("€15.50", "EUR", 1550),
        ("15,50 EUR", "EUR", 1550),
        ("1,234.50", "USD", 123450),
        ("1.234,50", "EUR", 123450),
        ("1'234.50", "CHF", 123450),
        ("1500", "JPY", 1500),
        ("1,500", "JPY", 1500),
        ("¥1,500", "JPY", 1500),
        ("12.345", "KWD", 12345),
        ("0.005", "KWD", 5),
        ("KWD 1,234.500", "KWD", 1234500),
        (".5", "EUR", 50),
        ("15.", "EUR", 1500),
        ("  7  ", "EUR", 700),
    ],
)
def test_parses_what_a_cashier_types(typed: str, currency: str, minor: int) -> None:
    assert parse_amount(typed, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("typed", "currency", "says"),
    [
        ("", "EUR", "Type an amount"),
        ("0", "EUR", "more than zero"),
        ("0,00", "EUR", "more than zero"),
        ("-5", "EUR", "more than zero"),
        ("5-", "EUR", "more than zero"),
        ("15.555", "EUR", "unclear"),
        ("1.234", "EUR", "unclear"),
        ("15.5", "JPY", "no decimals"),
        ("1.2345", "KWD", "3 decimals at most"),
        ("abc", "EUR", "not an amount"),
        ("12abc", "EUR", "not an amount"),
        ("$15", "EUR", "in EUR"),
        ("USD 5", "EUR", "in EUR"),
        ("1.2.3", "EUR", "grouped oddly"),
        ("15 50", "EUR", "grouped oddly"),
        ("12,34,567.00", "USD", "grouped oddly"),
        ("9" * 20, "EUR", "far too large"),
        ("€15 EUR", "EUR", "not an amount"),
    ],
)
def test_refuses_bad_input_with_a_reason(typed: str, currency: str, says: str) -> None:
    with pytest.raises(MoneyError, match=says):
        parse_amount(typed, currency)


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(MoneyError, match="not a currency code"):
        parse_amount("5", "XYZ")
    with pytest.raises(MoneyError):
        Money(5, "EURO")


def test_money_is_never_a_float() -> None:
    with pytest.raises(TypeError):
        Money(15.5, "EUR")  # type: ignore[arg-type]


def test_arithmetic_refuses_mixed_currencies() -> None:
    assert Money(500, "EUR") + Money(250, "EUR") == Money(750, "EUR")
    with pytest.raises(MoneyError):
        _ = Money(500, "EUR") - Money(1, "USD")


def test_wire_round_trip_and_strictness() -> None:
    assert Money.from_wire("1500", "EUR").to_wire() == {"value": "1500", "currency": "EUR"}
    for bad in ("15.00", "-1", "01", "", "1e3", 1.5):
        with pytest.raises(MoneyError):
            Money.from_wire(bad, "EUR")


def test_display_follows_the_locale() -> None:
    m = Money(123450, "EUR")
    assert m.format("en_US") == "€1,234.50"
    assert m.format("de_DE") == "1.234,50\xa0€"
    assert Money(12345, "KWD").format("en_US").endswith("12.345")
    assert Money(1500, "JPY").format("en_US") == "¥1,500"


CURRENCIES = ["EUR", "USD", "JPY", "KWD", "GBP", "CHF", "BHD", "KRW", "SEK", "INR"]
LOCALES = ["en_US", "de_DE", "fr_FR", "de_CH", "ja_JP", "sv_SE", "en_GB", "nl_NL", "ar_KW"]


@given(
    minor=st.integers(min_value=1, max_value=MAX_MINOR_UNITS),
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(LOCALES[:-1]),
)
def test_format_then_parse_gives_the_same_amount(minor: int, currency: str, locale: str) -> None:
    money = Money(minor, currency)
    assert parse_amount(money.format(locale), currency, locale=locale) == money
    assert parse_amount(money.plain(), currency) == money


@given(text=st.text(max_size=30), currency=st.sampled_from(CURRENCIES))
def test_any_text_parses_to_a_positive_amount_or_a_message(text: str, currency: str) -> None:
    try:
        money = parse_amount(text, currency)
    except MoneyError as exc:
        assert str(exc)
    else:
        assert 0 < money.minor <= MAX_MINOR_UNITS


# ---- digits from other scripts -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "১৫",  # Bengali 15
        "৪",  # Bengali 4: looks like an 8
        "١٥",  # Arabic-Indic 15
        "۱۵",  # Extended Arabic-Indic (Persian) 15
        "१५",  # Devanagari 15
        "๑๕",  # Thai 15
        "１５",  # full-width 15
        "１５.５０",  # full-width digits, ASCII separator
        "15.５0",  # one full-width digit among ASCII ones
        "1৫",  # mixed ASCII and Bengali
        "€ ١٥,٥٠",  # with the currency symbol
        "15²",  # superscript two
        "²",
        "①5",  # circled one
        "𝟏𝟓",  # mathematical bold digits
    ],
)
def test_digits_from_other_scripts_are_refused(typed: str) -> None:
    with pytest.raises(MoneyError, match="digits from another script") as info:
        parse_amount(typed, "EUR")
    assert "0–9" in str(info.value) and typed.strip() in str(info.value)


def test_foreign_digits_are_refused_even_for_currencies_without_decimals() -> None:
    with pytest.raises(MoneyError, match="digits from another script"):
        parse_amount("１,５００", "JPY")


def test_ascii_digits_next_to_foreign_letters_are_not_called_foreign_digits() -> None:
    # "abc" is not a digit of any script: the usual message, not the other-script one.
    with pytest.raises(MoneyError, match="not an amount"):
        parse_amount("15 руб", "EUR")


@pytest.mark.parametrize("value", ["１５００", "١٥٠٠", "15০০", "1500\n", " 1500", "+1500", "²"])
def test_wire_values_are_ascii_digits_only(value: str) -> None:
    with pytest.raises(MoneyError):
        Money.from_wire(value, "EUR")


@pytest.mark.parametrize("currency", [5, None, b"EUR", ["EUR"]])
def test_a_currency_that_is_not_text_is_a_money_error(currency: object) -> None:
    with pytest.raises(MoneyError, match="not a currency code"):
        Money.from_wire("1500", currency)
    with pytest.raises(MoneyError, match="not a currency code"):
        Money(1500, currency)  # type: ignore[arg-type]


_FOREIGN_DIGITS = [
    chr(c) for c in range(0x80, 0x110000) if chr(c).isdigit() and not 0xD800 <= c <= 0xDFFF
]


@given(
    before=st.text(max_size=10),
    digit=st.sampled_from(_FOREIGN_DIGITS),
    after=st.text(max_size=10),
    currency=st.sampled_from(CURRENCIES),
)
def test_any_text_with_a_foreign_digit_is_refused(
    before: str, digit: str, after: str, currency: str
) -> None:
    with pytest.raises(MoneyError):
        parse_amount(before + digit + after, currency)


@given(typed=st.from_regex(r"[1-9][0-9]{0,5}(\.[0-9]{2})?", fullmatch=True))
def test_ascii_amounts_still_parse(typed: str) -> None:
    assert parse_amount(typed, "EUR").minor > 0


@pytest.mark.parametrize(
    "typed", ["\u202e05.51", "12abc\x1b[2J", "1.2.3\n\u200b", "€15 EUR\x00", "15.555\u2066"]
)
def test_messages_quote_the_input_without_control_characters(typed: str) -> None:
    with pytest.raises(MoneyError) as info:
        parse_amount(typed, "EUR")
    assert not any(ch in str(info.value) for ch in "\u202e\x1b\n\u200b\x00\u2066")


def test_babel_tables_read_without_what_the_window_never_needs() -> None:
    """Babel's global tables are read without likely subtags, territory languages and time
    zones (2 MiB); a look-up of any of those reads the whole file, the same as Babel's own."""
    import os
    import pickle

    import babel.core

    from cashier_gui.money import _BABEL_TABLES, _BabelTables

    with open(os.path.join(os.path.dirname(babel.core.__file__), "global.dat"), "rb") as fh:
        babel_own = pickle.load(fh)  # noqa: S301
    tables = _BabelTables()
    assert "EUR" in tables.get("all_currencies", {})
    assert set(tables) == _BABEL_TABLES and not tables.complete
    assert tables.get("currency_fractions") == babel_own["currency_fractions"]
    assert tables.get("likely_subtags") == babel_own["likely_subtags"]
    assert tables.complete and tables == babel_own
    assert tables.get("no such table", {}) == {}


def test_babel_reads_its_other_tables_when_asked() -> None:
    """In a fresh process: amounts in the window's locales keep to the slim tables; a locale
    Babel must guess and a time-zone name still come out as Babel gives them."""
    import subprocess
    import sys

    code = (
        "import babel.core as core\n"
        "from cashier_gui.money import Money\n"
        "shown = [Money(4990, 'EUR').format(loc) for loc in ('en_US', 'de_DE', 'ja_JP')]\n"
        "assert shown == ['€49.90', '49,90\\xa0€', '€49.90'], shown\n"
        "assert not core._global_data.complete\n"
        "from babel import Locale\n"
        "from babel.dates import get_timezone_name\n"
        "assert str(Locale.parse('und_AT')) == 'de_AT'\n"
        "assert get_timezone_name('Europe/Berlin', locale='de_DE') == 'Mitteleuropäische Zeit'\n"
        "assert core._global_data.complete\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
