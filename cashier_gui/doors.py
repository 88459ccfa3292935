"""The doors a manager holds, as far as one PC can keep them shut (issue 27).

- **The changes log** (`changes.log` in the data folder, JSON lines, 0600): who changed which
  setting or secret, and when — the command line's `setup`, `secret set|delete`, `pair`,
  `policy seal` and the window's Settings. Values of secrets are never written, only that one
  was set or deleted.
- **The seal**: an HMAC-SHA256, keyed with a random key kept in the OS keyring, over what a
  manager guards in the settings file: the `[policy]` table, the back end's endpoint (address,
  port, CA bundle), the shop's currency and the test-counter mark. A manager's save (the
  window's Settings, `setup`, `policy seal`) seals; at start the seal is checked. Broken (or
  missing while a policy is set): every cashier's refund and void needs a manager, with words
  that say why (`Policy.seal_broken`), until a manager saves again; `doctor` says so too.
- **Loopback is for test counters**: a real counter refuses a back end on this PC itself (a
  simulator can only pretend to refund) unless it is marked as a test counter
  (`setup … --test-counter`) by a manager's save, with the seal intact.

What one PC cannot promise: whoever runs a Python prompt as the app's OS account can read the
key from the keyring and forge the seal, like every other secret there (docs/security.md).
The seal makes an edit of the file evident; it does not make the file unwritable.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets as pysecrets
from collections.abc import Sequence
from dataclasses import asdict, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cashier_gui.files import open_private, private_dir
from cashier_gui.i18n import _

if TYPE_CHECKING:
    from cashier_gui.config import Paths, Settings
    from cashier_gui.journal import Attempt
    from cashier_gui.policy import Policy
    from cashier_gui.secrets import SecretStore

CHANGES_LOG = "changes.log"
SEAL_LINE = "seal"  # a changes-log line recording a seal (`record_seal`)
_SEAL_VERSION = "v1"


class Seal(StrEnum):
    """What the start-up check found (`check_seal`)."""

    INTACT = "intact"  # sealed by a manager's save, nothing changed since
    MISSING = "missing"  # never sealed (or the seal was deleted from the keyring)
    BROKEN = "broken"  # changed outside a manager's save


# ---- endpoints ----------------------------------------------------------------------------------


def endpoint(settings: Settings) -> str | None:
    """Where refunds go: the Viopay base URL, or the Poynt terminal's `host:port`."""
    if settings.provider == "viopay" and settings.viopay is not None:
        return settings.viopay.base_url
    if settings.provider == "poynt" and settings.poynt is not None:
        return f"{settings.poynt.host}:{settings.poynt.port}"
    return None


