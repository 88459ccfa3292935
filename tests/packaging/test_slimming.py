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
