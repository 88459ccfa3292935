"""Peak memory while a gateway answers with a gzip bomb: a loopback server sends a small
gzip-encoded body that inflates to `--inflated` MiB of zeros; the app's `gateways.http.exchange`
reads it. Prints one JSON object: the resident set's peak (ru_maxrss) before the exchange and
after it, their difference, and what the exchange raised.

    python bench/gzip_bomb.py [--inflated 1024] [--httpx-decoder]

--httpx-decoder reads the same answer the way the app did before (httpx's `aiter_bytes`, which
inflates each network chunk whole before the size is counted): the figure to compare with.

Measured 2026-12-07 (2-core VM, 1 GiB of zeros in 1.04 MB of gzip): the peak grew by 3.1 MiB
(32.3 → 35.4 MiB) with `exchange`, by 130.7 MiB (32.2 → 162.9 MiB) with `aiter_bytes`. The whole
`cashier-refund lookup` against such an answer (/usr/bin/time's maximum resident set): 51.2 MiB,
was 177.9 MiB; 50.6 MiB for a normal answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import sys
import threading
import zlib

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import httpx

from cashier_gui.gateways.http import MAX_ANSWER_BYTES, AnswerTooBig, exchange

PIECE = 1 << 20


def bomb(inflated_mib: int) -> bytes:
    """gzip of `inflated_mib` MiB of zeros (≈ 1 KiB per MiB), made piece by piece."""
    gz = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(PIECE)
    parts = [gz.compress(zeros) for _ in range(inflated_mib)]
    parts.append(gz.flush())
    return b"".join(parts)


def serve(answer: bytes) -> tuple[socket.socket, int]:
    """A loopback server that answers every connection with `answer`, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def run() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                data = b""
                while b"\r\n\r\n" not in data:
                    more = conn.recv(65536)
                    if not more:
                        break
                    data += more
                with contextlib.suppress(OSError):  # the client stopped reading: the cap
                    conn.sendall(answer)

    threading.Thread(target=run, daemon=True).start()
    return listener, port


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def read(url: str, httpx_decoder: bool) -> str:
    async with httpx.AsyncClient() as client:
        if httpx_decoder:  # the app before: inflate each chunk whole, then count
            async with client.stream("GET", url) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES:
                        return "AnswerTooBig"
                return f"read {len(body)} bytes"
        try:
            answer = await exchange(client, "GET", url, content=b"", headers={}, deadline=60)
        except AnswerTooBig:
            return "AnswerTooBig"
        return f"read {len(answer.content)} bytes"


def _answer(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    return head + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inflated", type=int, default=1024, help="MiB once inflated")
    parser.add_argument("--httpx-decoder", action="store_true")
    args = parser.parse_args()
    body = bomb(args.inflated)
    listener, port = serve(_answer(body))
    small, small_port = serve(_answer(bomb(0)))  # warm up (imports, the loop) on a tiny answer
    asyncio.run(read(f"http://127.0.0.1:{small_port}/", args.httpx_decoder))
    small.close()
    before = peak_mib()
    outcome = asyncio.run(read(f"http://127.0.0.1:{port}/", args.httpx_decoder))
    after = peak_mib()
    listener.close()
    print(
        json.dumps(
            {
                "reader": "httpx aiter_bytes" if args.httpx_decoder else "gateways.http.exchange",
                "gzip_bytes": len(body),
                "inflated_mib": args.inflated,
                "peak_rss_before_mib": round(before, 1),
                "peak_rss_after_mib": round(after, 1),
                "growth_mib": round(after - before, 1),
                "outcome": outcome,
            }
        )
    )


if __name__ == "__main__":
    main()
