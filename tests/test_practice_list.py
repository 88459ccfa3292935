"""The training screen's practice list writes amounts as the cashier's locale does (Settings'
number format, else the PC's), like every other amount: "49,90 €" in German, never "49.90 EUR"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui.config import Paths, Settings, save_settings
from cashier_gui.money import display_locale
from cashier_gui.runtime import Runtime, open_runtime


@pytest.fixture
def opened(home: Path) -> Iterator[list[Runtime]]:
    made: list[Runtime] = []
    yield made
    for rt in made:
        for sim in rt.simulators:
            sim.stop()


def practice_list(opened: list[Runtime], provider: str, locale: str | None) -> dict[str, str]:
    save_settings(Paths.default(), Settings(locale=locale))
    rt = open_runtime(training=True, training_provider=provider)
    opened.append(rt)
    return dict(rt.training_ids)


@pytest.mark.parametrize(
    ("locale", "sale", "partly"),
    [
        ("de_DE", "49,90\xa0€", "120,00\xa0€, 30,00\xa0€"),
        ("en_US", "€49.90", "€120.00, €30.00"),
        ("fr_FR", "49,90\xa0€", "120,00\xa0€, 30,00\xa0€"),
    ],
)
def test_viopay_practice_list_in_the_cashiers_locale(
    opened: list[Runtime], locale: str, sale: str, partly: str
) -> None:
    texts = practice_list(opened, "viopay", locale)
    assert texts["ch_train_eur_4990"] == sale
    assert texts["ch_train_eur_partly"].startswith(partly), texts["ch_train_eur_partly"]
    assert not any(" EUR" in t or " USD" in t or " JPY" in t for t in texts.values()), texts


def test_poynt_practice_list_in_the_cashiers_locale(opened: list[Runtime]) -> None:
    texts = practice_list(opened, "poynt", "de_DE")
    assert texts["txn_train_usd_2500"] == "25,00\xa0$"
    assert texts["txn_train_usd_partly"].startswith("100,00\xa0$, 40,00\xa0$"), texts
    assert texts["txn_train_usd_server_error"].startswith("20,00\xa0$ — ")


@pytest.fixture
def german_pc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """LANG=de_DE.UTF-8 on a PC that has not generated that locale: Python then sets
    LC_CTYPE=C.UTF-8 itself (PEP 538), which must not make the amounts English."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MONETARY", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("LC_CTYPE", "C.UTF-8")
    display_locale.cache_clear()
    yield
    display_locale.cache_clear()


def test_no_number_format_set_follows_the_pcs_locale(
    german_pc: None, opened: list[Runtime]
) -> None:
    assert display_locale() == "de_DE"
    texts = practice_list(opened, "viopay", None)
    assert texts["ch_train_eur_4990"] == "49,90\xa0€"


def test_lc_all_still_wins(german_pc: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "fr_CH.UTF-8")
    display_locale.cache_clear()
    assert display_locale() == "fr_CH"
    assert display_locale("en_GB") == "en_GB"  # the counter's own setting first
