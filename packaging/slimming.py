"""Package slimming on Linux that PyInstaller's own options cannot express.

1. `prune_unneeded`: drop shared libraries nothing in the package loads. PyInstaller collects
   the dependencies of every Qt plugin it sees; the spec then leaves out plugins the app does not
   use (GTK theme, image formats, …), and their dependencies (GIO, Kerberos, libjpeg, AT-SPI,
   HarfBuzz-GObject…, 8 MiB) stay behind. What is kept: every Python extension, every kept Qt
   plugin, libpython, and what they need (ELF NEEDED entries, read with `readelf`), transitively.
   Qt's xcb plugin and Python's extensions name all their libraries as NEEDED; libraries Qt opens
   by name at run time (libGL, libEGL, libxcb) are the system's and never bundled.

2. `slim_icu_data`: Qt's ICU data, cut down to what a counter PC needs.

3. `slim_babel_locale`: Babel's locale data (one pickle per locale), without the display names
   and unit/compact/interval patterns the app never asks for (below, BABEL_DROP).

PySide6's Linux wheels ship ICU 73, and Qt6Core links it, so it cannot simply be left out; but its
data library (libicudata.so.73) is 31 MiB — a fifth of the package — and almost all of it is data
Qt never asks ICU for: break-iterator dictionaries, transliterators, unit / currency / language /
region display names (Qt carries its own CLDR tables for QLocale), number-spellout rules, IDN
string-prep profiles, character names, and ~200 legacy code pages.

Qt Core uses ICU for collation (QCollator), locale-aware case mapping, time-zone names and
non-Unicode text codecs. So the slim library keeps:
  - everything at the top level that is not a locale, a code page or one of the families below
    (normalization, layout and emoji properties, likely subtags, supplemental data, time zones);
  - locale data, collation and time-zone names for the languages the package ships (the spec's
    LANGUAGES, the same list Babel's locale data is cut to), plus root;
  - the converter alias table and the Windows-125x, ISO-8859, DOS 437/850 code pages.
It drops the trees brkitr, curr, lang, region, unit, translit, rbnf and the items listed in
DROP_ITEMS. Decided here (not by a contract): a cashier's window needs none of the dropped data;
`cashier-gui --self-test` checks that ICU collation and time-zone names still work.

How: find the `icudtNN_dat` symbol in the wheel's library (nm/readelf — binutils, which
PyInstaller needs on Linux anyway), cut the data package out of the file, remove items with
packaging/icudata.py (a reader/writer of ICU's common data package format that checks every
header and format version it relies on, so it cannot silently mismatch the wheel's ICU the way
the build machine's `icupkg` of another ICU version could; it keeps what kept items depend on,
as icupkg does), and link a new library with the same soname and symbol from an assembler
`.incbin` (as/ld — again binutils), which is how ICU's pkgdata builds it. The new library is read
back and checked before it replaces the wheel's.
Strict builds (`CI` set, or `packaging/build.py --strict`, which scripts/test uses): a missing
tool or any slimming error fails the build. Otherwise: a warning, and the full library ships
(bigger, still correct).
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

from icudata import IcuDataError, Package

DROP_TREES = ("brkitr", "curr", "lang", "region", "unit", "translit", "rbnf")
LOCALE_TREES = ("", "coll", "zone")  # trees whose .res files are per locale
# Top-level items that are not locales (kept unless listed here).
DROP_ITEMS = re.compile(r"\.spp$|^confusables.*\.cfu$|^unames\.icu$")
KEEP_CODEPAGES = re.compile(
    r"^(ibm-53(4[6-9]|5[0-4])_|ibm-91[2-5]_|ibm-923_|ibm-437_|ibm-850_)"  # cp125x, 8859-x
)
NON_LOCALE_RES = {
    "res_index", "pool", "root", "likelySubtags", "supplementalData", "metadata", "icustd",
    "icuver", "numberingSystems", "dayPeriods", "plurals", "grammaticalFeatures", "keyTypeData",
    "timezoneTypes", "metaZones", "windowsZones", "zoneinfo64", "genderList", "pluralRanges",
    "currencyNumericCodes", "langInfo", "tzdbNames",
}  # fmt: skip


def keep_item(item: str, languages: set[str]) -> bool:
    """Whether an item of the ICU data package (e.g. "coll/de.res") stays in the slim one."""
    tree, _, name = item.rpartition("/")
    if tree in DROP_TREES or DROP_ITEMS.search(item):
        return False
    if tree == "" and name.endswith(".cnv"):
        return bool(KEEP_CODEPAGES.search(name))
    if tree in LOCALE_TREES and name.endswith(".res"):
        stem = name[: -len(".res")]
        return stem in NON_LOCALE_RES or stem.split("_")[0] in languages
    return True


class SlimmingError(RuntimeError):
    """The slimming could not be done (a strict build stops on it)."""


def is_strict() -> bool:
    """Whether a slimming problem fails the build (CI, or `build.py --strict`)."""
    return bool(os.environ.get("CI")) or os.environ.get("CASHIER_STRICT_BUILD") == "1"


def _tools(*names: str) -> dict[str, str]:
    found = {tool: shutil.which(tool) for tool in names}
    missing = [tool for tool, path in found.items() if path is None]
    if missing:
        raise SlimmingError(f"{', '.join(missing)} not found (install binutils)")
    return {tool: str(path) for tool, path in found.items()}


def _run(*cmd: str, cwd: Path | None = None) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if done.returncode:
        raise SlimmingError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[:500]}")
    return done.stdout


def _data_symbol(lib: Path, tools: dict[str, str]) -> tuple[str, int, int]:
    """(symbol, file offset, size) of the data package inside the library."""
    symbols = _run(tools["nm"], "-D", "--defined-only", "-S", str(lib))
    match = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+_dat)$", symbols, re.MULTILINE)
    if not match:
        raise RuntimeError(f"no icudtNN_dat symbol in {lib}")
    address, size, symbol = int(match[1], 16), int(match[2], 16), match[3]
    for line in _run(tools["readelf"], "-S", "-W", str(lib)).splitlines():
        cols = re.match(
            r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line
        )
        if cols:
            start, offset, length = (int(cols[i], 16) for i in (2, 3, 4))
            if start <= address < start + length:
                return symbol, address - start + offset, size
    raise RuntimeError(f"{symbol} is in no section of {lib}")


def slim_package(data: bytes, name: str, languages: set[str]) -> tuple[Package, Package]:
    """The full package `name` ("icudt73l") parsed from `data`, and its slim copy: the items
    `keep_item` keeps plus everything they depend on."""
    full = Package.parse(data, name)
    needed = full.closure(item for item in full.names() if keep_item(item, languages))
    return full, full.without(set(full.names()) - needed)


def slim_icu_data(
    lib: Path, languages: set[str], workdir: Path, strict: bool | None = None
) -> Path | None:
    """Build a slim copy of `lib` (libicudataNN) in `workdir`. On any problem: raise
    SlimmingError when strict (default: `is_strict()`), else warn and return None."""
    out = workdir / lib.name
    out.unlink(missing_ok=True)
    try:
        return _slim_icu_data(lib, languages, workdir)
    except (SlimmingError, IcuDataError, OSError, subprocess.CalledProcessError) as exc:
        out.unlink(missing_ok=True)
        if is_strict() if strict is None else strict:
            raise SlimmingError(f"ICU data slimming of {lib.name} failed: {exc}") from exc
        print(f"WARNING: full ICU data kept ({lib.stat().st_size / 2**20:.0f} MiB): {exc}")
        return None


def link_data_library(symbol: str, dat: Path, out: Path, tools: dict[str, str]) -> Path:
    """Link `out` (soname: its file name) exporting `symbol` with the bytes of `dat`."""
    asm, obj = dat.with_suffix(".s"), dat.with_suffix(".o")
    asm.write_text(
        "\t.section .rodata\n"
        f"\t.globl {symbol}\n"
        f"\t.type {symbol}, %object\n"
        "\t.balign 16\n"
        f"{symbol}:\n"
        f'\t.incbin "{dat.name}"\n'
        f"\t.size {symbol}, . - {symbol}\n"
        '\t.section .note.GNU-stack,"",%progbits\n'
    )
    _run(tools["as"], "-o", str(obj), asm.name, cwd=dat.parent)
    _run(tools["ld"], "-shared", "-soname", out.name, "-o", str(out), str(obj))
    return out


def _slim_icu_data(lib: Path, languages: set[str], workdir: Path) -> Path:
    tools = _tools("nm", "readelf", "as", "ld")
    workdir.mkdir(parents=True, exist_ok=True)
    symbol, offset, size = _data_symbol(lib, tools)
    package = symbol.removesuffix("_dat") + "l"  # icudt73l: little-endian ASCII package
    with lib.open("rb") as f:
        f.seek(offset)
        data = f.read(size)
    full, slim = slim_package(data, package, languages)
    slim_bytes = slim.to_bytes()
    dat = workdir / f"{package}.dat"
    dat.write_bytes(slim_bytes)
    out = link_data_library(symbol, dat, workdir / lib.name, tools)
    # Read the new library back: the same symbol, holding exactly the slim package.
    new_symbol, new_offset, new_size = _data_symbol(out, tools)
    with out.open("rb") as f:
        f.seek(new_offset)
        linked = f.read(new_size)
    if (new_symbol, linked) != (symbol, slim_bytes):
        raise SlimmingError(f"{out} does not hold the slim package as {symbol}")
    if Package.parse(linked, package).names() != slim.names():
        raise SlimmingError(f"{out}: the slim package does not read back")
    print(
        f"ICU data: kept {len(slim.items)} of {len(full.items)} items, "
        f"{size / 2**20:.1f} → {len(slim_bytes) / 2**20:.1f} MiB"
    )
    return out


def _needed(path: str, readelf: str) -> list[str]:
    return re.findall(r"\(NEEDED\).*\[(.+)\]", _run(readelf, "-d", path))


def prune_unneeded(binaries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The TOC entries of `binaries` that something kept loads (Linux; elsewhere all of them)."""
    if not sys.platform.startswith("linux"):
        return binaries
    readelf = shutil.which("readelf")
    if not readelf:
        if is_strict():
            raise SlimmingError("readelf not found (install binutils)")
        print("WARNING: every collected library kept: readelf not found (install binutils)")
        return binaries
    by_soname = {Path(dest).name: (dest, src, kind) for dest, src, kind in binaries}

    def is_root(dest: str, kind: str) -> bool:
        norm = dest.replace("\\", "/")
        return kind == "EXTENSION" or "/plugins/" in norm or Path(norm).name.startswith("libpython")

    todo = [entry for entry in binaries if is_root(entry[0], entry[2])]
    kept: set[str] = set()
    while todo:
        dest, src, _ = todo.pop()
        if dest in kept:
            continue
        kept.add(dest)
        todo += [by_soname[name] for name in _needed(src, readelf) if name in by_soname]
    dropped = [entry for entry in binaries if entry[0] not in kept]
    if dropped:
        size = sum(Path(src).stat().st_size for _, src, _ in dropped)
        print(f"Left out {len(dropped)} libraries nothing loads ({size / 2**20:.1f} MiB)")
    return [entry for entry in binaries if entry[0] in kept]


