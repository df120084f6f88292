"""Asking Discord who a user token belongs to (``GET {api}/oauth2/@me``).

The API base URL comes from settings so that a self-hosted server, and the tests,
can point it at a stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from podium.core import limits

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class DiscordUser:
    id: int
    username: str
    discriminator: str
    avatar: str | None

    def avatar_url(self, cdn: str) -> str:
        """The user's avatar, or Discord's default one for their discriminator."""
        if self.avatar:
            return f"{cdn}/avatars/{self.id}/{self.avatar}.png"
        number = int(self.discriminator) if limits.digits(self.discriminator[:9]) else 0
        return f"{cdn}/embed/avatars/{number % 5}.png"


class DiscordUnavailable(Exception):
    """Discord could not be asked: no connection, or no answer in time."""


async def identify(api_url: str, token: str) -> DiscordUser | None:
    """The user the token is for, or None when Discord's answer names no user.

    Any answer counts, whatever its status: the real server read every response
    without a user (Discord's 401, but also a 5xx) as a bad token, and so does this.
    """
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
            response = await http.get(
                f"{api_url.rstrip('/')}/oauth2/@me", headers={"Authorization": f"Bearer {token}"}
            )
    except (httpx.LocalProtocolError, UnicodeEncodeError):
        # Not even sendable as a header (non-ASCII, a newline, edge spaces): no token
        # Discord issues looks like that, so it is a bad token, not a Discord outage.
        return None
    except httpx.HTTPError as exc:
        raise DiscordUnavailable(type(exc).__name__) from exc
    try:
        user = response.json()["user"]
        return DiscordUser(
            id=int(user["id"]),
            username=str(user["username"]),
            discriminator=str(user["discriminator"]),
            avatar=str(user["avatar"]) if user.get("avatar") else None,
        )
    except (ValueError, KeyError, TypeError):
        return None
