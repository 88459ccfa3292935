"""Money: integer minor units plus an ISO 4217 currency code. Never a float.

How many decimals a currency has comes from Babel's CLDR data (JPY 0, EUR 2, KWD 3).

`parse_amount` reads what a cashier types. Decisions (the contracts leave them open):
- Either `.` or `,` may be the decimal separator. When both appear, the last one is the
  decimal separator and the other one groups thousands (`1,234.50`, `1.234,50`). Spaces,
  no-break spaces and `'` group thousands too (`1 234,50`, `1'234.50`).
- A lone separator followed by exactly three digits is ambiguous (`1.234` is 1234 in Germany
  and 1.234 in the UK): it groups thousands for a currency without decimals (JPY), is the
  decimal separator for a three-decimal currency (KWD), and is refused with a hint otherwise.
- The currency's own code or symbol may stand before or after the number (`€15.50`,
  `15,50 EUR`); another currency's symbol is refused rather than silently ignored.
- Only the ASCII digits 0-9 count. Python's `\\d`, `int()` and `str.isdigit()` also accept
  other scripts' digits (Bengali "৪" looks like 8, Arabic-Indic "١٥", full-width "１５",
  superscript "²"): any such character is refused with a message, never read as a number.
  Wire values (`Money.from_wire`) are ASCII `[0-9]+` too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError, default_locale
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
)

from cashier_gui.errors import UserFacing
from cashier_gui.i18n import _
from cashier_gui.safetext import printable

#: What the app reads of Babel's global CLDR tables (babel/global.dat, 2.1 MiB once loaded): the
#: currencies and their decimals, and what loading a locale's own data looks up.
_BABEL_TABLES = frozenset(
    {"all_currencies", "currency_fractions", "parent_exceptions", "cldr"}
    | {"script_aliases", "variant_aliases"}
)


class _BabelTables(dict[Any, Any]):
    """Babel's global tables, read at the first look-up with only `_BABEL_TABLES` kept: the
    others (likely subtags 1 MiB, territory languages 0.5 MiB, time-zone names …) serve locale
    names Babel must guess and babel.dates, which the window never needs. A look-up of any other
    table reads the whole file then, as Babel itself would (babel.core.get_global only calls
    `.get`)."""

    def __init__(self) -> None:
        super().__init__()
        self.complete = False

    def get(self, key: str, default: Any = None) -> Any:
        if not self or (not self.complete and key not in _BABEL_TABLES):
            self._read(complete=bool(self) or key not in _BABEL_TABLES)
        return super().get(key, default)

    def _read(self, *, complete: bool) -> None:
        import os
        import pickle

        import babel.core

        with open(os.path.join(os.path.dirname(babel.core.__file__), "global.dat"), "rb") as fh:
            tables = pickle.load(fh)  # noqa: S301 - Babel's own data file, as Babel reads it
        self.update(tables if complete else {k: tables[k] for k in _BABEL_TABLES if k in tables})
        self.complete = complete


def _slim_babel_tables() -> None:
    import babel.core

    if babel.core._global_data is None:  # not read yet (babel.core.get_global reads it once)
        babel.core._global_data = _BabelTables()


_slim_babel_tables()

#: Anything larger is a typo or a scanner mishap, not a refund at a shop counter. It also keeps
#: the wire value well inside Viopay's 18 digits.
MAX_MINOR_UNITS = 10**15 - 1

_SPACES = " \u00a0\u202f\u2009\t'’"


class MoneyError(UserFacing, ValueError):
    """An amount or currency that cannot be used. `str()` is a sentence for the cashier."""


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return the upper-case ISO 4217 code, or raise MoneyError."""
    if not isinstance(code, str):
        raise MoneyError(
            _("{code} is not a currency code: use e.g. EUR, USD.").format(code=repr(code))
        )
    upper = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", upper) or upper not in _known_currencies():
        raise MoneyError(
            _("“{code}” is not a currency code this app knows (use e.g. EUR, USD).").format(
                code=printable(code, 40)
            )
        )
    return upper


@cache
def currency_digits(code: str) -> int:
    """Number of decimals of the currency's minor unit (JPY 0, EUR 2, KWD 3)."""
    return int(get_currency_precision(check_currency(code)))


#: Where the PC names its number format for money, in POSIX's order. Babel would put LC_CTYPE
#: before LANG, and Python itself sets LC_CTYPE=C.UTF-8 when LANG names a locale the PC has not
#: generated (PEP 538): a German cashier then saw "€49.90" in a German window.
MONETARY_VARIABLES = ("LC_ALL", "LC_MONETARY", "LANG")


