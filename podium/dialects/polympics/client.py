"""Async clients for the Polympics API: anonymous, app-authenticated and user-authenticated.

The three classes differ only in which routes they offer; every request goes through
``UnauthenticatedClient._request``, which adds HTTP Basic auth from the current
credentials and turns error statuses into ``PolympicsError``s. Wherever a method takes
an account, team or award it also takes that object's id, so callers need not fetch
an object just to name it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeVar

import httpx

from podium.dialects.polympics.errors import (
    ClientError,
    DataError,
    ResponseError,
    ServerError,
)
from podium.dialects.polympics.models import (
    Account,
    App,
    AppCredentials,
    Award,
    Callback,
    CredentialsLike,
    Session,
    Team,
    as_object,
)
from podium.dialects.polympics.pagination import Page, Paginator
from podium.dialects.polympics.wire import EventType, Permissions

__all__ = [
    "DEFAULT_BASE_URL",
    "NO_TEAM",
    "AppClient",
    "UnauthenticatedClient",
    "UserClient",
]

T = TypeVar("T")

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 15.0


class _NoTeam(enum.Enum):
    # A one-member enum so the type checker can tell NO_TEAM apart from None ("no change").
    NO_TEAM = "NO_TEAM"

    def __repr__(self) -> str:
        return "NO_TEAM"


NO_TEAM: Final = _NoTeam.NO_TEAM
"""Pass as ``team`` to ``update_account`` to take the account out of its team."""

AccountRef = Account | int
TeamRef = Team | int
AwardRef = Award | int
EventRef = EventType | str
PermissionsArg = Permissions | int


def _id(ref: Account | Team | Award | int | str) -> int:
    """The id of an object or of an id; never anything that could bend a URL path."""
    if isinstance(ref, Account | Team | Award):
        return ref.id
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise TypeError(f"expected an object or an integer id, not {type(ref).__name__}")
    return int(ref)  # a str must be all digits, so "../x" raises here


def _bits(permissions: PermissionsArg) -> int:
    return permissions if isinstance(permissions, int) else permissions.to_int()


def _event(event: EventRef) -> EventType:
    return EventType(event)  # an unknown name raises ValueError before any request


def _nothing(_body: Any) -> None:
    return None


def _error_detail(response: httpx.Response) -> Any:
    """The ``detail`` of an error body, or the body's text when it is not that shape."""
    try:
        body = response.json()
    except ValueError:
        return response.text or response.reason_phrase
    if isinstance(body, dict) and "detail" in body:
        return body["detail"]
    return body


def _callbacks(data: Any) -> dict[EventType, str]:
    # Events this client does not know yet are skipped, so a newer server still works.
    registered = as_object(as_object(data, "a callback list")["callbacks"], "callbacks")
    known = {member.value for member in EventType}
    return {EventType(name): str(url) for name, url in registered.items() if name in known}


