"""Signing webhook deliveries so a receiver can tell they came from this Podium.

``Podium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``. The
timestamp is signed too, so a captured delivery cannot be replayed later than the
receiver's tolerance. Several ``v1=`` values may be present (one per secret while a
secret is being rotated); one match is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from podium.core import limits

HEADER = "Podium-Signature"
DELIVERY_HEADER = "Podium-Delivery"
EVENT_HEADER = "Podium-Event"
TOLERANCE_SECONDS = 300


def signature(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value for ``body``."""
    when = int(time.time()) if timestamp is None else timestamp
    return f"t={when},v1={signature(secret, body, when)}"


def verify(
    header: str | None,
    body: bytes,
    secret: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds."""
    if not header:
        return False
    stamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and limits.digits(value) and len(value) < 19:
            stamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if stamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        return False
    expected = signature(secret, body, stamp)
    return any(hmac.compare_digest(expected, found) for found in candidates)
