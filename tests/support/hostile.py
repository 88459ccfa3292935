"""A hostile HTTP server for client tests: a real server on loopback that sits in front of a real
simulator and, request by request, does what a queue of scripted *plays* says.

    with ServerThread(sim.app) as upstream, HostileServer(upstream.url) as hostile:
        hostile.then(forward(), drip(1), replay(0))
        ...  # point the client at hostile.url

Every connection carries exactly one request: the hostile server reads it, runs the next play
(the default play, `forward()`, once the queue is empty), and closes the connection. Answers
built from upstream (forward, drip, replay, swap) are passed on byte for byte except for the
hop-by-hop headers: `Connection`/`Keep-Alive` are replaced by `Connection: close`. Upstream is
also asked with `Connection: close`, so its answer ends where its connection ends.

Plays (functions of this module, each returning a `Play`):
    forward()                          pass through; record the exchange
    drip(bytes_per_second, headers_at_once=False, max_seconds=120)
                                       forward (recorded), then send the answer slowly; with
                                       headers_at_once the head goes at once and only the body
                                       drips; after max_seconds the connection is closed
    bloat(n_bytes, headers=None, declare_length=True)
                                       answer 200 with an n-byte JSON-looking body, generated
                                       lazily in 256 KiB pieces (never held); nothing forwarded
    replay(index)                      answer with recorded exchange `index` (negative: from the
                                       end); nothing forwarded
    swap(index)                        forward (applied upstream, recorded), but answer with
                                       recorded exchange `index` instead
    drop_before()                      close without forwarding and without answering
    drop_after()                       forward (recorded), then close without answering
    status(code, body=b"", headers=None)
                                       a fixed answer; nothing forwarded
    status_after_forward(code, body=b"", headers=None)
                                       forward (recorded), then the fixed answer
    raw(data)                          write these bytes as they are, then close

Recording: every exchange that reached upstream and got a complete answer is appended to
`recorded` (an `Exchange`: the request bytes as the client sent them, the upstream's status,
headers, body and raw answer bytes, and which play made it). `requests_seen` counts requests read,
`forwarded` requests sent upstream, `log` lists (request number, play name). `resend(index)` sends
a recorded request's bytes to upstream again, from the calling thread (a replay attack on the
server).

Bounded: every play ends by itself (drip after max_seconds, a stalled write after
`write_timeout`, upstream after `upstream_timeout`), and `stop()`/`__exit__` cancels whatever
is still running, drips included.

Helpers build answers that a real gateway never would: `viopay_answer` (a sealed envelope around
any plaintext bytes, e.g. with duplicated keys from `json_with_duplicates`) and `poynt_answer`
(a body signed with the pairing code).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cashier_gui.protocol import poynt as poynt_proto
from cashier_gui.protocol import viopay as viopay_proto

MAX_HEAD = 64 * 1024
MAX_BODY = 8 * 1024 * 1024
BLOAT_PIECE = 256 * 1024
HOP_BY_HOP = {b"connection", b"keep-alive"}

Headers = list[tuple[str, str]]


# ---- plays --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Play:
    kind: str
    args: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args.items() if k != "body")
        return f"{self.kind}({inner})"


def forward() -> Play:
    return Play("forward")


def drip(
    bytes_per_second: float, *, headers_at_once: bool = False, max_seconds: float = 120.0
) -> Play:
    if bytes_per_second <= 0:
        raise ValueError("bytes_per_second must be more than zero")
    return Play(
        "drip",
        {
            "bytes_per_second": bytes_per_second,
            "headers_at_once": headers_at_once,
            "max_seconds": max_seconds,
        },
    )


def bloat(
    n_bytes: int, *, headers: dict[str, str] | None = None, declare_length: bool = True
) -> Play:
    if n_bytes < 8:
        raise ValueError("a bloated body is at least 8 bytes")
    return Play(
        "bloat",
        {"n_bytes": n_bytes, "headers": dict(headers or {}), "declare_length": declare_length},
    )


def replay(index: int) -> Play:
    return Play("replay", {"index": index})


def swap(index: int) -> Play:
    return Play("swap", {"index": index})


def drop_before() -> Play:
    return Play("drop_before")


def drop_after() -> Play:
    return Play("drop_after")


def status(code: int, body: bytes | str = b"", headers: dict[str, str] | None = None) -> Play:
    return Play("status", {"code": code, "body": _bytes(body), "headers": dict(headers or {})})


def status_after_forward(
    code: int, body: bytes | str = b"", headers: dict[str, str] | None = None
) -> Play:
    return Play(
        "status_after_forward",
        {"code": code, "body": _bytes(body), "headers": dict(headers or {})},
    )


def raw(data: bytes) -> Play:
    return Play("raw", {"data": data})


# ---- answers a real server would not give -------------------------------------------------------


def json_with_duplicates(pairs: list[tuple[str, Any]]) -> bytes:
    """A JSON object with its members in this order, duplicates kept:
    `json_with_duplicates([("status", "declined"), ("status", "approved")])`."""
    members = (json.dumps(k) + ":" + json.dumps(v, separators=(",", ":")) for k, v in pairs)
    return ("{" + ",".join(members) + "}").encode()


def viopay_answer(
    msk: bytes, plaintext: bytes | dict[str, Any], *, code: int = 200, with_kcv: bool = True
) -> Play:
    """A `status` play: 200 with an MSK envelope around `plaintext` (bytes as they are)."""
    inner = plaintext if isinstance(plaintext, bytes) else json.dumps(plaintext).encode()
    body = viopay_proto.seal(msk, inner, with_kcv=with_kcv)
    return status(code, body, {"Content-Type": "application/json"})


def poynt_signed(pairing_code: str, data: bytes | dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The body bytes and headers of an answer signed with the pairing code."""
    body = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return body, {
        "Content-Type": "application/json",
        "Signature": poynt_proto.sign(pairing_code, body),
    }


