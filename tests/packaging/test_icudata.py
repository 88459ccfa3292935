"""packaging/icudata.py against ICU's own icupkg, on the data package of the installed PySide6
wheel (no package build needed), and the slimming's strictness (packaging/slimming.py)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
from icudata import IcuDataError, MissingDependencyError, Package, data_info
from slimming import (
    SlimmingError,
    _data_symbol,
    _tools,
    link_data_library,
    slim_icu_data,
    slim_package,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="PySide6 ships ICU on Linux only"
)
# The languages the spec ships (packaging/cashier_gui.spec).
LANGUAGES = {"root", "en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "nb", "fi", "pl",
             "cs", "ja", "ar", "tr", "el", "hu", "ro"}  # fmt: skip


@pytest.fixture(scope="module")
def wheel_lib() -> Path:
    spec = importlib.util.find_spec("PySide6")
    assert spec and spec.origin
    (lib,) = (Path(spec.origin).parent / "Qt" / "lib").glob("libicudata.so.*")
    return lib


@pytest.fixture(scope="module")
def full_dat(wheel_lib: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel's data package as a file named like the package (icupkg wants that)."""
    symbol, offset, size = _data_symbol(wheel_lib, _tools("nm", "readelf"))
    with wheel_lib.open("rb") as f:
        f.seek(offset)
        data = f.read(size)
    path = tmp_path_factory.mktemp("icu") / f"{symbol.removesuffix('_dat')}l.dat"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def package(full_dat: Path) -> Package:
    return Package.parse(full_dat.read_bytes(), full_dat.stem)


@pytest.fixture(scope="module")
def icupkg() -> str:
    path = shutil.which("icupkg")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("icupkg (icu-devtools) is the reference these tests compare with")
        pytest.skip("icupkg not installed (Debian: icu-devtools)")
    return path


def icupkg_remove(icupkg: str, full: Path, drop: list[str], out: Path) -> tuple[int, str]:
    listing = out.parent / "drop.txt"
    listing.write_text("".join(f"{item}\n" for item in drop))
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [icupkg, "-r", str(listing), str(full), str(out)], capture_output=True, text=True
    )
    return done.returncode, done.stderr


def test_listing_equals_icupkg(package: Package, full_dat: Path, icupkg: str) -> None:
    listed = subprocess.run(
        [icupkg, "-l", str(full_dat)], capture_output=True, text=True, check=True
    )
    assert package.names() == listed.stdout.split()
    assert len(package.names()) > 3000


def test_unchanged_package_writes_back_byte_identical(package: Package, full_dat: Path) -> None:
    assert package.to_bytes() == full_dat.read_bytes()


def test_slim_package_is_byte_identical_to_icupkg(
    package: Package, full_dat: Path, icupkg: str, tmp_path: Path
) -> None:
    full, slim = slim_package(full_dat.read_bytes(), full_dat.stem, LANGUAGES)
    drop = [item for item in full.names() if item not in slim.items]
    code, stderr = icupkg_remove(icupkg, full_dat, drop, tmp_path / full_dat.name)
    assert code == 0, stderr
    assert slim.to_bytes() == (tmp_path / full_dat.name).read_bytes()
    # Kept for what kept items need although keep_item() drops them: Norwegian for nb.
    assert {"no.res", "coll/no.res", "zone/no.res"} <= slim.items.keys()
    assert len(slim.items) < len(full.items) // 5


def test_dependency_graph_equals_icupkg(
    package: Package, full_dat: Path, icupkg: str, tmp_path: Path
) -> None:
    """icupkg -r names every kept item that needs a removed one. Removing each half of the
    items split by each bit of their index (and then the other half) puts every pair of items on
    opposite sides at least once, so this compares every dependency edge of the package. Pool
    bundles stay: without its pool icupkg reads no further into a bundle (tested below)."""
    names = package.names()
    pools = {item for item in names if item.endswith("pool.res")}
    edges = 0
    for bit in range(len(names).bit_length()):
        for side in (0, 1):
            drop = [n for i, n in enumerate(names) if (i >> bit) & 1 == side and n not in pools]
            _, stderr = icupkg_remove(icupkg, full_dat, drop, tmp_path / full_dat.name)
            theirs = set(re.findall(r"Item (\S+) depends on missing item (\S+)", stderr))
            with pytest.raises(MissingDependencyError) as refused:
                package.without(drop)
            ours = {(item, t) for item, targets in refused.value.missing.items() for t in targets}
            assert ours == theirs, (bit, side)
            edges += len(ours)
    assert edges > 5000


def test_removing_a_parent_is_refused_naming_it(package: Package) -> None:
    with pytest.raises(
        MissingDependencyError,
        match=r"remove what kept items need: de\.res \(needed by de_AT\.res, de_BE",
    ) as refused:
        package.without(["de.res"])
    assert refused.value.missing["de_AT.res"] == {"de.res"}
    assert {"de_CH.res", "de_AT.res"} <= refused.value.missing.keys()
    assert package.without(["de_AT.res"]).names() == [
        n for n in package.names() if n != "de_AT.res"
    ]


def test_pool_is_kept_while_a_kept_bundle_uses_it(package: Package, full_dat: Path) -> None:
    assert "pool.res" in package.dependencies("de.res")
    assert "zone/pool.res" in package.dependencies("zone/de.res")
    with pytest.raises(
        MissingDependencyError, match=r"need: pool\.res \(needed by af\.res"
    ) as refused:
        package.without(["pool.res"])
    assert refused.value.missing["de.res"] == {"pool.res"}
    _, slim = slim_package(full_dat.read_bytes(), full_dat.stem, {"de"})
    assert {"pool.res", "zone/pool.res", "de.res", "root.res"} <= slim.items.keys()
    # No kept bundle of these trees uses their pool: it goes with them.
    assert not {"curr/pool.res", "unit/pool.res"} & slim.items.keys()


