"""Client-side overhead of lookup + refund against the simulator on loopback, compared with a
bare httpx request of the same (pre-signed) bytes in the same run; and simulator throughput.

    python bench/client_overhead.py [N]

The simulator runs as a separate process (`cashier-refund sim viopay`), so server work does not
share this process's GIL. Goal: client ≤ 1.3× bare and ≤ 2 ms added per lookup + refund.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support

from cashier_gui.gateways.base import RefundRequest, Timeouts
from cashier_gui.gateways.viopay import ViopayClient, make_nonce, rfc3339
from cashier_gui.gateways.viopay_answers import refund_plaintext
from cashier_gui.money import Money
from cashier_gui.protocol import viopay as proto
from cashier_gui.simulators import viopay as vsim
from tests.support.cli import CLI, start_sim

MSK = bytes.fromhex(vsim.TRAINING_MSK_HEX)
CHARGE = "ch_bench"  # throughput: one big charge; latency: one small charge per round
ROUNDS = 2000


def start_bench_simulator() -> tuple[subprocess.Popen[str], str]:
    """The simulator as its own process, with one big charge and ROUNDS small ones."""
    charges = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(
        [
            {
                "charge_id": CHARGE,
                "status": "approved",
                "amount": {"value": str(10**15), "currency": "EUR"},
            }
        ]
        + [
            {
                "charge_id": f"ch_round_{i}",
                "status": "approved",
                "amount": {"value": "5000", "currency": "EUR"},
                "card": {"brand": "VISA", "last4": "4242"},
            }
            for i in range(ROUNDS)
        ],
        charges,
    )
    charges.close()
    proc, url, _ = start_sim([*CLI, "sim", "viopay", "--port", "0", "--charges", charges.name])
    return proc, url


def signed(
    method: str, path: str, body: bytes, extra: dict[str, str] | None = None
) -> dict[str, str]:
    ts, nonce = rfc3339(dt.datetime.now(dt.UTC)), make_nonce()
    return {
        "X-Terminal-Id": vsim.TRAINING_TERMINAL_ID,
        "User-Agent": "Viopay-POS/bench (bench; PC)",
        "X-Client-Type": "pos",
        "X-Key-Id": vsim.TRAINING_KEY_ID,
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "Content-Type": "application/json",
        "X-Signature": proto.sign(
            vsim.TRAINING_HMAC_SECRET, method, path, "", body, vsim.TRAINING_TERMINAL_ID, ts, nonce
        ),
        **(extra or {}),
    }


_next = iter(range(ROUNDS))


def new_request(charge: str, minor: int = 1250) -> RefundRequest:
    return RefundRequest(
        charge,
        Money(minor, "EUR"),
        "customer_request",
        "R-" + uuid.uuid4().hex[:12],
        str(uuid.uuid4()),
    )


async def bare(url: str, n: int) -> list[float]:
    # Everything the client does is prepared outside the timed part: only the wire remains.
    jobs = []
    for _ in range(n):
        charge = f"ch_round_{next(_next)}"
        req = new_request(charge)
        body = proto.seal(MSK, refund_plaintext(req))
        path = f"/pos/charge/{charge}"
        jobs.append(
            (
                path,
                signed("GET", path, b""),
                body,
                signed("POST", path + "/refund", body, {"Idempotency-Key": req.idempotency_key}),
            )
        )
    times = []
    async with httpx.AsyncClient(base_url=url) as http:
        for path, get_headers, body, post_headers in jobs:
            t0 = time.perf_counter()
            r1 = await http.get(path, headers=get_headers)
            r2 = await http.post(path + "/refund", content=body, headers=post_headers)
            times.append(time.perf_counter() - t0)
            assert r1.status_code == r2.status_code == 200, (r1.text, r2.text)
    return times


async def client(url: str, n: int) -> list[float]:
    c = ViopayClient(
        base_url=url,
        terminal_id=vsim.TRAINING_TERMINAL_ID,
        key_id=vsim.TRAINING_KEY_ID,
        hmac_secret=vsim.TRAINING_HMAC_SECRET,
        msk=MSK,
        timeouts=Timeouts(5, 10),
    )
    times = []
    for _ in range(n):
        charge = f"ch_round_{next(_next)}"
        req = new_request(charge)
        t0 = time.perf_counter()
        await c.lookup(charge)
        await c.refund(req)
        times.append(time.perf_counter() - t0)
    await c.aclose()
    return times


async def throughput(url: str, seconds: float = 3.0, concurrency: int = 16) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            req = new_request(CHARGE, 1)
            body = proto.seal(MSK, refund_plaintext(req))
            headers = signed(
                "POST",
                f"/pos/charge/{CHARGE}/refund",
                body,
                {"Idempotency-Key": req.idempotency_key},
            )
            r = await http.post(f"/pos/charge/{CHARGE}/refund", content=body, headers=headers)
            assert r.status_code == 200
            done += 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        return done / (time.perf_counter() - t0)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    proc, url = start_bench_simulator()
    try:
        asyncio.run(bare(url, 30))  # warm both paths
        asyncio.run(client(url, 30))
        b, c = [], []
        for _ in range(3):  # interleave to share any drift
            b += asyncio.run(bare(url, n // 3))
            c += asyncio.run(client(url, n // 3))
        mb, mc = statistics.median(b) * 1000, statistics.median(c) * 1000
        print(
            f"lookup + refund, median of {len(b)}: bare httpx {mb:.2f} ms, "
            f"client {mc:.2f} ms → {mc / mb:.2f}×, +{mc - mb:.2f} ms"
        )
        rate = asyncio.run(throughput(url))
        print(f"simulator: {rate:.0f} signed refunds/s (16 concurrent, {os.cpu_count()} cores)")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
