"""Compact JSON web tokens signed with HMAC (HS256 / HS512), for the dialects' logins.

Both Nadeo and Mooshak hand out self-contained bearer tokens; this holds the one
implementation of signing and checking them. Each use derives its own key from
the instance secret, so a token of one dialect can never pass as another's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

_DIGESTS = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}


class TokenError(ValueError):
    """A token that is malformed, forged, expired, or of the wrong kind."""


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_key(secret: str, purpose: str) -> bytes:
    """A key for one purpose only, so other uses of the secret cannot forge its tokens."""
    return hmac.new(secret.encode(), f"podium:{purpose}".encode(), hashlib.sha256).digest()


def _signature(key: bytes, signing_input: str, alg: str) -> bytes:
    return hmac.new(key, signing_input.encode(), _DIGESTS[alg]).digest()


def encode(claims: dict[str, Any], key: bytes, alg: str = "HS256") -> str:
    """Compact JSON, unpadded base64url, claims in the order given."""
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=True).encode())
    signature = _signature(key, f"{header}.{payload}", alg)
    return f"{header}.{payload}.{b64(signature)}"


def decode(token: str, key: bytes, alg: str = "HS256") -> dict[str, Any]:
    """The claims of a token signed with ``key``; nothing about expiry is checked here."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("The token is not a JWT.")
    try:
        header = json.loads(unb64(parts[0]))
        if not isinstance(header, dict) or header.get("alg") != alg:
            raise TokenError("The token is not signed the expected way.")
        expected = _signature(key, f"{parts[0]}.{parts[1]}", alg)
        if not hmac.compare_digest(expected, unb64(parts[2])):
            raise TokenError("The token signature is invalid.")
        claims = json.loads(unb64(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, TokenError):
            raise
        raise TokenError("The token is not a JWT.") from exc
    if not isinstance(claims, dict):
        raise TokenError("The token is not a JWT.")
    return claims
