"""The connection to a Mooshak 2 API: endpoint, user, bearer token and its upkeep.

Mirrors mooshak2api's ``login``/``Client``/``User`` with two fixes: ``refresh()``
keeps the token the server hands back (the original discarded it, so sessions
still died after an hour), and every authenticated call refreshes the token first
when it expires within ``refresh_margin`` seconds. A token that may not be
refreshed any more (5 refreshes) is replaced by logging in again with the stored
credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from typing import Any, Self

import httpx

from podium.dialects.mooshak2.errors import (
    AuthenticationError,
    ConnectionCheckError,
    MooshakError,
    UsageError,
    check,
    error_for,
)
from podium.dialects.mooshak2.models import contest_id_of
from podium.dialects.mooshak2.wire import REFRESH_LIMIT, WELCOME

__all__ = ["Client", "User", "login", "token_claims"]

DEFAULT_TIMEOUT = 30.0
DEFAULT_REFRESH_MARGIN = 300.0
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def token_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (only the server holds the key); {} if unreadable."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    raw = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw))
    except (binascii.Error, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


class User:
    """Credentials and the current token; ``contest`` may be a Contest or its id."""

    def __init__(
        self, username: str, password: str, contest: Any = None, admin: bool = False
    ) -> None:
        self.username = username
        self.password = password
        self.admin = admin
        self.contest: str | None = None if contest is None else contest_id_of(contest)
        self.token: str | None = None
        self.last_refresh: float | None = None
        self._connection: Client | None = None

    @property
    def claims(self) -> dict[str, Any]:
        return token_claims(self.token) if self.token else {}

    @property
    def expires_at(self) -> float | None:
        """The token's ``exp`` (epoch seconds), or None without a readable one."""
        exp = self.claims.get("exp")
        return float(exp) if isinstance(exp, int | float) else None

    @property
    def refreshes_left(self) -> int:
        claims = self.claims
        limit = claims.get("refreshLimit", REFRESH_LIMIT)
        count = claims.get("refreshCount", 0)
        if not isinstance(limit, int) or not isinstance(count, int):
            return 0
        return max(0, limit - count)

    def login(self, connection: Client | None = None) -> str:
        """Log in (admins without a contest) and keep the token; the connection is remembered."""
        connection = connection or self._connection
        if connection is None:
            raise UsageError("User.login needs the Client to log in through")
        body: dict[str, Any] = {"username": self.username, "password": self.password}
        if not self.admin:
            if self.contest is None:
                raise UsageError("a contest user must name a contest (or use admin=True)")
            body["contest"] = self.contest
        response = connection.http.post(
            f"{connection.endpoint}auth/login/", json=body, headers=connection.headers
        )
        if response.status_code == 403:
            raise error_for(response, AuthenticationError)
        token = check(response).json().get("token")
        if not isinstance(token, str):
            raise AuthenticationError(f"Unable to login - {response.text}", body=response.text)
        self.token = token
        self.last_refresh = time.time()
        self._connection = connection
        return token


class Client:
    """A Mooshak 2 endpoint and the user logged in to it (``user``), over one HTTP pool.

    Building one checks that the endpoint answers like Mooshak 2 and raises
    ConnectionCheckError (an AssertionError, like mooshak2api's assert) if not.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.headers: dict[str, str] = dict(JSON_HEADERS)
        self.user: User | None = None
        self.refresh_margin = refresh_margin
        self.http = httpx.Client(timeout=timeout)
        self._lock = threading.RLock()
        if not self.test():
            self.http.close()
            raise ConnectionCheckError(f"no Mooshak 2 API answers at {self.endpoint}")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def test(self) -> bool:
        """True when the endpoint's root answers with Mooshak 2's welcome."""
        try:
            body = self.http.get(self.endpoint, headers=self.headers).json()
        except (httpx.HTTPError, ValueError):
            return False
        result = body.get("result") if isinstance(body, dict) else None
        return isinstance(result, dict) and result.get("value") == WELCOME

    def _user(self) -> User:
        if self.user is None or self.user.token is None:
            raise UsageError("this client has no logged-in user; use login() or user.login()")
        return self.user

    def _bearer(self) -> dict[str, str]:
        return {**self.headers, "Authorization": f"Bearer {self._user().token}"}

    def needs_refresh(self) -> bool:
        """Whether the token expires within ``refresh_margin`` seconds."""
        expires = self._user().expires_at
        return expires is not None and expires - time.time() < self.refresh_margin

    def headers_with_auth(self) -> dict[str, str]:
        """The JSON headers plus ``Authorization: Bearer``; refreshes a token about to expire."""
        with self._lock:
            if self.needs_refresh():
                self.refresh()
            return self._bearer()

    def refresh(self) -> str:
        """Swap the token for a fresh one and keep it (or log in again when that is refused)."""
        with self._lock:
            user = self._user()
            if user.refreshes_left > 0:
                response = self.http.post(f"{self.endpoint}auth/refresh/", headers=self._bearer())
                if response.status_code != 403:
                    token = check(response, AuthenticationError).json().get("token")
                    if not isinstance(token, str):
                        raise AuthenticationError("the refresh answer has no token", body=token)
                    user.token = token
                    user.last_refresh = time.time()
                    return token
            # Refresh limit reached, token expired or its session gone: start anew.
            return user.login(self)

    def request(
        self, method: str, path: str, *, json_headers: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """An authenticated call to ``endpoint + path``; the response is returned as is.

        ``json_headers=False`` sends only Authorization (for multipart bodies).
        """
        headers = self.headers_with_auth()
        if not json_headers:
            headers = {"Authorization": headers["Authorization"]}
        headers.update(kwargs.pop("headers", None) or {})
        return self.http.request(method, f"{self.endpoint}{path}", headers=headers, **kwargs)

    def call(
        self, method: str, path: str, kind: type[MooshakError] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """``request`` that raises the matching MooshakError on an error status."""
        return check(self.request(method, path, **kwargs), kind)

    def get_json(self, path: str) -> Any:
        response = self.call("GET", path)
        try:
            return response.json()
        except ValueError:
            raise error_for(response) from None


def login(
    endpoint: str,
    username: str,
    password: str,
    contest: Any = None,
    admin: bool = False,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    refresh_margin: float = DEFAULT_REFRESH_MARGIN,
) -> Client:
    """A Client logged in as ``username``: a contest user names ``contest`` (id or
    Contest); an admin passes ``admin=True`` and no contest is sent."""
    if not admin and contest is None:
        raise UsageError("You must specify a contest, or set admin to True")
    client = Client(endpoint, timeout=timeout, refresh_margin=refresh_margin)
    user = User(username, password, contest=contest, admin=admin)
    try:
        user.login(client)
    except BaseException:
        client.close()
        raise
    client.user = user
    return client
