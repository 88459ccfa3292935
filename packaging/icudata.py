"""Read, cut down and write an ICU *common data package* (the `icudtNNl.dat` inside libicudata).

What `icupkg -l` and `icupkg -r LIST in out` do for the package slimming (packaging/slimming.py),
without depending on the build machine's ICU: Debian's icupkg is whatever ICU the distribution
has, while the data comes from PySide6's wheel (ICU 73 today). Instead of trusting a tool of
another version, this module checks every header it relies on and refuses what it does not know:

- the package: DataHeader magic 0xda27, dataFormat "CmnD" formatVersion 1, little-endian ASCII
  (the `l` in `icudt73l`), a table of contents that fits, names under the package's prefix in
  sorted order (ICU looks items up by binary search), 16-byte aligned items, each with a valid
  DataHeader of the same platform type;
- for dependencies (as ICU's tools/toolutil/pkgitems.cpp finds them): resource bundles "ResB"
  formatVersion 1.x-3.x (the pool bundle of the tree when the bundle uses one, top-level %%ALIAS
  and %%Parent, %%DEPENDENCY entries, alias resources into other bundles, the parent by
  truncation de_AT -> de -> root unless the bundle is marked no-fallback) and converters "cnvt"
  formatVersion 6.2+ (an extension-only table's base table). Any other version of these two
  formats is an error, so a future ICU with a changed layout fails the build instead of being
  cut wrongly. Items of other formats have no dependencies (as in pkgitems.cpp).

The written package is byte for byte what icupkg writes: the input's header (with its comment),
the item count, the TOC entries, the names with the package prefix, 0xaa padding to 16 bytes,
then the items unchanged (each keeps the padding it had).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

MAGIC = (0xDA, 0x27)
HEADER_SIZE = 24  # MappedData (4) + UDataInfo (20)
ALIGN = 16
# Characters ICU calls "invariant" (uinvchar.cpp): the same code in ASCII and EBCDIC.
INVARIANT = frozenset(
    b"\t\n\r !\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)


class IcuDataError(Exception):
    """The data is not what this module knows how to read; nothing was written."""


class MissingDependencyError(IcuDataError):
    """Removing the items would leave kept items without items they need."""

    def __init__(self, missing: dict[str, set[str]]) -> None:
        self.missing = missing
        needed_by: dict[str, list[str]] = {}
        for item in sorted(missing):
            for target in missing[item]:
                needed_by.setdefault(target, []).append(item)
        parts = [
            f"{target} (needed by {', '.join(users[:5])}{', …' if len(users) > 5 else ''})"
            for target, users in sorted(needed_by.items())
        ]
        super().__init__("refusing to remove what kept items need: " + "; ".join(parts))


@dataclass(frozen=True)
class DataInfo:
    header_size: int
    big_endian: bool
    charset_family: int  # 0 ASCII, 1 EBCDIC
    data_format: bytes
    format_version: tuple[int, int, int, int]

    @property
    def type_letter(self) -> str:
        return {(False, 0): "l", (True, 0): "b", (True, 1): "e"}.get(
            (self.big_endian, self.charset_family), "?"
        )

    @property
    def version(self) -> str:
        return ".".join(map(str, self.format_version[:2]))


def data_info(data: bytes, what: str) -> DataInfo:
    """The validated DataHeader at the start of `data` (what ICU's getDataInfo() checks)."""
    if len(data) < HEADER_SIZE:
        raise IcuDataError(f"{what}: {len(data)} bytes, too short for an ICU data header")
    if (data[2], data[3]) != MAGIC:
        raise IcuDataError(
            f"{what}: no ICU data header (magic {data[2]:02x}{data[3]:02x}, not da27)"
        )
    big = bool(data[8])
    order = ">" if big else "<"
    (header_size,) = struct.unpack_from(order + "H", data, 0)
    (info_size,) = struct.unpack_from(order + "H", data, 4)
    if data[10] != 2:
        raise IcuDataError(f"{what}: sizeof(UChar) is {data[10]}, ICU data always has 2")
    if info_size < 20 or header_size < HEADER_SIZE or header_size < 4 + info_size:
        raise IcuDataError(f"{what}: malformed data header (sizes {header_size}/{info_size})")
    if len(data) < header_size:
        raise IcuDataError(f"{what}: truncated inside its {header_size}-byte header")
    fv = data[16:20]
    return DataInfo(header_size, big, data[9], bytes(data[12:16]), (fv[0], fv[1], fv[2], fv[3]))


class Package:
    """An ICU common data package: items by name ("coll/de.res"), in the package's order."""

    def __init__(self, header: bytes, name: str, items: dict[str, bytes]) -> None:
        self.header, self.name, self.items = header, name, items
        self._deps: dict[str, frozenset[str]] = {}

    @classmethod
    def parse(cls, data: bytes, name: str) -> Package:
        """Read the package `name` (e.g. "icudt73l", the symbol's name plus its type letter)."""
        what = f"ICU data package {name}"
        info = data_info(data, what)
        if info.data_format != b"CmnD" or info.format_version[0] != 1:
            raise IcuDataError(
                f"{what}: data format {info.data_format!r} formatVersion {info.version} is not "
                "a common data package this tool knows (CmnD 1.x): update packaging/icudata.py"
            )
        if name[-1:] != info.type_letter or info.type_letter != "l":
            raise IcuDataError(
                f"{what}: the data is type '{info.type_letter}' (endianness/charset family), "
                f"the name says '{name[-1:]}'; only little-endian ASCII ('l') is supported"
            )
        hs = info.header_size
        if hs % ALIGN:
            raise IcuDataError(f"{what}: header size {hs} is not a multiple of {ALIGN}")
        toc = data[hs:]
        if len(toc) < 4:
            raise IcuDataError(f"{what}: truncated before its item count")
        (count,) = struct.unpack_from("<I", toc, 0)
        if len(toc) < 4 + 8 * count:
            raise IcuDataError(f"{what}: truncated table of contents ({count} items announced)")
        entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
        prefix, items, previous = f"{name}/", {}, ""
        for i, (name_offset, offset) in enumerate(entries):
            end = entries[i + 1][1] if i + 1 < count else len(toc)
            item = _toc_name(toc, name_offset, 4 + 8 * count, entries[0][1], what)
            if not item.startswith(prefix) or item == prefix:
                raise IcuDataError(f"{what}: item {item!r} is not under {prefix!r}")
            item = item[len(prefix) :]
            if item <= previous:
                raise IcuDataError(f"{what}: items out of order at {item!r} (after {previous!r})")
            if offset % ALIGN or offset < 4 + 8 * count or end < offset + HEADER_SIZE:
                raise IcuDataError(f"{what}: item {item} has a bad offset/length in the TOC")
            body = bytes(toc[offset:end])
            item_info = data_info(body, f"{what}, item {item}")
            if item_info.type_letter != "l":
                raise IcuDataError(
                    f"{what}: item {item} is type '{item_info.type_letter}', not 'l'"
                )
            items[item] = body
            previous = item
        return cls(bytes(data[:hs]), name, items)

    def names(self) -> list[str]:
        return list(self.items)

    def to_bytes(self) -> bytes:
        """The package as icupkg writes it (same header, names, padding and item bytes)."""
        names = b"".join(f"{self.name}/{item}".encode("ascii") + b"\0" for item in self.items)
        base = 4 + 8 * len(self.items)
        pad = -(base + len(names)) % ALIGN
        out = [self.header, struct.pack("<I", len(self.items))]
        name_offset, offset = base, base + len(names) + pad
        for item, body in self.items.items():
            out.append(struct.pack("<II", name_offset, offset))
            name_offset += len(self.name) + 2 + len(item)
            offset += len(body)
        out += [names, b"\xaa" * pad, *self.items.values()]
        return b"".join(out)

    def dependencies(self, item: str) -> frozenset[str]:
        """The items `item` needs (names, which may be missing from the package)."""
        if item not in self._deps:
            from icudeps import item_dependencies  # icudeps imports this module

            self._deps[item] = frozenset(item_dependencies(self.items, item))
        return self._deps[item]

    def missing_dependencies(self, kept: Iterable[str]) -> dict[str, set[str]]:
        keep = set(kept)
        missing = {item: set(self.dependencies(item)) - keep for item in keep}
        return {item: targets for item, targets in missing.items() if targets}

    def closure(self, kept: Iterable[str]) -> set[str]:
        """`kept` plus everything the kept items need, transitively (present items only)."""
        todo, done = list(kept), set()
        while todo:
            item = todo.pop()
            if item in done or item not in self.items:
                continue
            done.add(item)
            todo += self.dependencies(item) - done
        return done

    def without(self, remove: Iterable[str]) -> Package:
        """A copy without the items `remove`; refuses when a kept item needs a removed one."""
        drop = set(remove)
        unknown = drop - self.items.keys()
        if unknown:
            raise IcuDataError(f"not in package {self.name}: {', '.join(sorted(unknown)[:10])}")
        kept = {item: body for item, body in self.items.items() if item not in drop}
        missing = self.missing_dependencies(kept)
        if missing:
            raise MissingDependencyError(missing)
        return Package(self.header, self.name, kept)


def _toc_name(toc: bytes, offset: int, start: int, limit: int, what: str) -> str:
    end = toc.find(b"\0", offset, limit)
    if not start <= offset < limit or end < 0:
        raise IcuDataError(f"{what}: an item name lies outside the TOC's name area")
    raw = toc[offset:end]
    if not raw or not set(raw) <= INVARIANT:
        raise IcuDataError(f"{what}: item name {raw!r} is not an invariant-character string")
    return raw.decode("ascii")
