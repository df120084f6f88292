"""The objects the Polympics client hands back, read from the server's JSON by hand.

Field names follow the wire so that the API reference applies to them as written.
Two things are converted on the way in: account ids arrive as strings (JavaScript
cannot hold a Discord snowflake exactly) and become ints, and Unix-second floats
become aware UTC datetimes. A body that lacks a field or has the wrong type raises
``KeyError``, ``TypeError`` or ``ValueError``; the client turns those into
``ResponseError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from podium.dialects.polympics.wire import EventType, Permissions

__all__ = [
    "Account",
    "AccountTeamUpdateEvent",
    "App",
    "AppCredentials",
    "Award",
    "Callback",
    "Credentials",
    "CredentialsLike",
    "Session",
    "Team",
]

Json = dict[str, Any]
T = TypeVar("T")


# Reading JSON ---------------------------------------------------------------------------


def as_object(data: Any, what: str) -> Json:
    """``data`` if it is a JSON object; anything else is a server bug worth naming."""
    if not isinstance(data, dict):
        raise TypeError(f"{what} should be a JSON object, not {type(data).__name__}")
    return data


def _int(data: Json, key: str) -> int:
    # Account ids come as strings, everything else as numbers; bools are neither.
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{key!r} should be an integer, not {type(value).__name__}")
    return int(value)


def _str(data: Json, key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key!r} should be a string, not {type(value).__name__}")
    return value


def _optional_str(data: Json, key: str) -> str | None:
    return None if data.get(key) is None else _str(data, key)


def _time(data: Json, key: str) -> datetime:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key!r} should be a number of seconds, not {type(value).__name__}")
    return datetime.fromtimestamp(value, tz=UTC)


def _list(data: Json, key: str, parse: Callable[[Any], T]) -> list[T]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{key!r} should be a list, not {type(value).__name__}")
    return [parse(item) for item in value]


# Credentials ----------------------------------------------------------------------------


class CredentialsLike(Protocol):
    """Whatever a client can authenticate with: ``Credentials``, ``Session``, your own."""

    @property
    def username(self) -> str: ...

    @property
    def password(self) -> str: ...


@dataclass
class Credentials:
    """An HTTP Basic username and password: ``A<id>`` for an app, ``S<id>`` for a session."""

    username: str
    # Kept out of repr so that logging a client or an error never prints a token.
    password: str = field(repr=False)


@dataclass
class Session(Credentials):
    """Credentials for one user, valid until ``expires_at``."""

    expires_at: datetime

    @classmethod
    def from_dict(cls, data: Any) -> Session:
        obj = as_object(data, "a session")
        return cls(
            username=_str(obj, "username"),
            password=_str(obj, "password"),
            expires_at=_time(obj, "expires_at"),
        )


@dataclass
class AppCredentials(Credentials):
    """An app's new credentials, as ``reset_token`` returns them, with the app's details."""

    name: str
    permissions: Permissions = field(default_factory=Permissions)

    @classmethod
    def from_dict(cls, data: Any) -> AppCredentials:
        obj = as_object(data, "app credentials")
        return cls(
            username=_str(obj, "username"),
            password=_str(obj, "password"),
            name=_str(obj, "name"),
            permissions=Permissions.from_int(_int(obj, "permissions")),
        )


@dataclass
class App:
    """An app as ``get_self`` describes it; unlike ``AppCredentials`` it has no token."""

    username: str
    name: str
    permissions: Permissions = field(default_factory=Permissions)

    @classmethod
    def from_dict(cls, data: Any) -> App:
        obj = as_object(data, "an app")
        return cls(
            username=_str(obj, "username"),
            name=_str(obj, "name"),
            permissions=Permissions.from_int(
                _int(obj, "permissions") if "permissions" in obj else 0
            ),
        )


# Accounts, teams, awards ----------------------------------------------------------------


@dataclass
class Award:
    """An award. ``awardees`` and ``team`` are only filled in by ``get_award``."""

    id: int
    title: str
    image_url: str
    awardees: list[Account] | None = None
    team: Team | None = None

    @classmethod
    def from_dict(cls, data: Any) -> Award:
        obj = as_object(data, "an award")
        return cls(id=_int(obj, "id"), title=_str(obj, "title"), image_url=_str(obj, "image_url"))

    @classmethod
    def from_extended(cls, data: Any) -> Award:
        """One ``Award`` from ``GET /award/{id}``'s ``{award, awardees, team}``."""
        obj = as_object(data, "an extended award")
        award = cls.from_dict(obj["award"])
        award.awardees = _list(obj, "awardees", Account.from_dict)
        award.team = None if obj.get("team") is None else Team.from_dict(obj["team"])
        return award


@dataclass
class Team:
    id: int
    name: str
    created_at: datetime
    member_count: int
    awards: list[Award] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Any) -> Team:
        obj = as_object(data, "a team")
        return cls(
            id=_int(obj, "id"),
            name=_str(obj, "name"),
            created_at=_time(obj, "created_at"),
            member_count=_int(obj, "member_count"),
            awards=_list(obj, "awards", Award.from_dict),
        )


@dataclass
class Account:
    """A user, identified by their Discord id."""

    id: int
    name: str
    discriminator: str
    avatar_url: str | None
    team: Team | None
    permissions: Permissions
    created_at: datetime
    awards: list[Award] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Any) -> Account:
        obj = as_object(data, "an account")
        return cls(
            id=_int(obj, "id"),
            name=_str(obj, "name"),
            discriminator=_str(obj, "discriminator"),
            avatar_url=_optional_str(obj, "avatar_url"),
            team=None if obj.get("team") is None else Team.from_dict(obj["team"]),
            permissions=Permissions.from_int(_int(obj, "permissions")),
            created_at=_time(obj, "created_at"),
            awards=_list(obj, "awards", Award.from_dict),
        )


# Callbacks ------------------------------------------------------------------------------


@dataclass
class Callback:
    """A callback URL an app registered for one event (the secret is never sent back)."""

    id: int
    url: str
    event: EventType

    @classmethod
    def from_dict(cls, data: Any) -> Callback:
        obj = as_object(data, "a callback")
        return cls(id=_int(obj, "id"), url=_str(obj, "url"), event=EventType(_str(obj, "event")))


@dataclass
class AccountTeamUpdateEvent:
    """The ``account_team_update`` payload: the account after the change, and its new team."""

    account: Account
    team: Team | None

    @classmethod
    def from_dict(cls, data: Any) -> AccountTeamUpdateEvent:
        obj = as_object(data, "an account_team_update event")
        return cls(
            account=Account.from_dict(obj["account"]),
            team=None if obj.get("team") is None else Team.from_dict(obj["team"]),
        )