def test_extension_only_converter_needs_its_base(package: Package) -> None:
    assert package.dependencies("ibm-943_P130-1999.cnv") == {"ibm-943_P15A-2003.cnv"}
    assert package.dependencies("ibm-5348_P100-1997.cnv") == frozenset()


def patched(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: patched(d, 2, b"\xda\x28"), "no ICU data header"),
        (lambda d: patched(d, 16, b"\x02"), "formatVersion 2.0 is not a common data package"),
        (lambda d: patched(d, 12, b"CmnX"), "is not a common data package"),
        (lambda d: patched(d, 8, b"\x01"), "type 'b'"),
        (lambda d: d[: data_info(d, "").header_size + 4 + 8 * 100], "truncated table of contents"),
        (lambda d: d[: data_info(d, "").header_size + 2], "truncated before its item count"),
        (lambda d: d[:20], "too short"),
    ],
)
def test_damaged_package_is_refused(full_dat: Path, damage, message: str) -> None:
    with pytest.raises(IcuDataError, match=message):
        Package.parse(damage(full_dat.read_bytes()), full_dat.stem)


def item_offset(data: bytes, item_index: int) -> int:
    header = data_info(data, "").header_size
    offset: int = struct.unpack_from("<I", data, header + 4 + 8 * item_index + 4)[0]
    return header + offset


@pytest.mark.parametrize(
    ("item", "version", "message"),
    [
        ("de.res", b"\x04\x00", r"de\.res: resource bundle formatVersion 4\.0 is not one"),
        ("ibm-943_P130-1999.cnv", b"\x07\x00", r"converter formatVersion 7\.0 is not one"),
    ],
)
def test_unknown_item_format_version_fails(
    package: Package, full_dat: Path, item: str, version: bytes, message: str
) -> None:
    data = full_dat.read_bytes()
    at = item_offset(data, package.names().index(item))
    damaged = Package.parse(patched(data, at + 16, version), full_dat.stem)
    with pytest.raises(IcuDataError, match=message):
        damaged.dependencies(item)
    with pytest.raises(IcuDataError, match=message):
        damaged.closure([item])


def test_removing_an_unknown_item_is_an_error(package: Package) -> None:
    with pytest.raises(IcuDataError, match=r"not in package icudt\d+l: xx_YY\.res"):
        package.without(["xx_YY.res"])


def fake_lib(tmp_path: Path, data: bytes) -> Path:
    """A libicudata.so.73 exporting icudt73_dat with `data`, linked like the slimming does."""
    dat = tmp_path / "fake.dat"
    dat.write_bytes(data)
    return link_data_library("icudt73_dat", dat, tmp_path / "libicudata.so.73", _tools("as", "ld"))


def test_damaged_library_fails_a_strict_build_and_writes_nothing(
    full_dat: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = fake_lib(tmp_path, patched(full_dat.read_bytes(), 16, b"\x09"))
    work = tmp_path / "work"
    with pytest.raises(SlimmingError, match=r"formatVersion 9\.0 is not a common data package"):
        slim_icu_data(lib, LANGUAGES, work, strict=True)
    assert not (work / lib.name).exists()
    assert slim_icu_data(lib, LANGUAGES, work, strict=False) is None
    assert "WARNING: full ICU data kept" in capsys.readouterr().out
    assert not (work / lib.name).exists()


def test_missing_tools_fail_a_strict_build(
    wheel_lib: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no binutils on it
    with pytest.raises(SlimmingError, match="nm, readelf, as, ld not found"):
        slim_icu_data(wheel_lib, LANGUAGES, tmp_path / "work", strict=True)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(SlimmingError, match="not found"):
        slim_icu_data(wheel_lib, LANGUAGES, tmp_path / "work")
    monkeypatch.delenv("CI")
    monkeypatch.delenv("CASHIER_STRICT_BUILD", raising=False)
    assert slim_icu_data(wheel_lib, LANGUAGES, tmp_path / "work") is None
    assert "not found (install binutils)" in capsys.readouterr().out


PROBE = """
from PySide6.QtCore import QCollator, QLocale, QTimeZone
def order(locale, words):
    return " ".join(sorted(words, key=QCollator(QLocale(locale)).sortKey))
tz = QTimeZone(b"Europe/Berlin")
name = tz.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale("de_DE"))
maps = [line.split()[-1] for line in open("/proc/self/maps") if "libicudata" in line]
print(order("sv_SE", ["ö", "z", "o"]), order("lt_LT", ["y", "i", "j"]), name, maps[0], sep="|")
"""


def test_slim_library_works_for_qt(wheel_lib: Path, tmp_path: Path) -> None:
    """Qt loads the slim library in place of the wheel's: Swedish collation and German zone
    names (kept) work; Lithuanian (dropped) falls back to root order, so the slim one is in use."""
    slim = slim_icu_data(wheel_lib, LANGUAGES, tmp_path, strict=True)
    assert slim is not None and slim.stat().st_size < 5 * 2**20
    env = dict(os.environ, LD_PRELOAD=str(slim), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    swedish, lithuanian, zone, loaded = done.stdout.strip().split("|")
    assert (swedish, zone, loaded) == ("o z ö", "Mitteleuropäische Normalzeit", str(slim))
    assert lithuanian == "i j y"  # root order; the full data sorts y with i in Lithuanian
