"""Which items an ICU data item needs, as ICU's own tools/toolutil/pkgitems.cpp finds them.

Resource bundles ("ResB" formatVersion 1.x-3.x, read as uresdata.cpp's res_init() does): the pool
bundle of the tree when the bundle uses one, a top-level %%ALIAS or %%Parent string (either
replaces the truncation parent), %%DEPENDENCY strings, alias resources naming another bundle, and
the parent by truncation (de_AT -> de -> root) unless the bundle is marked no-fallback.
Converters ("cnvt" formatVersion 6.2+): an extension-only MBCS table needs its base table.
Any other version of these two formats is an error (IcuDataError), never a guess.
Only native little-endian ASCII data is read (icudata.Package.parse checks that).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from icudata import INVARIANT, DataInfo, IcuDataError, data_info

# Resource types (uresdata.h) and the public type each internal one reads as.
STRING, BINARY, TABLE, ALIAS, TABLE32, TABLE16, STRING_V2, INT, ARRAY, ARRAY16 = range(10)
PUBLIC = {STRING: STRING, STRING_V2: STRING, ALIAS: ALIAS, TABLE: TABLE, TABLE32: TABLE,
          TABLE16: TABLE, ARRAY: ARRAY, ARRAY16: ARRAY}  # fmt: skip
ATT_NO_FALLBACK, ATT_IS_POOL, ATT_USES_POOL = 1, 2, 4
IX_KEYS_TOP, IX_BUNDLE_TOP, IX_MAX_TABLE_LENGTH, IX_ATTRIBUTES, IX_16BIT_TOP, IX_POOL_CHECKSUM = (
    1, 3, 4, 5, 6, 7,
)  # fmt: skip
MAX_DEPTH = 64  # ICU's bundles nest < 10 deep; deeper means a corrupt (or cyclic) bundle
CNV_STATIC_SIZE, CNV_MBCS, MBCS_HEADER_SIZE, MBCS_OUTPUT_EXT_ONLY = 100, 2, 40, 14
MBCS_OPT_LENGTH_MASK, MBCS_OPT_UNKNOWN_INCOMPATIBLE_MASK, EXT_INDEXES_MIN_LENGTH = 0x3F, 0xFF80, 32


def item_dependencies(items: Mapping[str, bytes], item: str) -> set[str]:
    """The names of the items `item` needs (some may be missing from `items`)."""
    body = items[item]
    info = data_info(body, item)
    if info.data_format == b"ResB":
        return _Bundle(body, info, item).dependencies(items)
    if info.data_format == b"cnvt":
        return _converter_dependencies(body, info, item)
    return set()


def _sibling(item: str, name: str) -> str:
    """The item `name` in the same tree as `item` ("coll/de.res", "root.res" -> "coll/root.res")."""
    return item[: item.rfind("/") + 1] + name


def _parent(item: str) -> str | None:
    """The truncation parent: de_AT.res -> de.res, de.res -> root.res, root.res -> None."""
    base = item[item.rfind("/") + 1 :]
    stem, dot, suffix = base.rpartition(".") if "." in base else (base, "", "")
    if stem.rfind("_") > 0:
        return _sibling(item, stem[: stem.rfind("_")] + dot + suffix)
    return None if stem == "root" else _sibling(item, "root" + dot + suffix)


class _Bundle:
    """A resource bundle as uresdata.cpp's res_init() reads it (native little-endian only)."""

    def __init__(self, body: bytes, info: DataInfo, item: str) -> None:
        self.item, self.data = item, body[info.header_size :]
        major, minor = info.format_version[:2]
        self.major = major
        if not 1 <= major <= 3:
            raise IcuDataError(
                f"{item}: resource bundle formatVersion {info.version} is not one this tool "
                "knows (ResB 1.x-3.x): update packaging/icudata.py"
            )
        self.root = self.u32(0)
        self.local_key_limit, self.pool_limit, self.pool16_limit, attributes = 0, 0, 0, 0
        self.strings16: tuple[bytes, int] | None = None  # (bytes, start) of the 16-bit units
        self.pool_keys: tuple[bytes, int] = (b"", 0)
        self.pool_strings: tuple[bytes, int] | None = None
        self.checksum: int | None = None
        self.keys_top = self.index_length = 0
        if PUBLIC.get(self.root >> 28) != TABLE:
            raise IcuDataError(f"{item}: the root resource is not a table")
        self.fallback_known = (major, minor) != (1, 0)
        if not self.fallback_known:
            self.local_key_limit = 0x10000
        else:
            length = self.u32(4) & 0xFF
            indexes = [self.u32(4 + 4 * i) for i in range(length)]
            if length <= IX_MAX_TABLE_LENGTH or len(self.data) < 4 * indexes[IX_BUNDLE_TOP]:
                raise IcuDataError(f"{item}: malformed resource bundle indexes")
            if indexes[IX_KEYS_TOP] > 1 + length:
                self.local_key_limit = indexes[IX_KEYS_TOP] << 2
            if major >= 3:
                self.pool_limit = indexes[0] >> 8
            if length > IX_ATTRIBUTES:
                attributes = indexes[IX_ATTRIBUTES]
                self.pool_limit |= (attributes & 0xF000) << 12
                self.pool16_limit = attributes >> 16
            if attributes & (ATT_IS_POOL | ATT_USES_POOL):
                if length <= IX_POOL_CHECKSUM:
                    raise IcuDataError(f"{item}: pool attributes without a pool checksum")
                self.checksum = indexes[IX_POOL_CHECKSUM]
            if length > IX_16BIT_TOP and indexes[IX_16BIT_TOP] > indexes[IX_KEYS_TOP]:
                self.strings16 = (self.data, 4 * indexes[IX_KEYS_TOP])
            self.keys_top, self.index_length = indexes[IX_KEYS_TOP], length
        self.no_fallback = bool(attributes & ATT_NO_FALLBACK)
        self.is_pool, self.uses_pool = (
            bool(attributes & ATT_IS_POOL),
            bool(attributes & ATT_USES_POOL),
        )
        self.deps: set[str] = set()
        self.seen: set[int] = set()

    def _read(self, fmt: str, data: bytes, offset: int) -> int:
        if offset < 0 or offset + struct.calcsize(fmt) > len(data):
            raise IcuDataError(f"{self.item}: resource data points outside the bundle")
        value: int = struct.unpack_from(fmt, data, offset)[0]
        return value

    def u32(self, offset: int) -> int:
        return self._read("<I", self.data, offset)

    def i32(self, offset: int) -> int:
        return self._read("<i", self.data, offset)

    def u16(self, index: int, area: tuple[bytes, int] | None = None) -> int:
        """The 16-bit unit `index` of the local (or given) 16-bit-units array."""
        area = area or self.strings16
        if area is None:  # ICU's gEmpty16: only offset 0 exists, and it is 0
            if index:
                raise IcuDataError(f"{self.item}: a 16-bit resource but no 16-bit units")
            return 0
        return self._read("<H", area[0], area[1] + 2 * index)

    def key(self, offset: int, wide: bool) -> str:
        if (offset >= 0) if wide else (offset < self.local_key_limit):
            data, start = self.data, offset
        else:
            data, start = (
                self.pool_keys[0],
                self.pool_keys[1]
                + (offset & 0x7FFFFFFF if wide else offset - self.local_key_limit),
            )
        end = data.find(b"\0", start)
        if start < 0 or end < 0:
            raise IcuDataError(f"{self.item}: a table key lies outside the bundle")
        return data[start:end].decode("latin-1")

    def string(self, res: int) -> str:
        kind, offset = res >> 28, res & 0x0FFFFFFF
        if kind in (STRING, ALIAS):
            if offset == 0:
                return ""
            length = self.i32(4 * offset)
            return self._utf16(self.data, 4 * offset + 4, length)
        area = self.strings16
        if offset < self.pool_limit:
            area = self.pool_strings
        else:
            offset -= self.pool_limit
        if area is None:
            raise IcuDataError(f"{self.item}: a pool string but no pool strings")
        first = self.u16(offset, area)
        if not 0xDC00 <= first <= 0xDFFF:  # implicit length: NUL-terminated
            end = offset
            while self.u16(end, area):
                end += 1
            return self._utf16(area[0], area[1] + 2 * offset, end - offset)
        if first < 0xDFEF:
            length, skip = first & 0x3FF, 1
        elif first < 0xDFFF:
            length, skip = ((first - 0xDFEF) << 16) | self.u16(offset + 1, area), 2
        else:
            length, skip = (self.u16(offset + 1, area) << 16) | self.u16(offset + 2, area), 3
        return self._utf16(area[0], area[1] + 2 * (offset + skip), length)

    def _utf16(self, data: bytes, start: int, length: int) -> str:
        if length < 0 or start + 2 * length > len(data):
            raise IcuDataError(f"{self.item}: a string runs past the end of the bundle")
        return data[start : start + 2 * length].decode("utf-16-le", "surrogatepass")

    def from16(self, res16: int) -> int:
        if res16 >= self.pool16_limit:
            res16 = res16 - self.pool16_limit + self.pool_limit
        return (STRING_V2 << 28) | res16

    def table(self, res: int) -> list[tuple[str, int]]:
        kind, offset = res >> 28, res & 0x0FFFFFFF
        if kind == TABLE16:
            count = self.u16(offset)
            return [
                (
                    self.key(self.u16(offset + 1 + i), False),
                    self.from16(self.u16(offset + 1 + count + i)),
                )
                for i in range(count)
            ]
        if offset == 0:
            return []
        base = 4 * offset
        if kind == TABLE:
            count = self._read("<H", self.data, base)
            values = base + 2 + 2 * count + (0 if count & 1 else 2)
            return [
                (
                    self.key(self._read("<H", self.data, base + 2 + 2 * i), False),
                    self.u32(values + 4 * i),
                )
                for i in range(count)
            ]
        count = self.i32(base)
        return [
            (self.key(self.i32(base + 4 + 4 * i), True), self.u32(base + 4 + 4 * (count + i)))
            for i in range(max(count, 0))
        ]

    def array(self, res: int) -> list[int]:
        kind, offset = res >> 28, res & 0x0FFFFFFF
        if kind == ARRAY16:
            return [self.from16(self.u16(offset + 1 + i)) for i in range(self.u16(offset))]
        if offset == 0:
            return []
        return [self.u32(4 * offset + 4 + 4 * i) for i in range(max(self.i32(4 * offset), 0))]

    def dependencies(self, items: Mapping[str, bytes]) -> set[str]:
        if self.uses_pool:
            pool_name = _sibling(self.item, "pool.res")
            self.deps.add(pool_name)
            if pool_name not in items:
                return self.deps  # as ICU: without its pool the bundle cannot be read further
            self._attach_pool(items[pool_name], pool_name)
        if self.walk(self.root, None, None, 0) and self.fallback_known and not self.no_fallback:
            parent = _parent(self.item)
            if parent:
                self.deps.add(parent)
        return self.deps

    def _attach_pool(self, body: bytes, name: str) -> None:
        pool = _Bundle(body, data_info(body, name), name)
        if pool.major <= 1 or not pool.is_pool or pool.checksum is None:
            raise IcuDataError(f"{name} (the pool of {self.item}) is not a pool bundle")
        if pool.checksum != self.checksum:
            raise IcuDataError(f"{name} has a mismatched checksum for {self.item}")
        self.pool_keys = (pool.data, 4 * (1 + pool.index_length))
        self.pool_strings = (pool.data, 4 * pool.keys_top)

    def walk(self, res: int, key: str | None, parent_key: str | None, depth: int) -> bool:
        """ures_enumDependencies(): False when a top-level %%ALIAS/%%Parent replaces the parent."""
        kind = PUBLIC.get(res >> 28)
        if depth > MAX_DEPTH:
            raise IcuDataError(f"{self.item}: resources nested deeper than {MAX_DEPTH}")
        if kind in (TABLE, ARRAY) and depth >= 2:  # below depth 2 only aliases matter
            if res in self.seen:
                return True
            self.seen.add(res)
        check_parent = True
        if kind == STRING:
            if depth == 1 and key in ("%%ALIAS", "%%Parent"):
                check_parent = False
                self.alias(res, self.string(res), ".res")
            elif depth == 2 and parent_key == "%%DEPENDENCY":
                self.alias(res, self.string(res), "")
        elif kind == ALIAS:
            self.alias(res, self.string(res), ".res")
        elif kind == TABLE:
            for item_key, item in self.table(res):
                check_parent &= self.walk(item, item_key, key, depth + 1)
        elif kind == ARRAY:
            for item in self.array(res):
                self.walk(item, None, key, depth + 1)
        return check_parent

    def alias(self, res: int, text: str, suffix: str) -> None:
        """checkAlias(): the bundle an alias or %%ALIAS/%%Parent/%%DEPENDENCY string names."""
        if any(ord(c) > 0x7F or ord(c) not in INVARIANT for c in text):
            raise IcuDataError(f"{self.item}: alias {text!r} has non-invariant characters")
        slash = text.find("/") if "/" in text else len(text)
        if res >> 28 == ALIAS:
            if slash == 0:
                return  # /ICUDATA/..., /LOCALE/...: another package or a dynamic fallback
            text = text[:slash]
        elif slash != len(text):
            raise IcuDataError(f"{self.item}: %%ALIAS/%%Parent value {text!r} contains a '/'")
        if len(text) >= 48:
            raise IcuDataError(f"{self.item}: alias locale ID {text!r} is too long")
        self.deps.add(_sibling(self.item, text + suffix))


