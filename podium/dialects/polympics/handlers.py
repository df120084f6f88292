"""For apps receiving Polympics callbacks: check who sent one, then read its payload.

The client runs no HTTP server, so the app's own server calls these. Check the
``Authorization`` header with ``verify_callback`` before trusting a payload: it is
the only proof the request came from the Polympics server.
"""

from __future__ import annotations

import hmac
from typing import Any

from podium.dialects.polympics.models import AccountTeamUpdateEvent

__all__ = ["account_team_update", "verify_callback"]


def account_team_update(data: Any) -> AccountTeamUpdateEvent:
    """The parsed body of an ``account_team_update`` callback (the decoded JSON object)."""
    return AccountTeamUpdateEvent.from_dict(data)


def verify_callback(authorization_header: str | None, secret: str) -> bool:
    """Whether the header is ``Bearer <secret>``, compared in constant time.

    A plain ``==`` stops at the first differing character, which lets an attacker who
    can time many requests guess the secret a character at a time.
    """
    if authorization_header is None:
        return False
    expected = f"Bearer {secret}".encode()
    return hmac.compare_digest(authorization_header.encode(), expected)
