"""Asking Discord who a user token belongs to (``GET {api}/oauth2/@me``).

The API base URL comes from settings so that a self-hosted server, and the tests,
can point it at a stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

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
        number = int(self.discriminator) if self.discriminator.isdigit() else 0
        return f"{cdn}/embed/avatars/{number % 5}.png"


class DiscordUnavailable(Exception):
    """Discord could not be asked (network failure or a server error)."""


async def identify(api_url: str, token: str) -> DiscordUser | None:
    """The user the token is for, or None when Discord does not accept it."""
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
            response = await http.get(
                f"{api_url.rstrip('/')}/oauth2/@me", headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError as exc:
        raise DiscordUnavailable(type(exc).__name__) from exc
    if response.status_code >= 500:
        raise DiscordUnavailable(f"HTTP {response.status_code}")
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
