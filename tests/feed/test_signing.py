"""Webhook signatures: the header format, tolerance, secret rotation, malformed input."""

from __future__ import annotations

import hashlib
import hmac

from podium.api import verify_webhook
from podium.feed import signing

BODY = b'{"id":"wh1-e7","type":"result.created"}'
SECRET = "0123456789abcdef-secret"
T = 1_780_000_000


def test_header_is_timestamp_and_hmac_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1780000000." + BODY, hashlib.sha256).hexdigest()
    assert signing.sign(SECRET, BODY, T) == f"t={T},v1={expected}"


def test_verify_accepts_its_own_signature_within_tolerance() -> None:
    header = signing.sign(SECRET, BODY, T)
    assert signing.verify(header, BODY, SECRET, now=T)
    assert signing.verify(header, BODY, SECRET, now=T + 300)
    assert signing.verify(header, BODY, SECRET, now=T - 300)  # receiver's clock behind


def test_verify_rejects_stale_or_tampered_deliveries() -> None:
    header = signing.sign(SECRET, BODY, T)
    assert not signing.verify(header, BODY, SECRET, now=T + 301)
    assert not signing.verify(header, BODY, SECRET, tolerance=10, now=T + 11)
    assert not signing.verify(header, BODY + b" ", SECRET, now=T)
    assert not signing.verify(header, BODY, SECRET + "x", now=T)
    # The timestamp is signed: moving it forward breaks the signature.
    moved = header.replace(f"t={T}", f"t={T + 1000}")
    assert not signing.verify(moved, BODY, SECRET, now=T + 1000)


def test_any_of_several_signatures_may_match_during_rotation() -> None:
    new = signing.signature(SECRET, BODY, T)
    old = signing.signature("the-previous-secret-value", BODY, T)
    assert signing.verify(f"t={T},v1={old},v1={new}", BODY, SECRET, now=T)
    assert signing.verify(f"t={T}, v1={old}, v1={new}", BODY, "the-previous-secret-value", now=T)
    assert not signing.verify(f"t={T},v1={old}", BODY, SECRET, now=T)


def test_malformed_headers_never_verify() -> None:
    good = signing.signature(SECRET, BODY, T)
    for header in (
        None,
        "",
        "garbage",
        f"v1={good}",  # no timestamp
        f"t={T}",  # no signature
        f"t=soon,v1={good}",
        f"t={T},v1=",
        f"t={T},v0={good}",  # unknown scheme
    ):
        assert not signing.verify(header, BODY, SECRET, now=T), header


def test_verify_webhook_reads_the_header_in_any_case() -> None:
    header = signing.sign(SECRET, BODY)
    assert verify_webhook({"podium-signature": header}, BODY, SECRET)
    assert verify_webhook({"PODIUM-SIGNATURE": header}, BODY, SECRET)
    assert not verify_webhook({"Podium-Delivery": "wh1-e7"}, BODY, SECRET)
    stale = signing.sign(SECRET, BODY, T)
    assert not verify_webhook({"Podium-Signature": stale}, BODY, SECRET)
    assert verify_webhook({"Podium-Signature": stale}, BODY, SECRET, tolerance=10**10)