@cache
def display_locale(preferred: str | None = None) -> str:
    """The locale to format amounts in: the preferred one if valid, else the user's, else en_US."""
    for candidate in (preferred, default_locale(MONETARY_VARIABLES), default_locale()):
        if not candidate:
            continue
        if candidate in ("C", "POSIX", "en_US_POSIX"):
            continue
        try:
            return str(Locale.parse(candidate))
        except (UnknownLocaleError, ValueError):
            continue
    return "en_US"


def window_locale(setting: str | None) -> str | None:
    """How the window and its messages write amounts: the Number format setting when set; else
    the PC's, unless the app speaks another language than the PC's locale (a German window on
    an English PC: "12,50 €", not "€12.50" inside German sentences). None: the PC's."""
    if setting:
        return setting
    from cashier_gui.i18n import SOURCE_LANGUAGE, current_language

    language = current_language()
    if language == SOURCE_LANGUAGE or display_locale(None).split("_")[0] == language:
        return None
    return {"de": "de_DE"}.get(language)


@dataclass(frozen=True, order=False)
class Money:
    """An amount of money in minor units (cents, yen, fils)."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError("Money.minor must be an int (minor units), never a float")
        object.__setattr__(self, "currency", check_currency(self.currency))

    # -- wire format ------------------------------------------------------------------------
    @classmethod
    def from_wire(cls, value: object, currency: object) -> Money:
        """Build from the contracts' `{"value": "1500", "currency": "EUR"}` form."""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise MoneyError(
                _("The amount {value} is not a string of digits.").format(value=repr(value))
            )
        text = str(value)
        if not _WIRE_RE.fullmatch(text):
            raise MoneyError(
                _("The amount {value} is not a whole number of cents.").format(value=repr(text))
            )
        if not isinstance(currency, str):
            raise MoneyError(
                _("The currency {code} is not a currency code.").format(code=repr(currency))
            )
        return cls(int(text), currency)

    def to_wire(self) -> dict[str, str]:
        return {"value": str(self.minor), "currency": self.currency}

    # -- arithmetic -------------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(
                _("Amounts in {first} and {second} cannot be added up.").format(
                    first=self.currency, second=other.currency
                )
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    # -- display ----------------------------------------------------------------------------
    @property
    def digits(self) -> int:
        return currency_digits(self.currency)

    def as_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-self.digits)

    def plain(self) -> str:
        """`1234.50` — for CSV and JSON, locale-independent."""
        return f"{self.as_decimal():.{self.digits}f}"

    def format(self, locale: str | None = None) -> str:
        """`€1,234.50` / `1.234,50 €` — the amount as the cashier's locale writes it; without
        one, as the app's language writes it when that is not the PC's (window_locale): a
        sentence in German never carries "KWD12.345"."""
        return _format(self, display_locale(locale or window_locale(None)))

    def __str__(self) -> str:
        return f"{self.plain()} {self.currency}"


@lru_cache(maxsize=4096)
def _format(money: Money, locale: str) -> str:
    """Babel takes ≈ 0.2 ms per amount, and a screen shows the same few amounts again and
    again (paid, refunded, remaining, the button, the confirmation): remembered."""
    return str(
        format_currency(money.as_decimal(), money.currency, locale=locale, currency_digits=True)
    )


def _symbols_for(currency: str, locale: str | None) -> set[str]:
    found = {currency.upper()}
    for loc in {display_locale(locale), "en_US", "en_GB", "de_DE", "fr_FR", "ja_JP"}:
        try:
            found.add(str(get_currency_symbol(currency, loc)).upper())
        except (UnknownLocaleError, ValueError):
            continue
    return found


_FOREIGN_SYMBOLS = set("$€£¥₩₹₽₺₪₫฿₴₦₱")

#: A wire amount: ASCII digits only, no sign, no leading zero, at most 18 digits.
_WIRE_RE = re.compile(r"0|[1-9][0-9]{0,17}", re.ASCII)
_ASCII_DIGITS = frozenset("0123456789")


def _foreign_digits(text: str) -> bool:
    """True when `text` holds a digit that is not one of the ASCII digits 0-9."""
    return any(ch.isdigit() and ch not in _ASCII_DIGITS for ch in text)


