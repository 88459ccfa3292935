"""One PIN check (`OperatorStore.verify`, scrypt at the app's cost): its CPU time and what it
adds to the process's peak RSS — what every sign-in and approval pays on a counter.

    python bench/pin_check.py [--previous]

--previous checks a record hashed with the cost before issue 22 (operators.PREVIOUS_SCRYPT),
as an existing operators file has it until its holder's next right PIN. CPU time (process_time)
is load-independent enough on a busy machine; the wall time is given beside it.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from cashier_gui.operators import (
    PREVIOUS_SCRYPT,
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    OperatorStore,
    Role,
    _kdf,
)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    previous = "--previous" in sys.argv
    cost = PREVIOUS_SCRYPT if previous else (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    path = Path(tempfile.mkdtemp(prefix="cashier-pin-")) / "operators.json"
    salt = os.urandom(16)
    record = {
        "name": "Maria",
        "role": str(Role.MANAGER),
        "salt": base64.b64encode(salt).decode(),
        "hash": "",
        "n": cost[0],
        "r": cost[1],
        "p": cost[2],
    }
    before = peak_mib()
    cpu, wall = [], []
    for _ in range(7):
        # Each round a fresh record at the cost measured (a right PIN re-hashes a previous one).
        record["hash"] = base64.b64encode(_kdf(salt, *cost).derive(b"4711")).decode()
        path.write_text(json.dumps({"version": 1, "operators": [record]}), encoding="utf-8")
        store = OperatorStore(path)
        c, w = time.process_time(), time.perf_counter()
        store.verify("Maria", "4711")
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    print(
        f"scrypt n=2^{cost[0].bit_length() - 1} r={cost[1]} p={cost[2]}"
        f"{' (previous cost, re-hashed on success)' if previous else ''}: one check "
        f"{statistics.median(cpu):.0f} ms CPU (median of 7; wall {statistics.median(wall):.0f} ms); "
        f"peak RSS {before:.0f} → {peak_mib():.0f} MiB, resident after {resident_mib():.0f} MiB; "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
