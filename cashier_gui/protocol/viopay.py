"""Viopay POS API: the `v1=` request signature and the MSK `TR31-DATA` envelope.

Follows ../shared/protocol/viopay.md. Decisions where the contract leaves room:
- `open_envelope` accepts hex in either case (the contract shows upper case and `seal` always
  writes upper case); it is strict about everything else.
- `key_kcv` is optional in both directions (assumption 1): `seal` writes it unless told not to;
  `open_envelope` compares it, when present, before anything is decrypted, so a wrong MSK is
  reported as such instead of as a padding error. When absent, only the padding is checked here
  (the caller still has to find valid JSON inside). Present but not 6 hex digits (including
  `null`) is an error, not "absent".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import cmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ENVELOPE_FORMAT = "TR31-DATA"
ENVELOPE_MODE = "CBC"
MSK_BYTES = 32
IV_BYTES = 16
_HEX = re.compile(r"[0-9A-Fa-f]*")


def string_to_sign(
    method: str,
    path: str,
    query: str,
    body: bytes,
    terminal_id: str,
    timestamp: str,
    nonce: str,
) -> bytes:
    """METHOD \\n PATH \\n QUERY \\n BODY \\n TERMINAL_ID \\n TIMESTAMP \\n NONCE, as bytes."""
    head = f"{method.upper()}\n{path}\n{query}\n".encode()
    tail = f"\n{terminal_id}\n{timestamp}\n{nonce}".encode()
    return head + body + tail


def sign(
    hmac_secret: str,
    method: str,
    path: str,
    query: str,
    body: bytes,
    terminal_id: str,
    timestamp: str,
    nonce: str,
) -> str:
    """The `X-Signature` header value: `v1=` + base64(HMAC-SHA256(secret, string_to_sign))."""
    message = string_to_sign(method, path, query, body, terminal_id, timestamp, nonce)
    digest = hmac.new(hmac_secret.encode(), message, hashlib.sha256).digest()
    return "v1=" + base64.b64encode(digest).decode("ascii")


def signature_matches(expected: str, received: str) -> bool:
    """Constant-time comparison of two `X-Signature` values."""
    return hmac.compare_digest(expected.encode(), received.encode())


def parse_msk(text: str) -> bytes:
    """The MSK as configured: exactly 64 hex digits (32 bytes, AES-256). Raises ValueError."""
    cleaned = text.strip()
    if len(cleaned) != 2 * MSK_BYTES or not _HEX.fullmatch(cleaned):
        raise ValueError(
            f"the MSK must be exactly {2 * MSK_BYTES} hex digits (0-9, A-F); "
            f"this one has {len(cleaned)} characters"
            + ("" if _HEX.fullmatch(cleaned) else " and some are not hex digits")
        )
    return bytes.fromhex(cleaned)


def key_check_value(msk: bytes) -> str:
    """First 3 bytes, upper-case hex, of AES-CMAC(MSK, 16 zero bytes) (ANSI X9.24-1:2017)."""
    mac = cmac.CMAC(algorithms.AES(msk))
    mac.update(bytes(16))
    return mac.finalize()[:3].hex().upper()


class EnvelopeError(ValueError):
    """An envelope that cannot be opened. `field` names what is wrong: one of `json`, `format`,
    `mode`, `initialization_vector`, `ciphertext`, `key_kcv`, `padding`, `plaintext`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Envelope:
    ciphertext: bytes
    iv: bytes
    key_kcv: str | None

    def to_json(self) -> bytes:
        """Compact JSON, fields in the contract's order: the bytes that are signed and sent.
        `key_kcv` is left out when it is None."""
        data = {
            "format": ENVELOPE_FORMAT,
            "ciphertext": self.ciphertext.hex().upper(),
            "initialization_vector": self.iv.hex().upper(),
            "mode": ENVELOPE_MODE,
        }
        if self.key_kcv is not None:
            data["key_kcv"] = self.key_kcv
        return json.dumps(data, separators=(",", ":")).encode()


def seal(msk: bytes, plaintext: bytes, iv: bytes | None = None, *, with_kcv: bool = True) -> bytes:
    """Encrypt `plaintext` under the MSK (AES-256-CBC, PKCS#7) and return the envelope JSON.

    A fresh random IV is drawn unless one is given (known-answer tests only). `with_kcv=False`
    leaves `key_kcv` out, as most of Viopay's own examples do (the client always sends it).
    """
    if len(msk) != MSK_BYTES:
        raise ValueError("the MSK must be 32 bytes")
    iv = os.urandom(IV_BYTES) if iv is None else iv
    if len(iv) != IV_BYTES:
        raise ValueError("the IV must be 16 bytes")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(msk), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return Envelope(ciphertext, iv, key_check_value(msk) if with_kcv else None).to_json()


def parse_envelope(body: bytes) -> Envelope:
    """Check the envelope's shape (JSON, format, mode, hex, lengths); decrypt nothing."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise EnvelopeError("json", "the body is not JSON") from exc
    if not isinstance(data, dict):
        raise EnvelopeError("json", "the body is not a JSON object")
    if data.get("format") != ENVELOPE_FORMAT:
        raise EnvelopeError("format", f"format must be {ENVELOPE_FORMAT!r}")
    if data.get("mode") != ENVELOPE_MODE:
        raise EnvelopeError("mode", f"mode must be {ENVELOPE_MODE!r}")
    iv = _hex_field(data, "initialization_vector")
    if len(iv) != IV_BYTES:
        raise EnvelopeError("initialization_vector", "initialization_vector must be 16 bytes")
    ciphertext = _hex_field(data, "ciphertext")
    if not ciphertext or len(ciphertext) % 16:
        raise EnvelopeError("ciphertext", "ciphertext must be a non-empty multiple of 16 bytes")
    if "key_kcv" not in data:
        return Envelope(ciphertext, iv, None)
    kcv = data["key_kcv"]
    if not isinstance(kcv, str) or len(kcv) != 6 or not _HEX.fullmatch(kcv):
        raise EnvelopeError("key_kcv", "key_kcv must be 6 hex digits")
    return Envelope(ciphertext, iv, kcv.upper())


def open_envelope(msk: bytes, body: bytes) -> bytes:
    """Check and decrypt an envelope; return the plaintext bytes or raise EnvelopeError.

    The key check value is compared when the envelope carries one; without it a wrong MSK
    shows up as bad padding or (for the caller) as a plaintext that is not JSON."""
    envelope = parse_envelope(body)
    expected = key_check_value(msk)
    if envelope.key_kcv is not None and not hmac.compare_digest(envelope.key_kcv, expected):
        raise EnvelopeError(
            "key_kcv",
            f"key check value mismatch (envelope {envelope.key_kcv}, this MSK {expected})",
        )
    decryptor = Cipher(algorithms.AES(msk), modes.CBC(envelope.iv)).decryptor()
    padded = decryptor.update(envelope.ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise EnvelopeError("padding", "bad PKCS#7 padding after decryption") from exc


def _hex_field(data: dict[str, object], name: str) -> bytes:
    value = data.get(name)
    if not isinstance(value, str) or len(value) % 2 or not _HEX.fullmatch(value):
        raise EnvelopeError(name, f"{name} must be an even number of hex digits")
    return bytes.fromhex(value)