def parse_amount(text: str, currency: str, *, locale: str | None = None) -> Money:
    """Read an amount the way a cashier types it; raise MoneyError with a message that says why.

    The result is always more than zero and has no more decimals than the currency allows.
    """
    currency = check_currency(currency)
    digits = currency_digits(currency)
    shown = text.strip()
    # What the cashier typed, as it is quoted back: one line, no control or bidi characters.
    echo = printable(shown, 40)
    not_amount = MoneyError(
        _("“{text}” is not an amount. Type digits, e.g. 15.50.").format(text=echo)
    )
    if not shown:
        raise MoneyError(_("Type an amount, e.g. 15.50."))
    if _foreign_digits(shown):
        raise MoneyError(
            _(
                "“{text}” uses digits from another script: type the amount with the digits 0–9."
            ).format(text=echo)
        )
    match = _AMOUNT_RE.fullmatch(shown)
    if match is None:
        raise not_amount
    pre, post = match.group("pre").strip(_SPACES), match.group("post").strip(_SPACES)
    if "-" in pre or post.startswith("-"):
        raise MoneyError(_("A refund amount must be more than zero."))
    pre = pre.removesuffix("+").strip(_SPACES)
    if pre and post:
        raise not_amount
    extra = (pre or post).upper()
    if extra and extra not in _symbols_for(currency, locale):
        if extra in _FOREIGN_SYMBOLS or extra in _known_currencies():
            raise MoneyError(
                _("This charge is in {currency}: type the amount without “{symbol}”.").format(
                    currency=currency, symbol=extra
                )
            )
        raise not_amount
    number = match.group("num").strip(_SPACES)
    # Spaces and apostrophes only ever group thousands: each group after one has three digits.
    chunks = re.split(f"[{_SPACES}]", number)
    if any(not re.match(r"[0-9]{3}(?:[.,]|$)", c) for c in chunks[1:]):
        raise MoneyError(
            _("“{text}”: digits are grouped oddly. Type e.g. 1234.50.").format(text=echo)
        )
    int_part, frac_part = _split_decimal("".join(chunks), digits, echo, currency)
    if len(frac_part) > digits:
        if digits == 0:
            raise MoneyError(
                _("{currency} has no decimals: type a whole number, e.g. 1500.").format(
                    currency=currency
                )
            )
        raise MoneyError(
            _("{currency} has {digits} decimals at most: “{text}” has {count}.").format(
                currency=currency, digits=digits, text=echo, count=len(frac_part)
            )
        )
    int_digits = int_part.lstrip("0") or "0"
    if len(int_digits) > 16:
        raise MoneyError(_("That amount is far too large. Check the number and type it again."))
    minor = int(int_digits) * 10**digits + int(frac_part.ljust(digits, "0") or "0")
    if minor == 0:
        raise MoneyError(_("A refund amount must be more than zero."))
    if minor > MAX_MINOR_UNITS:
        raise MoneyError(_("That amount is far too large. Check the number and type it again."))
    return Money(minor, currency)


_AMOUNT_RE = re.compile(
    rf"(?P<pre>[^0-9.,]*?)(?P<num>[.,]?[0-9][0-9.,{_SPACES}]*)(?P<post>[^0-9.,]*)"
)


def _split_decimal(number: str, digits: int, shown: str, currency: str) -> tuple[str, str]:
    """Split `number` (digits, `.` and `,` only) into integer and fraction digits."""
    seps = [i for i, ch in enumerate(number) if ch in ".,"]
    if not seps:
        return number, ""
    kinds = {number[i] for i in seps}
    odd = MoneyError(_("“{text}”: digits are grouped oddly. Type e.g. 1234.50.").format(text=shown))
    if len(kinds) == 2:
        last = seps[-1]
        decimal_sep = number[last]
        grouping = number[:last]
        if decimal_sep in grouping:
            raise odd
        return _ungroup(grouping, odd), number[last + 1 :]
    sep = kinds.pop()
    parts = number.split(sep)
    if len(parts) > 2:
        return _ungroup(number, odd), ""
    head, tail = parts
    if len(tail) == 3 and head and digits != 3:
        if digits == 0:
            return _ungroup(number, odd), ""
        raise MoneyError(
            _(
                "“{text}” is unclear for {currency}: type {decimal} with {digits} decimals, "
                "or {whole} without a separator."
            ).format(
                text=shown,
                currency=currency,
                decimal=f"{head}{sep}{tail[:digits]}",
                digits=digits,
                whole=f"{head}{tail}",
            )
        )
    return head, tail


def _ungroup(text: str, odd: MoneyError) -> str:
    """`1,234,567` → `1234567`: a leading group of one to three digits, then groups of three."""
    groups = re.split(r"[.,]", text)
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        raise odd
    return "".join(groups)