class UnauthenticatedClient:
    """A client for the routes anyone may call: reading, searching, logging in.

    ``credentials``, if given, are sent with every request. Use as ``async with``, or
    call ``close()`` when done, so the connection pool is released.
    """

    def __init__(
        self,
        credentials: CredentialsLike | None = None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._transport = transport
        self._http: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        username = self.credentials.username if self.credentials is not None else None
        return f"{type(self).__name__}(base_url={self.base_url!r}, username={username!r})"

    # Connection -----------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Release the connection pool; harmless if never used or already closed."""
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    def _connection(self) -> httpx.AsyncClient:
        # Created on first use, inside the caller's event loop rather than at __init__.
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.base_url + "/",
                timeout=self._timeout,
                transport=self._transport,
                headers={"Accept": "application/json"},
            )
        return self._http

    async def _request(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> T:
        """Send one request and return its body read by ``parse``, or raise the error.

        Every route goes through here. Auth is built per request from
        ``self.credentials``, so swapping them (``reset_token`` does) takes effect on
        the very next call.
        """
        auth = None
        if self.credentials is not None:
            auth = httpx.BasicAuth(self.credentials.username, self.credentials.password)
        response = await self._connection().request(
            method, path.lstrip("/"), params=params, json=json, auth=auth
        )
        status = response.status_code
        if status >= 500:
            raise ServerError(status, response.text)
        if status == 422:
            detail = _error_detail(response)
            raise DataError(
                status, issues=detail if isinstance(detail, list | str) else str(detail)
            )
        if status >= 400:
            detail = _error_detail(response)
            raise ClientError(status, detail=detail if isinstance(detail, str) else str(detail))
        body = None
        if status != 204 and response.content:
            try:
                body = response.json()
            except ValueError:
                raise ResponseError(status, f"{method} {path}: the body is not JSON") from None
        try:
            return parse(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise ResponseError(status, f"{method} {path}: unexpected body ({exc!r})") from exc

    def _paginate(
        self, path: str, params: dict[str, Any], parse: Callable[[Any], T]
    ) -> Paginator[T]:
        async def fetch(page: int) -> Page[T]:
            return await self._request(
                "GET",
                path,
                lambda body: Page.from_dict(body, parse),
                params={**params, "page": page},
            )

        return Paginator(fetch)

    # Reading ----------------------------------------------------------------------------

    async def get_account(self, id: AccountRef) -> Account:
        """The account with this Discord id (a missing one is a ``DataError``)."""
        return await self._request("GET", f"/account/{_id(id)}", Account.from_dict)

    async def get_team(self, team_id: TeamRef) -> Team:
        return await self._request("GET", f"/team/{_id(team_id)}", Team.from_dict)

    async def get_award(self, award_id: AwardRef) -> Award:
        """The award with its ``awardees`` and ``team`` filled in."""
        return await self._request("GET", f"/award/{_id(award_id)}", Award.from_extended)

    def list_accounts(
        self,
        search: str | None = None,
        team: TeamRef | None = None,
        *,
        per_page: int | None = None,
    ) -> Paginator[Account]:
        """Accounts by name, optionally those whose name contains ``search`` or in ``team``.

        Nothing is requested until the paginator is iterated or asked for a page.
        """
        params: dict[str, Any] = {}
        if search:
            params["q"] = search
        if team is not None:
            params["team"] = _id(team)
        if per_page is not None:
            params["per_page"] = per_page
        return self._paginate("/accounts/search", params, Account.from_dict)

    def list_teams(
        self, search: str | None = None, *, per_page: int | None = None
    ) -> Paginator[Team]:
        """Teams by name, optionally those whose name contains ``search``."""
        params: dict[str, Any] = {}
        if search:
            params["q"] = search
        if per_page is not None:
            params["per_page"] = per_page
        return self._paginate("/teams/search", params, Team.from_dict)

    async def check_signups(self) -> bool:
        """Whether new accounts may register."""
        return await self._request(
            "GET",
            "/accounts/signups",
            lambda body: bool(as_object(body, "signups")["signups_open"]),
        )

    # Logging in and self-service ----------------------------------------------------------

    async def discord_authenticate(self, token: str) -> Session:
        """A session for the Discord user whose OAuth2 token (``identify`` scope) this is.

        Signs the user up if they have no account and signups are open.
        """
        return await self._request(
            "POST", "/auth/discord", Session.from_dict, json={"token": token}
        )

    async def update_account(
        self,
        account: AccountRef,
        name: str | None = None,
        discriminator: str | None = None,
        avatar_url: str | None = None,
        team: TeamRef | Literal[_NoTeam.NO_TEAM] | None = None,
        grant_permissions: PermissionsArg | None = None,
        revoke_permissions: PermissionsArg | None = None,
        discord_token: str | None = None,
    ) -> Account:
        """Change an account; only the arguments given are sent, the rest stay as they are.

        ``team=NO_TEAM`` removes the account from its team. ``discord_token`` refreshes
        name, discriminator and avatar from Discord. Even when no permission is needed,
        the server wants some credentials on this route.
        """
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name
        if discriminator is not None:
            changes["discriminator"] = discriminator
        if avatar_url is not None:
            changes["avatar_url"] = avatar_url
        if team is NO_TEAM:
            changes["team"] = 0  # the wire's "no team"
        elif team is not None:
            changes["team"] = _id(team)
        if grant_permissions is not None:
            changes["grant_permissions"] = _bits(grant_permissions)
        if revoke_permissions is not None:
            changes["revoke_permissions"] = _bits(revoke_permissions)
        if discord_token is not None:
            changes["discord_token"] = discord_token
        return await self._request(
            "PATCH", f"/account/{_id(account)}", Account.from_dict, json=changes
        )


class _AuthenticatedClient(UnauthenticatedClient):
    """The routes both apps and users may call, given the right permissions."""

    def __init__(
        self,
        credentials: CredentialsLike,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(credentials, base_url, timeout=timeout, transport=transport)

    # Accounts ---------------------------------------------------------------------------

    async def create_account(
        self,
        id: int,
        name: str,
        discriminator: str,
        avatar_url: str | None = None,
        team: TeamRef | None = None,
        permissions: PermissionsArg | None = None,
    ) -> Account:
        """Register an account for a Discord user (needs ``manage_account_details``)."""
        body = {
            "id": _id(id),
            "name": name,
            "discriminator": discriminator,
            "avatar_url": avatar_url,
            "team": None if team is None else _id(team),
            "permissions": 0 if permissions is None else _bits(permissions),
        }
        return await self._request("POST", "/accounts/new", Account.from_dict, json=body)

    async def delete_account(self, account: AccountRef) -> None:
        await self._request("DELETE", f"/account/{_id(account)}", _nothing)

    # Teams ------------------------------------------------------------------------------

    async def create_team(self, name: str) -> Team:
        return await self._request("POST", "/teams/new", Team.from_dict, json={"name": name})

    async def update_team(self, team: TeamRef, name: str) -> Team:
        return await self._request(
            "PATCH", f"/team/{_id(team)}", Team.from_dict, json={"name": name}
        )

    async def delete_team(self, team: TeamRef) -> None:
        """Delete a team; its members are left without one."""
        await self._request("DELETE", f"/team/{_id(team)}", _nothing)

    # Awards -----------------------------------------------------------------------------

    async def create_award(
        self, title: str, image_url: str, team: TeamRef, accounts: Iterable[AccountRef]
    ) -> Award:
        """A new award for ``team``, held from the start by ``accounts``."""
        body = {
            "title": title,
            "image_url": image_url,
            "team": _id(team),
            "accounts": [_id(account) for account in accounts],
        }
        return await self._request("POST", "/awards/new", Award.from_dict, json=body)

    async def update_award(
        self,
        award: AwardRef,
        *,
        title: str | None = None,
        image_url: str | None = None,
        team: TeamRef | None = None,
    ) -> Award:
        """Change an award; only the arguments given are sent."""
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = title
        if image_url is not None:
            changes["image_url"] = image_url
        if team is not None:
            changes["team"] = _id(team)
        return await self._request("PATCH", f"/award/{_id(award)}", Award.from_dict, json=changes)

    async def delete_award(self, award: AwardRef) -> None:
        await self._request("DELETE", f"/award/{_id(award)}", _nothing)

    async def give_award(self, award: AwardRef, account: AccountRef) -> None:
        """Give ``account`` the award; giving it again is not an error."""
        await self._request("PUT", f"/account/{_id(account)}/award/{_id(award)}", _nothing)

    async def take_award(self, award: AwardRef, account: AccountRef) -> None:
        """Take the award back; a ``ClientError`` (404) if the account does not hold it."""
        await self._request("DELETE", f"/account/{_id(account)}/award/{_id(award)}", _nothing)


class AppClient(_AuthenticatedClient):
    """A client authenticated as an app (username ``A<id>``), e.g. a bot or a backend."""

    async def reset_token(self) -> AppCredentials:
        """Replace the app's token; this client switches to the new one at once.

        The old token stops working, so store the returned credentials.
        """
        new = await self._request("POST", "/auth/reset_token", AppCredentials.from_dict)
        self.credentials = new
        return new

    async def get_self(self) -> App:
        """The app these credentials belong to (without its token)."""
        return await self._request("GET", "/auth/me", App.from_dict)

    async def create_session(self, account: AccountRef) -> Session:
        """A user session for ``account``, e.g. to hand to a front-end (``authenticate_users``)."""
        return await self._request(
            "POST", "/auth/create_session", Session.from_dict, json={"account": _id(account)}
        )

    # Callbacks --------------------------------------------------------------------------

    async def get_callbacks(self) -> dict[EventType, str]:
        """This app's callback URL for each event it registered one for."""
        return await self._request("GET", "/callbacks", _callbacks)

    async def get_callback(self, event: EventRef) -> Callback:
        """This app's callback for ``event``; a ``ClientError`` (404) if there is none."""
        return await self._request("GET", f"/callback/{_event(event).value}", Callback.from_dict)

    async def create_callback(self, event: EventRef, url: str, secret: str) -> Callback:
        """Have ``event`` POSTed to ``url`` with ``Authorization: Bearer <secret>``.

        Replaces any callback this app already had for the event.
        """
        return await self._request(
            "PUT",
            f"/callback/{_event(event).value}",
            Callback.from_dict,
            json={"url": url, "secret": secret},
        )

    async def delete_callback(self, event: EventRef) -> None:
        await self._request("DELETE", f"/callback/{_event(event).value}", _nothing)


class UserClient(_AuthenticatedClient):
    """A client authenticated as one user through a session (username ``S<id>``)."""

    async def reset_token(self) -> Session:
        """Replace the session's token (and extend it); this client switches at once."""
        new = await self._request("POST", "/auth/reset_token", Session.from_dict)
        self.credentials = new
        return new

    async def get_self(self) -> Account:
        """The account this session belongs to."""
        return await self._request("GET", "/auth/me", Account.from_dict)