#: Babel locale-data keys the app never reads (≈ 75 % of each file, ≈ 3 MiB over the shipped
#: languages). What it does read: number symbols and currency/decimal/percent formats
#: (`format_currency`, `format_decimal`, parsing), currency symbols and names, singular and
#: plural (`list_currencies`, `get_currency_symbol`, `get_currency_name`), and the date/time
#: formats, month/day names, eras, day periods and time zones `format_datetime(..., "medium")`
#: needs for receipts. Display names of languages, territories, scripts and variants
#: (`Locale.get_display_name`), units, compact and interval formats, skeletons and relative date
#: fields are dropped; `cashier-gui --self-test` formats money and a receipt's time in every
#: shipped language through the slim files.
BABEL_DROP = frozenset(
    {
        "languages",
        "territories",
        "scripts",
        "variants",
        "unit_patterns",
        "unit_display_names",
        "compound_unit_patterns",
        "date_fields",
        "compact_decimal_formats",
        "compact_currency_formats",
        "interval_formats",
        "datetime_skeletons",
    }
)


def slim_babel_locale(src: Path, workdir: Path) -> Path:
    """A copy of one Babel locale file without BABEL_DROP's keys (the file is Babel's own pickle,
    read and written with the protocol it came in)."""
    raw = src.read_bytes()
    data = pickle.loads(raw)  # noqa: S301 - Babel's own data file from the installed wheel
    if not isinstance(data, dict):
        raise RuntimeError(f"{src}: not a Babel locale file")
    protocol = raw[1] if raw[:1] == b"\x80" else 2
    slim = {k: v for k, v in data.items() if k not in BABEL_DROP}
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / src.name
    out.write_bytes(pickle.dumps(slim, protocol=protocol))
    if pickle.loads(out.read_bytes()).keys() != slim.keys():  # noqa: S301 - just written
        raise RuntimeError(f"{out}: read back differs")
    return out
