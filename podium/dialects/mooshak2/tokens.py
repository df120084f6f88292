"""Mooshak's bearer tokens: HS512 JWTs that live 60 minutes and refresh at most 5 times.

Unlike Mooshak, whose key is made anew each time the JVM starts, the key derives
from the instance's persisted secret, so a restart logs nobody out. ``sessionId``
names the user's credential: revoking or deleting it ends every token it issued.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from podium.core import jws, limits
from podium.core.jws import TokenError
from podium.dialects.mooshak2.wire import JWT_ALGORITHM, REFRESH_LIMIT

__all__ = ["Claims", "TokenError", "issue", "parse", "refreshed", "signing_key"]


def signing_key(secret: str) -> bytes:
    return jws.derive_key(secret, "mooshak2:jwt")


@dataclass(frozen=True)
class Claims:
    subject: str  # the username
    credential_id: int
    role: str
    contest: str | None
    refresh_count: int
    raw: dict[str, Any]


def issue(
    *,
    key: bytes,
    subject: str,
    credential_id: int,
    role: str,
    contest: str | None,
    issuer: str,
    minutes: int,
) -> str:
    now = int(time.time())
    claims = {
        "jti": str(uuid.uuid4()),
        "sub": subject,
        "iss": issuer,
        "sessionId": str(credential_id),
        "role": role,
        "contest": contest,
        "refreshCount": 0,
        "refreshLimit": REFRESH_LIMIT,
        "iat": now,
        "exp": now + minutes * 60,
    }
    return jws.encode(claims, key, JWT_ALGORITHM)


def parse(token: str, key: bytes) -> Claims:
    """The claims of a valid, unexpired token, with Mooshak's two messages for failures."""
    try:
        raw = jws.decode(token, key, JWT_ALGORITHM)
        subject, session = raw["sub"], raw["sessionId"]
        role, contest = raw["role"], raw.get("contest")
        count, exp = raw["refreshCount"], raw["exp"]
        if not (
            isinstance(subject, str)
            and isinstance(session, str)
            and limits.id_of(session) is not None
            and isinstance(role, str)
            and (contest is None or isinstance(contest, str))
            and isinstance(count, int)
            and isinstance(exp, int)
        ):
            raise TokenError("bad claims")
    except (TokenError, KeyError):
        raise TokenError("The token that you have provided is not valid.") from None
    if exp <= time.time():
        raise TokenError("The token that you have provided has expired.")
    return Claims(subject, int(session), role, contest, count, raw)


def refreshed(claims: Claims, key: bytes, minutes: int) -> str:
    """The same session, one more refresh, expiry pushed out; refused past the limit."""
    if claims.refresh_count >= int(claims.raw.get("refreshLimit", REFRESH_LIMIT)):
        raise TokenError("This token has exceeded the refresh limit.")
    now = int(time.time())
    raw = {**claims.raw, "refreshCount": claims.refresh_count + 1, "iat": now}
    raw["exp"] = now + minutes * 60
    return jws.encode(raw, key, JWT_ALGORITHM)
