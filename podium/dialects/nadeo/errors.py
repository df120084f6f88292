"""Exceptions raised by the Nadeo web services client."""

from __future__ import annotations

from typing import Any


class NadeoError(Exception):
    """Base class of every client error."""


class UsageError(NadeoError):
    """The call cannot be made with this kind of token (e.g. a service account is needed)."""


class AudienceError(UsageError):
    """The token's audience does not fit the API (or the audience name is unknown)."""


class ParameterError(NadeoError, ValueError):
    """An argument is out of range; raised before any request is sent."""


class ApiError(NadeoError):
    """The server answered with an error status (or a body that is not JSON)."""

    def __init__(self, status: int, body: Any, message: str | None = None) -> None:
        self.status = status
        self.body = body
        super().__init__(message or f"Nadeo API answered {status}: {body!r}")


class AuthenticationError(ApiError):
    """Getting, refreshing or using a token was refused (401 after one refresh)."""
