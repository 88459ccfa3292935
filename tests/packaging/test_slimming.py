"""Which ICU data items the package keeps (packaging/slimming.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
from slimming import keep_item

LANGUAGES = {"root", "en", "de", "ja"}


@pytest.mark.parametrize(
    "item",
    [
        "de.res", "de_AT.res", "root.res", "res_index.res", "pool.res", "zoneinfo64.res",
        "metaZones.res", "likelySubtags.res", "coll/de.res", "coll/ucadata.icu", "coll/root.res",
        "zone/ja.res", "zone/tzdbNames.res", "cnvalias.icu", "ibm-5348_P100-1997.cnv",
        "ibm-912_P100-1995.cnv", "nfkc.nrm", "uts46.nrm", "ulayout.icu",
    ],
)  # fmt: skip
def test_kept(item: str) -> None:
    assert keep_item(item, LANGUAGES)


@pytest.mark.parametrize(
    "item",
    [
        "zh.res", "coll/zh.res", "zone/fr.res", "brkitr/cjdict.dict", "brkitr/de.res",
        "curr/de.res", "lang/de.res", "region/de.res", "unit/de.res", "translit/root.res",
        "rbnf/de.res", "gb18030.cnv", "ibm-1390_P110-2003.cnv", "rfc3491.spp",
        "confusables.cfu", "unames.icu",
    ],
)  # fmt: skip
def test_dropped(item: str) -> None:
    assert not keep_item(item, LANGUAGES)


def test_slim_babel_locale_keeps_what_money_and_receipts_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slim copy of a Babel locale file lacks the dropped display names and patterns, keeps
    every other key, and Babel reading slim files formats money and a receipt's time as with the
    full ones."""
    import datetime as dt
    import pickle

    import babel
    import babel.localedata
    from babel.dates import format_datetime
    from babel.numbers import format_currency
    from slimming import BABEL_DROP, slim_babel_locale

    data = Path(babel.__file__).parent / "locale-data"
    full = pickle.loads((data / "de.dat").read_bytes())  # noqa: S301 - Babel's own data file
    slim = pickle.loads(slim_babel_locale(data / "de.dat", tmp_path).read_bytes())  # noqa: S301
    assert BABEL_DROP & full.keys() and not BABEL_DROP & slim.keys()
    assert slim.keys() == full.keys() - BABEL_DROP
    assert (tmp_path / "de.dat").stat().st_size < (data / "de.dat").stat().st_size / 2

    slim_babel_locale(data / "root.dat", tmp_path)
    moment = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    answers = []
    for folder in (data, tmp_path):
        monkeypatch.setattr(babel.localedata, "_dirname", str(folder))
        monkeypatch.setattr(babel.localedata, "_cache", {})
        answers.append(
            (
                format_currency(1234.5, "EUR", locale="de"),
                format_currency(1234.5, "KWD", locale="de", format_type="name"),
                format_datetime(moment, "medium", tzinfo=dt.UTC, locale="de"),
            )
        )
    assert (
        answers[0]
        == answers[1]
        == (
            "1.234,50\xa0€",
            "1.234,500 Kuwait-Dinar",
            "03.12.2026, 10:00:00",
        )
    )