def _converter_dependencies(body: bytes, info: DataInfo, item: str) -> set[str]:
    """ucnv_enumDependencies(): an extension-only MBCS table needs its base table."""
    if not (info.format_version[0] == 6 and info.format_version[1] >= 2):
        raise IcuDataError(
            f"{item}: converter formatVersion {info.version} is not one this tool knows "
            "(cnvt 6.2+): update packaging/icudata.py"
        )
    data = body[info.header_size :]
    if len(data) < CNV_STATIC_SIZE:
        raise IcuDataError(f"{item}: too short for a conversion table")
    (static_size,) = struct.unpack_from("<I", data, 0)
    if len(data) < static_size:
        raise IcuDataError(f"{item}: too short for a conversion table")
    if data[69] != CNV_MBCS:  # UConverterStaticData.conversionType
        return set()
    mbcs = data[static_size:]
    if len(mbcs) < MBCS_HEADER_SIZE:
        raise IcuDataError(f"{item}: too short for an MBCS conversion table")
    flags, options = struct.unpack_from("<I4xI", mbcs, 24)
    if mbcs[0] == 4 and mbcs[1] >= 1:
        header_words = 8
    elif mbcs[0] == 5 and mbcs[1] >= 3 and not options & MBCS_OPT_UNKNOWN_INCOMPATIBLE_MASK:
        header_words = options & MBCS_OPT_LENGTH_MASK
    else:
        raise IcuDataError(f"{item}: MBCS header version {mbcs[0]}.{mbcs[1]} is not supported")
    if flags & 0xFF != MBCS_OUTPUT_EXT_ONLY:
        return set()
    if len(mbcs) < (flags >> 8) + 4 * EXT_INDEXES_MIN_LENGTH:
        raise IcuDataError(f"{item}: too short for its extension data")
    start = 4 * header_words
    end = mbcs.find(b"\0", start)
    if end < 0 or end - start >= 32 or not set(mbcs[start:end]) <= INVARIANT:
        raise IcuDataError(f"{item}: malformed base table name")
    return {_sibling(item, mbcs[start:end].decode("ascii") + ".cnv")}
