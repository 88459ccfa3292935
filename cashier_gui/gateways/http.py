"""One HTTP exchange with a deadline and a size cap, for both gateway clients.

httpx's timeouts are per operation (connect, each read), so an answer that drips one byte a
second never times out, and `response.content` reads whatever size the server sends. Here the
whole exchange — connect, send, every byte of the answer — must finish within `deadline`
seconds, and an answer over `max_bytes` (after decompression) is cut off and not trusted.

Compressed answers are capped WHILE they are inflated: httpx's own decoders inflate each
network chunk whole before anyone can count it (a 64 KiB chunk of a gzip bomb is 64 MiB), so
the body is read raw (`aiter_raw`) and inflated here with zlib's `max_length`: never more than
the cap plus one byte is produced, whatever one chunk holds. `gzip`/`x-gzip` and `deflate`
(zlib-wrapped, or raw as some servers send it) are inflated, in reverse order when layered (each
layer capped the same); `identity` is nothing to do. We ask for `gzip, deflate` only; an
answer in any other coding (br, zstd…) is kept as the raw bytes it is, capped, and then fails to
parse as the gateway's answer (what httpx does with a coding it has no decoder for).
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass

import httpx


def _no_sniffio() -> None:
    """httpcore asks `import sniffio` on every lock and event it sets up (≈ 6 a request, on
    the GUI thread's event loop); without sniffio installed (anyio ≥ 4.5 no longer needs it)
    each failed import searches every entry of sys.path again (≈ 27 µs). A None in
    sys.modules makes the same ImportError immediate; nothing changes when it is installed."""
    import importlib.util
    import sys

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_no_sniffio()

MAX_ANSWER_BYTES = 1 << 20  # 1 MiB: a refund answer is well under 4 KiB


class AnswerTooBig(Exception):
    """The answer was larger than the cap: cut off, not read."""


class DeadlinePassed(Exception):
    """The whole exchange did not finish within its deadline."""


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: httpx.Headers
    content: bytes


class _Layer:
    """One content coding, inflated with a cap on what it produces."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        wbits = zlib.MAX_WBITS | 16 if coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(wbits)
        self._first = True
        self.produced = 0

    def feed(self, data: bytes, cap: int) -> bytes:
        limit = cap - self.produced + 1  # one byte more than allowed proves "too big"
        try:
            out = self._inflate.decompress(data, limit)
        except zlib.error:
            if not (self._first and self.coding == "deflate"):
                raise httpx.DecodingError(f"bad {self.coding} data") from None
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
            try:
                out = self._inflate.decompress(data, limit)
            except zlib.error:
                raise httpx.DecodingError("bad deflate data") from None
        self._first = False
        return self._count(out, cap)

    def flush(self, cap: int) -> bytes:
        try:
            out = self._inflate.flush(cap - self.produced + 1)
        except zlib.error:
            raise httpx.DecodingError(f"bad {self.coding} data") from None
        return self._count(out, cap)

    def _count(self, out: bytes, cap: int) -> bytes:
        self.produced += len(out)
        if self.produced > cap:
            raise AnswerTooBig(f"more than {cap} bytes once inflated")
        return out


def _layers(content_encoding: str) -> list[_Layer]:
    """The codings to undo, outermost first; none for identity or a coding we do not inflate."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if any(c not in ("gzip", "x-gzip", "deflate") for c in codings):
        return []  # not ours to inflate: the raw bytes, capped, fail to parse later
    return [_Layer(c) for c in reversed(codings)]


async def exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    deadline: float,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    """Send one request and read its whole answer, inflated (gzip/deflate) under the cap.
    Raises httpx errors as httpx does (httpx.DecodingError for a broken gzip/deflate body),
    DeadlinePassed, or AnswerTooBig."""
    sent_headers = {"Accept-Encoding": "gzip, deflate", **headers}
    try:
        async with asyncio.timeout(deadline):
            async with client.stream(
                method, url, content=content, headers=sent_headers
            ) as response:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise AnswerTooBig(f"{declared} bytes")
                if response.is_stream_consumed:
                    # An answer held in memory (httpx.MockTransport: read, and inflated by
                    # httpx, as it was made): under the same cap, no layers of our own.
                    if len(response.content) > max_bytes:
                        raise AnswerTooBig(f"more than {max_bytes} bytes")
                    return Answer(response.status_code, response.headers, response.content)
                layers = _layers(response.headers.get("Content-Encoding", ""))
                body = bytearray()
                async for chunk in response.aiter_raw():
                    for layer in layers:
                        chunk = layer.feed(chunk, max_bytes)
                    body += chunk
                    if len(body) > max_bytes:
                        raise AnswerTooBig(f"more than {max_bytes} bytes")
                for i, layer in enumerate(layers):  # what each layer still holds, in order
                    rest = layer.flush(max_bytes)
                    for later in layers[i + 1 :]:
                        rest = later.feed(rest, max_bytes)
                    body += rest
                if len(body) > max_bytes:
                    raise AnswerTooBig(f"more than {max_bytes} bytes")
                return Answer(response.status_code, response.headers, bytes(body))
    except TimeoutError:
        raise DeadlinePassed(f"no complete answer within {deadline:g} s") from None
