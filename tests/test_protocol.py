from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cashier_gui.protocol import poynt, viopay

VECTORS_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "protocol" / "vectors" / "vectors.json"
)
LOCAL_COPY = Path(__file__).parent / "data" / "vectors.json"


def _vectors() -> dict[str, Any]:
    # The shared contract when it is beside the checkout; the copy kept in tests/ otherwise.
    path = VECTORS_FILE if VECTORS_FILE.exists() else LOCAL_COPY
    return dict(json.loads(path.read_text()))


VECTORS = _vectors()
MSK = bytes.fromhex(VECTORS["kcv"][0]["msk_hex"])


def test_local_copy_of_the_vectors_matches_the_contract() -> None:
    if not VECTORS_FILE.exists():
        pytest.skip("../shared is not beside this checkout")
    assert json.loads(LOCAL_COPY.read_text()) == json.loads(VECTORS_FILE.read_text())


@pytest.mark.parametrize("v", VECTORS["viopay_signature"], ids=lambda v: v["name"])
def test_viopay_signature_vectors(v: dict[str, Any]) -> None:
    got = viopay.sign(
        v["hmac_secret"],
        v["method"],
        v["path"],
        v["query"],
        v["body"].encode(),
        v["terminal_id"],
        v["timestamp"],
        v["nonce"],
    )
    assert got == v["x_signature"]


@pytest.mark.parametrize("v", VECTORS["kcv"])
def test_kcv_vectors(v: dict[str, Any]) -> None:
    assert viopay.key_check_value(bytes.fromhex(v["msk_hex"])) == v["key_kcv"]


@pytest.mark.parametrize("v", VECTORS["envelope"], ids=lambda v: v["name"])
def test_envelope_vectors(v: dict[str, Any]) -> None:
    msk = bytes.fromhex(v["msk_hex"])
    sealed = viopay.seal(msk, v["plaintext"].encode(), bytes.fromhex(v["iv_hex"]))
    assert sealed == v["envelope_json"].encode()
    assert json.loads(sealed) == v["envelope"]
    assert viopay.open_envelope(msk, v["envelope_json"].encode()) == v["plaintext"].encode()


@pytest.mark.parametrize("v", VECTORS["poynt_signature"], ids=lambda v: v["name"])
def test_poynt_signature_vectors(v: dict[str, Any]) -> None:
    assert poynt.sign(v["pairing_code"], v["body"].encode()) == v["signature"]
    assert poynt.verify(v["pairing_code"], v["body"].encode(), v["signature"].lower())
    assert not poynt.verify(v["pairing_code"], v["body"].encode() + b" ", v["signature"])
    assert not poynt.verify(v["pairing_code"], v["body"].encode(), None)
    assert not poynt.verify(v["pairing_code"], v["body"].encode(), "")


def test_seal_draws_a_fresh_iv_each_time() -> None:
    a, b = viopay.seal(MSK, b"{}"), viopay.seal(MSK, b"{}")
    assert json.loads(a)["initialization_vector"] != json.loads(b)["initialization_vector"]
    assert viopay.open_envelope(MSK, a) == viopay.open_envelope(MSK, b) == b"{}"
    env = json.loads(a)
    assert env["ciphertext"] == env["ciphertext"].upper()


def _tampered(**changes: Any) -> bytes:
    env = json.loads(viopay.seal(MSK, b'{"amount":{"value":"1","currency":"EUR"}}'))
    env.update(changes)
    return json.dumps(env).encode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "json"),
        (b"[1,2]", "json"),
        (_tampered(format="TR31"), "format"),
        (_tampered(mode="ECB"), "mode"),
        (_tampered(initialization_vector="00" * 8), "initialization_vector"),
        (_tampered(initialization_vector="ZZ" * 16), "initialization_vector"),
        (_tampered(ciphertext=""), "ciphertext"),
        (_tampered(ciphertext="AB" * 15), "ciphertext"),
        (_tampered(ciphertext="A"), "ciphertext"),
        (_tampered(key_kcv="123"), "key_kcv"),
        (_tampered(key_kcv="000000"), "key_kcv"),
        (_tampered(key_kcv=None), "key_kcv"),
    ],
)
def test_open_says_which_check_failed(body: bytes, field: str) -> None:
    with pytest.raises(viopay.EnvelopeError) as info:
        viopay.open_envelope(MSK, body)
    assert info.value.field == field


def test_open_reports_bad_padding() -> None:
    env = json.loads(viopay.seal(MSK, b"x" * 20))
    # Flip the last byte of the second-to-last block: the padding byte decrypts to garbage.
    ct = bytearray(bytes.fromhex(env["ciphertext"]))
    ct[-17] ^= 0x5A
    env["ciphertext"] = ct.hex().upper()
    with pytest.raises(viopay.EnvelopeError) as info:
        viopay.open_envelope(MSK, json.dumps(env).encode())
    assert info.value.field == "padding"


def test_wrong_msk_is_told_as_a_kcv_mismatch_not_padding() -> None:
    other = bytes(range(1, 33))
    with pytest.raises(viopay.EnvelopeError, match="key check value mismatch") as info:
        viopay.open_envelope(other, viopay.seal(MSK, b"{}"))
    assert info.value.field == "key_kcv"


def test_parse_msk_needs_64_hex_digits() -> None:
    assert viopay.parse_msk(VECTORS["kcv"][0]["msk_hex"].lower()) == MSK
    with pytest.raises(ValueError, match="64 hex digits"):
        viopay.parse_msk("00" * 31)
    with pytest.raises(ValueError, match="not hex"):
        viopay.parse_msk("G" * 64)


def test_string_to_sign_layout() -> None:
    s = viopay.string_to_sign("get", "/p", "a=1", b"", "T", "TS", "N")
    assert s == b"GET\n/p\na=1\n\nT\nTS\nN"


def test_seal_without_kcv_leaves_the_field_out_and_opens() -> None:
    sealed = viopay.seal(MSK, b'{"a":1}', with_kcv=False)
    env = json.loads(sealed)
    assert list(env) == ["format", "ciphertext", "initialization_vector", "mode"]
    assert viopay.parse_envelope(sealed).key_kcv is None
    assert viopay.open_envelope(MSK, sealed) == b'{"a":1}'
    # seal keeps writing it by default, in the contract's order
    assert list(json.loads(viopay.seal(MSK, b"{}")))[-1] == "key_kcv"


def test_kcv_present_is_still_checked_and_null_is_not_absent() -> None:
    with pytest.raises(viopay.EnvelopeError) as info:
        viopay.open_envelope(bytes(range(1, 33)), viopay.seal(MSK, b"{}"))
    assert info.value.field == "key_kcv"
    with pytest.raises(viopay.EnvelopeError) as info:
        viopay.parse_envelope(_tampered(key_kcv=None))
    assert info.value.field == "key_kcv"
    lower = _tampered(key_kcv=viopay.key_check_value(MSK).lower())
    assert viopay.parse_envelope(lower).key_kcv == viopay.key_check_value(MSK)


def test_without_kcv_a_wrong_msk_is_not_silently_opened() -> None:
    # No KCV to compare: a wrong MSK fails on the padding (or, rarely, yields garbage that the
    # caller must reject as not JSON); it never yields the original plaintext.
    plaintext = b'{"amount":{"value":"1","currency":"EUR"}}'
    sealed = viopay.seal(MSK, plaintext, with_kcv=False)
    try:
        opened = viopay.open_envelope(bytes(range(1, 33)), sealed)
    except viopay.EnvelopeError as exc:
        assert exc.field == "padding"
    else:
        assert opened != plaintext
