"""Nadeo's JSON web tokens: HS256, signed with a key derived from the instance secret.

The claims and their order follow the documented tokens (compact JSON, unpadded
base64url), so clients that rebuild a token from its payload still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(secret: str) -> bytes:
    """A key for Nadeo tokens only, so other uses of the secret cannot forge them."""
    return hmac.new(secret.encode(), b"podium:nadeo:jwt", hashlib.sha256).digest()


def encode(claims: dict[str, Any], key: bytes) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=True).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


class TokenError(ValueError):
    """A token that is malformed, forged, expired, or for another audience."""


def decode(token: str, key: bytes) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("The token is not a JWT.")
    try:
        expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            raise TokenError("The token signature is invalid.")
        claims: dict[str, Any] = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TokenError("The token is not a JWT.") from exc
    if not isinstance(claims, dict):
        raise TokenError("The token is not a JWT.")
    return claims


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


def issue_pair(identity: Identity, audience: str, key: bytes, life: Lifetimes) -> dict[str, str]:
    """``{accessToken, refreshToken}`` for ``identity``, the access token for ``audience``."""
    now = int(time.time())
    session = str(uuid.uuid4())
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
