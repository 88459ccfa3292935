"""Compressed gateway answers are capped WHILE they are inflated (`gateways.http.exchange`):
gzip and deflate answers from a real loopback server read right, a gzip bomb stops at the cap
with the memory of a normal answer, and a lookup that gets one exits 1."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import httpx
import pytest

from cashier_gui.gateways.http import AnswerTooBig, exchange
from cashier_gui.simulators.server import ServerThread
from tests.support import cli as support_cli
from tests.support import hostile

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = "http://127.0.0.1:9"  # raw plays forward nothing


def answer(body: bytes, coding: str | None) -> bytes:
    head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    if coding is not None:
        head += f"Content-Encoding: {coding}\r\n"
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


def fetch(data: bytes, max_bytes: int = 1 << 20) -> bytes:
    async def go(url: str) -> bytes:
        async with httpx.AsyncClient() as client:
            got = await exchange(
                client, "GET", url, content=b"", headers={}, deadline=10, max_bytes=max_bytes
            )
            return got.content

    with hostile.HostileServer(NOWHERE, default=hostile.raw(data)) as server:
        return asyncio.run(go(server.url + "/"))


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


PLAIN = json.dumps({"status": "approved", "words": "Größe 42 " * 200}).encode()


@pytest.mark.parametrize(
    ("body", "coding"),
    [
        (PLAIN, None),
        (PLAIN, "identity"),
        (gzip.compress(PLAIN), "gzip"),
        (gzip.compress(PLAIN), "x-gzip"),
        (zlib.compress(PLAIN), "deflate"),
        (raw_deflate(PLAIN), "deflate"),  # some servers send deflate without its zlib header
        (gzip.compress(zlib.compress(PLAIN)), "deflate, gzip"),  # layered: undone in reverse
        (gzip.compress(PLAIN), "GZIP"),
    ],
    ids=["none", "identity", "gzip", "x-gzip", "deflate", "raw-deflate", "layered", "upper"],
)
def test_compressed_answers_read_as_sent(body: bytes, coding: str | None) -> None:
    assert fetch(answer(body, coding)) == PLAIN


def test_the_cap_is_exact_after_inflating() -> None:
    data = b"x" * 1000
    assert fetch(answer(gzip.compress(data), "gzip"), max_bytes=1000) == data
    with pytest.raises(AnswerTooBig):
        fetch(answer(gzip.compress(data + b"y"), "gzip"), max_bytes=1000)


def test_a_coding_we_did_not_ask_for_stays_raw_bytes() -> None:
    body = b"\x1b\x00not-really-brotli"
    assert fetch(answer(body, "br")) == body  # then it fails to parse as an answer


def test_a_broken_gzip_body_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError):
        fetch(answer(b"\x1f\x8b\x08\x00garbage-garbage", "gzip"))


def _bench(*extra: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gzip_bomb.py"), "--inflated", "512", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_a_gzip_bomb_stops_at_the_cap_with_little_memory() -> None:
    """512 MiB of zeros in ≈ 0.5 MB of gzip. Inflating each network chunk whole (httpx's
    aiter_bytes, the app before) grows the peak by > 100 MiB; capped while inflating, a few."""
    ours = _bench()
    assert ours["outcome"] == "AnswerTooBig"
    growth = ours["growth_mib"]
    assert isinstance(growth, float | int) and growth < 16, ours


def test_a_lookup_answered_with_a_gzip_bomb_exits_1(
    tmp_path: Path, viopay_server: ServerThread
) -> None:
    from cashier_gui.simulators import viopay as vsim

    env = support_cli.cli_env(tmp_path)
    piece = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    body = b"".join(piece.compress(bytes(1 << 20)) for _ in range(256)) + piece.flush()
    play = hostile.raw(answer(body, "gzip"))
    with hostile.HostileServer(viopay_server.url, default=play) as server:

        def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
            return support_cli.run_cli(env, *args, stdin=stdin)

        support_cli.configure_viopay(
            run, server.url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX
        )
        r = run("lookup", "ch_train_eur_4990")
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "far too large" in r.stderr and "Nothing was refunded" in r.stderr
