"""Tokens for Nadeo's web services (Core, Live, Meet) and the requests made with them.

A token is fetched with Basic credentials of a service account or a dedicated server
(``POST {core}/v2/authentication/token/basic``). Requests carry
``Authorization: nadeo_v1 t=<access token>``; the access token is refreshed before a
request once its ``rat`` (may refresh after) or ``exp`` has passed, and once more after
a 401, in which case the request is retried once.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from typing import Any, Self
from urllib.parse import urlencode

import httpx

from podium.dialects.nadeo import config
from podium.dialects.nadeo.errors import (
    ApiError,
    AudienceError,
    AuthenticationError,
    ParameterError,
    UsageError,
)

AUDIENCE_CORE = "NadeoServices"
AUDIENCE_LIVE = "NadeoLiveServices"
AUDIENCES = {
    "nadeoservices": AUDIENCE_CORE,
    "core": AUDIENCE_CORE,
    "prod": AUDIENCE_CORE,
    "nadeoliveservices": AUDIENCE_LIVE,
    "live": AUDIENCE_LIVE,
    "meet": AUDIENCE_LIVE,
    "club": AUDIENCE_LIVE,
}
BASIC_PATH = "/v2/authentication/token/basic"
REFRESH_PATH = "/v2/authentication/token/refresh"
FALLBACK_LIFETIME = 3600


def audience_name(audience: str) -> str:
    """The canonical audience for a name or alias (any case), else AudienceError."""
    found = AUDIENCES.get(audience.strip().lower())
    if found is None:
        raise AudienceError(f"unknown audience {audience!r}")
    return found


def decode_jwt(token: str) -> dict[str, Any]:
    """The payload of a JWT, without checking its signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    raw = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("unreadable JWT payload") from exc
    if not isinstance(payload, dict):
        raise ValueError("JWT payload is not an object")
    return payload


def with_query(url: str, params: Any) -> str:
    """``url`` with ``params`` appended to any query it already has (booleans lowercased)."""
    if not params:
        return url
    items = [(k, str(v).lower() if isinstance(v, bool) else v) for k, v in dict(params).items()]
    return f"{url}{'&' if '?' in url else '?'}{urlencode(items, doseq=True)}"


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _pair(response: httpx.Response, old_refresh: str | None = None) -> tuple[str, str]:
    body = _body(response)
    if response.status_code != 200 or not isinstance(body, dict):
        raise AuthenticationError(response.status_code, body)
    access, refresh = body.get("accessToken"), body.get("refreshToken") or old_refresh
    if not isinstance(access, str) or not isinstance(refresh, str):
        raise AuthenticationError(response.status_code, body, "no token pair in the answer")
    return access, refresh


class WebServicesToken:
    """An access/refresh token pair for Nadeo's web services."""

    def __init__(self, access_token: str, refresh_token: str, agent: str = "podium") -> None:
        self.agent = agent
        self._lock = threading.RLock()
        self._store(access_token, refresh_token)

    def _store(self, access_token: str, refresh_token: str) -> None:
        try:
            claims = decode_jwt(access_token)
        except ValueError as exc:
            raise AuthenticationError(200, access_token, f"bad access token: {exc}") from None
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.claims = claims
        now = int(time.time())
        self.expiration = int(claims.get("exp") or now + FALLBACK_LIFETIME)
        self.refresh_after = int(claims.get("rat") or self.expiration)
        self.audience = str(claims.get("aud", ""))
        self.usage = str(claims.get("usg", ""))
        self.subject = str(claims.get("sub", ""))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(audience={self.audience!r}, sub={self.subject!r}, "
            f"expiration={self.expiration})"
        )

    @classmethod
    def get(
        cls,
        login: str,
        password: str,
        audience: str = AUDIENCE_CORE,
        agent: str = "podium",
    ) -> Self:
        """Log in with Basic ``login:password`` and return a token for ``audience``."""
        if not agent:
            raise ParameterError("a User-Agent (agent) is required")
        wanted = audience_name(audience)
        basic = base64.b64encode(f"{login}:{password}".encode()).decode()
        config.wait_turn()
        with config.client() as http:
            response = http.post(
                config.core_base_url + BASIC_PATH,
                headers={"Authorization": f"Basic {basic}", "User-Agent": agent},
                json={"audience": wanted},
            )
        access, refresh = _pair(response)
        return cls(access, refresh, agent=agent)

    def refresh(self) -> None:
        """Trade the refresh token for a new pair (keeping the old refresh token if absent)."""
        with self._lock:
            config.wait_turn()
            with config.client() as http:
                response = http.post(
                    config.core_base_url + REFRESH_PATH,
                    headers={
                        "Authorization": f"nadeo_v1 t={self.refresh_token}",
                        "User-Agent": self.agent,
                    },
                )
            self._store(*_pair(response, self.refresh_token))

    def _refresh_if_due(self) -> None:
        with self._lock:
            if self.needs_refresh():
                self.refresh()

    def needs_refresh(self, now: float | None = None) -> bool:
        """Whether the access token may be refreshed (``rat``) or has expired (``exp``)."""
        moment = time.time() if now is None else now
        return moment >= self.refresh_after or moment >= self.expiration

    def require(self, audience: str) -> None:
        """Raise AudienceError unless this token is for ``audience``."""
        if self.audience != audience:
            raise AudienceError(f"this call needs a {audience} token, not {self.audience!r}")

    def request(
        self,
        method: str,
        url: str,
        params: Any = None,
        body: Any = None,
    ) -> httpx.Response:
        """Send one authenticated request: refresh when due, and once again after a 401."""
        target = with_query(url, params)
        self._refresh_if_due()
        response = self._send(method, target, body)
        if response.status_code == 401:
            self.refresh()
            response = self._send(method, target, body)
            if response.status_code == 401:
                raise AuthenticationError(401, _body(response))
        return response

    def _send(self, method: str, url: str, body: Any) -> httpx.Response:
        headers = {"Authorization": f"nadeo_v1 t={self.access_token}", "User-Agent": self.agent}
        config.wait_turn()
        with config.client() as http:
            if body is None:
                return http.request(method, url, headers=headers)
            return http.request(method, url, headers=headers, json=body)


class ServiceToken(WebServicesToken):
    """A token of a service account, acting as its owner; ``account_id`` is its ``sub``."""

    @property
    def account_id(self) -> str:
        return self.subject


class DedicatedServerToken(WebServicesToken):
    """A token of a dedicated server account (claim ``usg`` is ``Server``)."""


def parse(response: httpx.Response) -> dict[str, Any] | list[Any]:
    """The JSON body of a data call; ``[]`` for 204 or an empty body; ApiError otherwise."""
    if response.status_code >= 400:
        raise ApiError(response.status_code, _body(response))
    if response.status_code == 204 or not response.content.strip():
        return []
    try:
        body = response.json()
    except ValueError:
        raise ApiError(response.status_code, response.text, "the answer is not JSON") from None
    if not isinstance(body, dict | list):
        raise ApiError(response.status_code, body, "the answer is not a JSON object or array")
    return body


def check_token(token: object, audience: str) -> WebServicesToken:
    """``token`` if it is a web services token for ``audience``; UsageError/AudienceError."""
    if not isinstance(token, WebServicesToken):
        raise UsageError(f"expected a WebServicesToken, got {type(token).__name__}")
    token.require(audience)
    return token
