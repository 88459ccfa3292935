"""Poynt POS Bridge: `Signature` = hex HMAC-SHA256 of the exact body, keyed by the pairing code.

Follows ../shared/protocol/poynt-pos-bridge.md: requests are signed in upper-case hex; a received
signature is accepted in either case, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac


def sign(pairing_code: str, body: bytes) -> str:
    return hmac.new(pairing_code.encode(), body, hashlib.sha256).hexdigest().upper()


def verify(pairing_code: str, body: bytes, signature: str | None) -> bool:
    """True only when `signature` is the body's HMAC under the pairing code (either hex case)."""
    if not signature:
        return False
    return hmac.compare_digest(sign(pairing_code, body), signature.strip().upper())
