"""Nadeo's JSON web tokens: HS256, signed with a key derived from the instance secret.

The claims and their order follow the documented tokens (compact JSON, unpadded
base64url), so clients that rebuild a token from its payload still verify. The
session id (``sid``, a UUID as on Nadeo) names the account's credential and its token
generation, so every request can check the account is still live with one keyed
read, without a claim Nadeo does not send.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from podium.core import jws
from podium.core.jws import TokenError as TokenError

ISSUER = "NadeoServices"
CORE = "NadeoServices"
LIVE = "NadeoLiveServices"
AUDIENCES = {
    "nadeoservices": CORE,
    "core": CORE,
    "prod": CORE,
    "nadeoliveservices": LIVE,
    "live": LIVE,
    "meet": LIVE,
    "club": LIVE,
}


def signing_key(secret: str) -> bytes:
    """A key for Nadeo tokens only, so other uses of the secret cannot forge them."""
    return jws.derive_key(secret, "nadeo:jwt")


def encode(claims: dict[str, Any], key: bytes) -> str:
    return jws.encode(claims, key, "HS256")


def decode(token: str, key: bytes) -> dict[str, Any]:
    return jws.decode(token, key, "HS256")


@dataclass(frozen=True)
class Lifetimes:
    access: int = 3600
    refresh_after: int = 1800
    refresh: int = 86400


@dataclass(frozen=True)
class Identity:
    account_id: str
    name: str
    usage: str  # "Client" or "Server"
    ubiservices_uid: str
    credential_id: int
    generation: int  # bumped when the password changes: older tokens stop working


_ID_BITS, _GENERATION_BITS = 48, 30
_VERSION, _VARIANT = 8, 0b10  # an RFC 9562 "custom" UUID, so it still reads as one


def session_id(credential_id: int, generation: int) -> str:
    """A version-8 UUID holding the credential id, the generation and 44 random bits."""
    if not 0 < credential_id < 1 << _ID_BITS:
        raise ValueError("credential id out of range for a Nadeo session id")
    value = (
        credential_id << 80
        | _VERSION << 76
        | secrets.randbits(12) << 64
        | _VARIANT << 62
        | (generation % (1 << _GENERATION_BITS)) << 32
        | secrets.randbits(32)
    )
    return str(uuid.UUID(int=value))


def session_of(claims: dict[str, Any]) -> tuple[int, int]:
    """(credential id, generation) named by a token's ``sid``; TokenError if it names none."""
    try:
        value = uuid.UUID(str(claims.get("sid", ""))).int
    except ValueError:
        raise TokenError("The token names no session.") from None
    if (value >> 76) & 0xF != _VERSION or (value >> 62) & 0b11 != _VARIANT:
        raise TokenError("The token names no session.")
    return value >> 80, (value >> 32) & ((1 << _GENERATION_BITS) - 1)


def same_generation(stored: int, claimed: int) -> bool:
    return stored % (1 << _GENERATION_BITS) == claimed


def issue_pair(identity: Identity, audience: str, key: bytes, life: Lifetimes) -> dict[str, str]:
    """``{accessToken, refreshToken}`` for ``identity``, the access token for ``audience``."""
    now = int(time.time())
    session = session_id(identity.credential_id, identity.generation)
    common = {
        "usg": identity.usage,
        "sid": session,
        "sub": identity.account_id,
        "aun": identity.name,
    }
    access = {
        "jti": str(uuid.uuid4()),
        "iss": ISSUER,
        "aud": audience,
        "iat": now,
        "sat": now,
        "rat": now + life.refresh_after,
        "exp": now + life.access,
        **common,
        "rtk": False,
        "pce": False,
        "ubiservices_uid": identity.ubiservices_uid,
    }
    refresh = {
        "jti": str(uuid.uuid4()),
        "iss": ISSUER,
        "aud": CORE,
        "iat": now,
        "sat": now,
        "rat": now + life.refresh_after,
        "exp": now + life.refresh,
        **common,
        "rtk": True,
        "pce": False,
        "ubiservices_uid": identity.ubiservices_uid,
        "refresh_aud": audience,
        "limit_type": "none",
    }
    return {"accessToken": encode(access, key), "refreshToken": encode(refresh, key)}


def check(token: str, key: bytes, *, audience: str, refresh: bool = False) -> dict[str, Any]:
    """The claims of a valid, unexpired token of the right kind and audience."""
    claims = decode(token, key)
    if claims.get("iss") != ISSUER or bool(claims.get("rtk")) != refresh:
        raise TokenError("The token is not of the expected kind.")
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        raise TokenError("The token has expired.")
    if claims.get("aud") != audience:
        raise TokenError(f"The token is not for {audience}.")
    return claims
