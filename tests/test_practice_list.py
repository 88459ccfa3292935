"""The training screen's practice list writes amounts as the cashier's locale does (Settings'
number format, else the PC's), like every other amount: "49,90 €" in German, never "49.90 EUR"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui.config import Paths, Settings, save_settings
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
