"""Read back the text of a PDF this app wrote (QPdfWriter's output), without poppler or QtPdf:
the packaged self-test uses it to check a printed receipt on a counter PC that has neither.

Not a general PDF reader: it knows the shape Qt writes — numbered objects, Flate streams, Type0
fonts with a ToUnicode CMap, text drawn glyph by glyph with `<hex> Tj` after `/Fn size Tf`.
Glyphs become characters through the font's CMap; a `Td` that moves down starts a new line.
Spaces are not drawn (Qt only moves past them), so compare text with white space removed.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["pdf_lines"]

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
# The data is kept up to the newline before `endstream` (a stream whose last byte is \r must
# keep it); zlib's decompressobj ignores what follows the compressed data.
_STREAM = re.compile(rb"stream\r?\n(.*?)\nendstream", re.S)
_TOKEN = re.compile(rb"<([0-9A-Fa-f]*)>|/([A-Za-z0-9_.+-]+)|(-?[0-9.]+)|([A-Za-z'\"*]+)|\[|\]")


def _stream(body: bytes) -> bytes:
    m = _STREAM.search(body)
    if not m:
        return b""
    raw = m.group(1)
    if b"/FlateDecode" in body.split(b"stream", 1)[0]:
        return zlib.decompressobj().decompress(raw)
    return raw.removesuffix(b"\r")


def _cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries: glyph code → text."""
    out: dict[int, str] = {}

    def text(hexstr: bytes) -> str:
        return bytes.fromhex(hexstr.decode()).decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, rest in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block
        ):
            a, b = int(lo, 16), int(hi, 16)
            if rest.startswith(b"["):
                for i, dst in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", rest)):
                    out[a + i] = text(dst)
            else:
                first = int(rest.strip(b"<>"), 16)
                for i in range(b - a + 1):
                    out[a + i] = chr(first + i)
    return out


def pdf_lines(data: bytes) -> list[str]:
    """The text lines of every page, top to bottom, as drawn (spaces left out)."""
    objects = {int(n): body for n, body in _OBJ.findall(data)}
    cmaps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for fonts in re.findall(rb"/Font\s*<<(.*?)>>", body, re.S):
            for name, ref in re.findall(rb"/([A-Za-z0-9_]+)\s+(\d+) 0 R", fonts):
                font = objects.get(int(ref), b"")
                uni = re.search(rb"/ToUnicode\s+(\d+) 0 R", font)
                if uni:
                    cmaps[name] = _cmap(_stream(objects.get(int(uni.group(1)), b"")))
    lines: list[str] = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page\b", body):
            continue
        for ref in re.findall(rb"/Contents\s+(\d+) 0 R", body):
            lines += _content_lines(_stream(objects.get(int(ref), b"")), cmaps)
    return lines


def _content_lines(content: bytes, cmaps: dict[bytes, dict[int, str]]) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    font: dict[int, str] = {}
    operands: list[bytes] = []
    for m in _TOKEN.finditer(content):
        hexstr, name, number, op = m.groups()
        if hexstr is not None:
            operands.append(b"<" + hexstr)
        elif name is not None:
            operands.append(b"/" + name)
        elif number is not None:
            operands.append(number)
        elif op is not None:
            if op == b"Tf" and len(operands) >= 2 and operands[-2].startswith(b"/"):
                font = cmaps.get(operands[-2][1:], {})
            elif op == b"Td" and len(operands) >= 2 and float(operands[-1]) != 0:
                if current:
                    lines.append("".join(current))
                current = []
            elif op == b"Tj" and operands and operands[-1].startswith(b"<"):
                codes = operands[-1][1:]
                for i in range(0, len(codes), 4):
                    current.append(font.get(int(codes[i : i + 4], 16), "\ufffd"))
            elif op == b"ET" and current:
                lines.append("".join(current))
                current = []
            operands = []
    if current:
        lines.append("".join(current))
    return [line.replace("\t", "").strip() for line in lines]