def is_loopback(address: str) -> bool:
    """Is this back end on this PC itself (127.0.0.0/8, ::1, localhost)?"""
    host = urlsplit(address).hostname if "://" in address else address.rsplit(":", 1)[0]
    host = (host or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---- the seal -----------------------------------------------------------------------------------


def sealed_material(settings: Settings) -> bytes:
    """What a manager guards, canonically: policy, endpoint, CA bundle, currency, test mark, and
    the shop server this counter belongs to."""
    doc: dict[str, Any] = {
        "policy": settings.policy.to_toml(),
        "provider": settings.provider,
        "endpoint": endpoint(settings),
        "ca_bundle": settings.viopay.ca_bundle if settings.viopay is not None else None,
        "currency": settings.default_currency,
        "test_counter": settings.test_counter,
        # Leaving the shop by editing the file would fall back to refunding alone: guarded too.
        "shop_server": asdict(settings.shop_server) if settings.shop_server is not None else None,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _mac(key: bytes, settings: Settings) -> str:
    digest = hmac.new(key, sealed_material(settings), hashlib.sha256).digest()
    return f"{_SEAL_VERSION}:{base64.b64encode(digest).decode()}"


def fingerprint(settings: Settings) -> str:
    """A short, keyless fingerprint of the guarded settings (for people: doctor, the log)."""
    return hashlib.sha256(sealed_material(settings)).hexdigest()[:16]


def seal(settings: Settings, secrets: SecretStore) -> None:
    """A manager saved: seal what is guarded now (creating the key the first time)."""
    from cashier_gui.secrets import SEAL, SEAL_KEY

    key_text = secrets.get(SEAL_KEY)
    if not key_text:
        key_text = base64.b64encode(pysecrets.token_bytes(32)).decode()
        secrets.set(SEAL_KEY, key_text)
    secrets.set(SEAL, _mac(base64.b64decode(key_text), settings))


def check_seal(settings: Settings, secrets: SecretStore) -> Seal:
    from cashier_gui.secrets import SEAL, SEAL_KEY

    stored, key_text = secrets.get(SEAL), secrets.get(SEAL_KEY)
    if not stored or not key_text:
        return Seal.MISSING
    try:
        key = base64.b64decode(key_text, validate=True)
    except ValueError:
        return Seal.BROKEN
    return Seal.INTACT if hmac.compare_digest(stored, _mac(key, settings)) else Seal.BROKEN


def guarded_policy(policy: Policy, state: Seal) -> Policy:
    """The policy the service applies: as set while the seal holds; with a broken seal (or a
    policy no manager sealed) every cashier's refund and void needs a manager."""
    if state is Seal.INTACT or (state is Seal.MISSING and policy.empty):
        return policy
    return replace(policy, seal_broken=True)


def seal_words(state: Seal, policy: Policy | None = None) -> str | None:
    """What doctor and the window say about the seal; None when all is well (intact, or never
    sealed on a counter without a policy: nothing applies that a seal would keep)."""
    if state is Seal.INTACT or (state is Seal.MISSING and policy is not None and policy.empty):
        return None
    return _(
        "The shop's policy or the back end's address was changed outside a manager's save, or "
        "never saved by one: every cashier's refund needs a manager until a manager saves the "
        "settings again (Counter → Settings, or cashier-refund policy seal --manager NAME)."
    )


def apply_seal(runtime: Any, secrets: SecretStore | None = None) -> Seal:
    """At start (the window's and the command line's runtime): check the seal and hand the
    service the policy it may apply. Training keeps its own practice policy."""
    from cashier_gui.secrets import SecretStore

    if runtime.training:
        return Seal.INTACT
    from cashier_gui.secrets import KeyringUnavailable

    settings = runtime.settings
    try:
        state = check_seal(settings, secrets or SecretStore(settings.profile))
    except KeyringUnavailable:
        state = Seal.BROKEN  # cannot tell: fail closed
    service = runtime.service
    service.seal_broken = guarded_policy(
        replace(service.policy, seal_broken=False), state
    ).seal_broken
    return state


def loopback_refused(settings: Settings, secrets: SecretStore) -> str | None:
    """A sentence when this real counter must not send to its endpoint (this PC itself, and
    not a test counter marked by a manager's save); None when it may."""
    where = endpoint(settings)
    if where is None or not is_loopback(where):
        return None
    if settings.test_counter:
        if check_seal(settings, secrets) is Seal.INTACT:
            return None
        return _(
            "This test counter sends refunds to {endpoint}, this PC itself, but its settings "
            "were changed outside a manager's save: nothing is sent until a manager saves them "
            "again (Counter → Settings, or cashier-refund policy seal --manager NAME)."
        ).format(endpoint=where)
    return _(
        "This counter sends refunds to {endpoint}, which is this PC itself: a simulator there "
        "only pretends to refund. Set the real address (cashier-refund setup …), or, on a test "
        "counter, a manager marks it as one (cashier-refund setup … --test-counter)."
    ).format(endpoint=where)


def manager_saved(
    paths: Paths,
    secrets: SecretStore,
    before: Settings,
    after: Settings,
    *,
    by: str | None,
    secrets_set: list[str] | tuple[str, ...] = (),
) -> None:
    """The window's Settings saved (a manager's door): log what changed and seal it. Blocks
    (keyring, disk): call it from a worker thread."""
    changed = settings_changes(before, after)
    changed.update({name: "set" for name in secrets_set})  # never the values
    record(paths, by, "settings", changed)
    seal(after, secrets)
    record_seal(paths, by, after)


# ---- the changes log ----------------------------------------------------------------------------


def record(paths: Paths, who: str | None, what: str, changed: dict[str, Any]) -> None:
    """Append one line to the counter's changes log: when (UTC), who, what, what changed."""
    line = {
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "who": who,
        "what": what,
        "changed": changed,
    }
    folder = private_dir(paths.data_dir)
    with open_private(folder / CHANGES_LOG, "a") as fh:
        fh.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")


def record_seal(paths: Paths, who: str | None, settings: Settings) -> None:
    """A manager's save sealed `settings`: one line with the time to the microsecond and the
    fingerprint, so `journal verify` can tell which fingerprint was sealed when."""
    line = {
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "who": who,
        "what": SEAL_LINE,
        "fingerprint": fingerprint(settings),
    }
    folder = private_dir(paths.data_dir)
    with open_private(folder / CHANGES_LOG, "a") as fh:
        fh.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")


def sealed_fingerprints(paths: Paths) -> list[tuple[str, str]]:
    """Every seal the changes log records, as (when, fingerprint), oldest first. Lines that are
    not seals, or not JSON, are passed over; no log: []."""
    try:
        text = (paths.data_dir / CHANGES_LOG).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    seals = []
    for raw in text.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(line, dict) or line.get("what") != SEAL_LINE:
            continue
        at, fp = line.get("at"), line.get("fingerprint")
        if isinstance(at, str) and isinstance(fp, str):
            seals.append((at, fp))
    return sorted(seals)


def unsealed_attempts(attempts: Sequence[Attempt], seals: Sequence[tuple[str, str]]) -> list[str]:
    """What `journal verify` says about attempts made under a fingerprint no manager had sealed
    at the time: the seal in force is the latest one recorded before the attempt was made.
    Attempts made before the first recorded seal (an older version kept no such lines) and
    attempts without a fingerprint (before journal schema 8) are not judged; attempts with a
    fingerprint and no seal recorded at all are named together in one sentence."""
    judged = [a for a in attempts if a.policy and not a.training]
    if not judged:
        return []
    if not seals:
        return [
            _(
                "{count} attempts carry a settings fingerprint, but the changes log records no "
                "manager's seal: they cannot be checked (a manager seals with cashier-refund "
                "policy seal --manager NAME; the log may have been deleted)."
            ).format(count=len(judged))
        ]
    times = [at for at, _fp in seals]
    out = []
    for a in judged:
        i = bisect.bisect_right(times, a.created_at)
        if i == 0:
            continue  # before the first recorded seal
        in_force = seals[i - 1][1]
        if a.policy != in_force:
            out.append(
                _(
                    "attempt {id} ({charge}, {at}) was made under settings {fingerprint}, "
                    "which no manager had sealed then (sealed: {sealed})"
                ).format(
                    id=a.id,
                    charge=a.charge_id,
                    at=a.created_at,
                    fingerprint=a.policy,
                    sealed=in_force,
                )
            )
    return out


def settings_changes(before: Settings, after: Settings) -> dict[str, Any]:
    """The guarded and plain settings that differ, as {key: [before, after]} (no secrets are
    in settings)."""
    old, new = _flat(before.to_toml()), _flat(after.to_toml())
    return {
        k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)
    }


def _flat(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
