"""For receivers of Podium's webhooks: check that a delivery is genuine."""

from __future__ import annotations

from collections.abc import Mapping

from podium.feed import signing


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    tolerance: int = signing.TOLERANCE_SECONDS,
) -> bool:
    """True when ``Podium-Signature`` signs this exact ``body`` with ``secret`` and was
    made within ``tolerance`` seconds. Pass the raw body, before any JSON parsing;
    deduplicate on the ``Podium-Delivery`` header, which stays the same on retries."""
    wanted = signing.HEADER.lower()
    header = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return signing.verify(header, body, secret, tolerance=tolerance)