def poynt_answer(pairing_code: str, data: bytes | dict[str, Any], *, code: int = 200) -> Play:
    """A `status` play: a body signed with the pairing code, as the terminal signs."""
    body, headers = poynt_signed(pairing_code, data)
    return status(code, body, headers)


# ---- what was seen ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One request that went upstream and the upstream's complete answer."""

    number: int  # the request number (1-based) on the hostile server
    play: str
    request: bytes  # exactly as the client sent it (head and body)
    method: str
    target: str
    request_headers: Headers
    request_body: bytes
    status: int
    headers: Headers
    body: bytes
    raw_response: bytes  # exactly as upstream sent it

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self) -> Any:
        return json.loads(self.body)


class _Closed(Exception):
    """The connection has to end now (no answer, or the client went away)."""


# ---- the server ---------------------------------------------------------------------------------


class HostileServer:
    """See the module docstring. `upstream` is an `http://host:port` URL (e.g. a ServerThread's)."""

    def __init__(
        self,
        upstream: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        default: Play | None = None,
        upstream_timeout: float = 30.0,
        write_timeout: float = 30.0,
        read_timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"upstream must be http://host:port, not {upstream!r}")
        self.upstream = (parts.hostname, parts.port)
        self.host = host
        self.port = port
        self.default = default or forward()
        self.upstream_timeout = upstream_timeout
        self.write_timeout = write_timeout
        self.read_timeout = read_timeout
        self.recorded: list[Exchange] = []
        self.log: list[tuple[int, str]] = []
        self.requests_seen = 0
        self.forwarded = 0
        self.errors: list[str] = []  # problems of the hostile server itself, for debugging
        self._plays: deque[Play] = deque()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._ready = threading.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._start_error: BaseException | None = None

    # ---- control (any thread) -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def then(self, *plays: Play) -> HostileServer:
        """Queue plays for the next requests, in order."""
        with self._lock:
            self._plays.extend(plays)
        return self

    @property
    def pending_plays(self) -> list[Play]:
        with self._lock:
            return list(self._plays)

    def start(self, timeout: float = 10.0) -> HostileServer:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the hostile server did not start in time")
        if self._start_error is not None:
            raise RuntimeError(f"the hostile server could not start: {self._start_error}")
        return self

    def stop(self) -> None:
        """Stop listening and end every connection, dripping or not; then end the thread."""
        if not self._thread.is_alive():
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if self._server is not None:
                await self._server.wait_closed()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def resend(self, index: int, timeout: float = 10.0) -> tuple[int, bytes]:
        """Send recorded request `index` to upstream again, byte for byte (with
        `Connection: close`); return upstream's status and body."""
        request = _close_request(self.recorded[index].request)
        with socket.create_connection(self.upstream, timeout=timeout) as sock:
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        code, _, body, _ = _parse_response(b"".join(chunks))
        return code, body

    # ---- the event loop (its own thread) ---------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._on_connection, self.host, self.port)
            )
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # reported to start()
            self._start_error = exc
            self._ready.set()
            self._loop.close()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve_one(reader, writer)
        except (_Closed, ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # never kill the loop; keep a note for debugging
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            writer.transport.abort()
            writer.close()
            self._tasks.discard(task)

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await asyncio.wait_for(_read_request(reader), self.read_timeout)
        if request is None:
            return
        with self._lock:
            self.requests_seen += 1
            number = self.requests_seen
            play = self._plays.popleft() if self._plays else self.default
            self.log.append((number, play.kind))
        kind, a = play.kind, play.args
        if kind == "drop_before":
            return
        if kind == "raw":
            await self._write(writer, a["data"])
            return
        if kind == "status":
            await self._write(writer, _response(a["code"], a["body"], a["headers"]))
            return
        if kind == "bloat":
            await self._bloat(writer, a["n_bytes"], a["headers"], a["declare_length"])
            return
        if kind == "replay":
            await self._write(writer, _closing(self.recorded[a["index"]].raw_response))
            return
        # everything else goes upstream first
        exchange = await self._forward(number, kind, request)
        if kind == "drop_after":
            return
        if kind == "forward":
            await self._write(writer, _closing(exchange.raw_response))
        elif kind == "swap":
            await self._write(writer, _closing(self.recorded[a["index"]].raw_response))
        elif kind == "status_after_forward":
            await self._write(writer, _response(a["code"], a["body"], a["headers"]))
        elif kind == "drip":
            await self._drip(writer, _closing(exchange.raw_response), **a)
        else:
            raise ValueError(f"unknown play {kind!r}")

    async def _forward(self, number: int, kind: str, request: _Request) -> Exchange:
        async def exchange() -> bytes:
            reader, writer = await asyncio.open_connection(*self.upstream)
            try:
                writer.write(_close_request(request.raw))
                await writer.drain()
                return await reader.read(-1)
            finally:
                writer.transport.abort()
                writer.close()

        with self._lock:
            self.forwarded += 1
        try:
            answer = await asyncio.wait_for(exchange(), self.upstream_timeout)
        except (OSError, TimeoutError) as exc:
            raise _Closed(f"upstream: {exc}") from None
        if not answer:
            raise _Closed("upstream closed without an answer")
        code, headers, body, _ = _parse_response(answer)
        recorded = Exchange(
            number=number,
            play=kind,
            request=request.raw,
            method=request.method,
            target=request.target,
            request_headers=request.headers,
            request_body=request.body,
            status=code,
            headers=headers,
            body=body,
            raw_response=answer,
        )
        with self._lock:
            self.recorded.append(recorded)
        return recorded

    async def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await asyncio.wait_for(writer.drain(), self.write_timeout)

    async def _drip(
        self,
        writer: asyncio.StreamWriter,
        data: bytes,
        *,
        bytes_per_second: float,
        headers_at_once: bool,
        max_seconds: float,
    ) -> None:
        deadline = time.monotonic() + max_seconds
        if headers_at_once:
            cut = data.index(b"\r\n\r\n") + 4
            await self._write(writer, data[:cut])
            data = data[cut:]
        # Pieces of at least one byte, at most 20 a second.
        piece = max(1, int(bytes_per_second / 20))
        pause = piece / bytes_per_second
        for start in range(0, len(data), piece):
            if time.monotonic() >= deadline:
                return
            await self._write(writer, data[start : start + piece])
            if writer.transport.is_closing():
                return
            await asyncio.sleep(pause)

    async def _bloat(
        self,
        writer: asyncio.StreamWriter,
        n_bytes: int,
        headers: dict[str, str],
        declare_length: bool,
    ) -> None:
        head = {"Content-Type": "application/json", **headers}
        if declare_length:
            head["Content-Length"] = str(n_bytes)
        await self._write(writer, _head(200, head))
        # {"a":"xxxx…"}: 6 bytes of start, 2 of end, the rest one reused piece of x.
        start, end = b'{"a":"', b'"}'
        piece = b"x" * BLOAT_PIECE
        await self._write(writer, start)
        left = n_bytes - len(start) - len(end)
        while left > 0:
            n = min(left, BLOAT_PIECE)
            await self._write(writer, piece if n == BLOAT_PIECE else piece[:n])
            left -= n
        await self._write(writer, end)


# ---- HTTP/1.1 bits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    raw: bytes
    method: str
    target: str
    headers: Headers
    body: bytes


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None  # connected and left
    except asyncio.LimitOverrunError:
        raise _Closed("request head too large") from None
    if len(head) > MAX_HEAD:
        raise _Closed("request head too large")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = [*lines[0].split(" ", 2), "", ""][:3]
    headers = [
        (k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
    ]
    length = 0
    for k, v in headers:
        if k.lower() == "content-length":
            length = int(v)
        if k.lower() == "transfer-encoding":
            raise _Closed("chunked requests are not supported here")
    if not 0 <= length <= MAX_BODY:
        raise _Closed("request body too large")
    body = await reader.readexactly(length) if length else b""
    return _Request(head + body, method, target, headers, body)


def _close_request(request: bytes) -> bytes:
    """The same request with `Connection: close` instead of its hop-by-hop headers."""
    head, _, body = request.partition(b"\r\n\r\n")
    return _replace_connection(head) + b"\r\n\r\n" + body


def _closing(response: bytes) -> bytes:
    """The same response with `Connection: close` instead of its hop-by-hop headers."""
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        return response
    return _replace_connection(head) + b"\r\n\r\n" + body


def _replace_connection(head: bytes) -> bytes:
    lines = head.split(b"\r\n")
    kept = [lines[0]] + [
        line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() not in HOP_BY_HOP
    ]
    return b"\r\n".join([*kept, b"Connection: close"])


def _parse_response(data: bytes) -> tuple[int, Headers, bytes, bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        code = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        code = 0
    headers = [
        (k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
    ]
    for k, v in headers:
        if k.lower() == "content-length" and v.isdigit():
            body = body[: int(v)]
    return code, headers, body, head


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _head(code: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {code} {_REASONS.get(code, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() not in ("connection",)]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _response(code: int, body: bytes, headers: dict[str, str]) -> bytes:
    head = dict(headers)
    if body and not any(k.lower() == "content-type" for k in head):
        head["Content-Type"] = "application/json"
    head = {k: v for k, v in head.items() if k.lower() != "content-length"}
    head["Content-Length"] = str(len(body))
    return _head(code, head) + body


def _bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body
