"""Exceptions raised by the Mooshak 2 client.

Mooshak answers errors with ``{status, title, message, path}``; every field is kept
on the exception so callers can show the server's own words.
"""

from __future__ import annotations

from typing import Any

import httpx


class MooshakError(Exception):
    """Base class of every client error; ``status`` is None when nothing was sent."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        title: str | None = None,
        path: str | None = None,
        body: Any = None,
    ) -> None:
        self.message = message
        self.status = status
        self.title = title
        self.path = path
        self.body = body
        prefix = f"{status} {title or ''}".strip() if status is not None else ""
        super().__init__(f"{prefix}: {message}" if prefix else message)


class UsageError(MooshakError, ValueError):
    """The call cannot be made as asked (no contest for a team, no logged-in user ...)."""


class ConnectionCheckError(MooshakError, AssertionError):
    """``Client(endpoint)`` found no Mooshak 2 API there.

    A subclass of AssertionError because mooshak2api's constructor asserts, so code
    catching that keeps working.
    """


class BadRequestError(MooshakError, ValueError):
    """400 or 422: the server rejected the input."""


class AuthenticationError(MooshakError):
    """Logging in or refreshing was refused (Mooshak answers 403 for both)."""


class ForbiddenError(MooshakError):
    """403 on a data call: no token, an expired one, or a role/contest without access."""


class NotFoundError(MooshakError):
    """404: an unknown contest, problem, submission or language."""


class ConflictError(MooshakError):
    """409: the object already exists."""


class ServerError(MooshakError):
    """5xx, or a body that is not Mooshak's JSON."""


class SubmissionRefusedError(MooshakError):
    """``evaluate`` was refused (contest not running, too frequent, bad program ...)."""


class EvaluationTimeout(MooshakError, TimeoutError):
    """``Evaluation.wait`` gave up while the submission was still being evaluated."""


_BY_STATUS: dict[int, type[MooshakError]] = {
    400: BadRequestError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
}


def error_for(response: httpx.Response, kind: type[MooshakError] | None = None) -> MooshakError:
    """The exception for an error response, filled from Mooshak's error body."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    fields = body if isinstance(body, dict) else {}
    message = str(fields.get("message") or body or response.reason_phrase)
    if kind is None:
        kind = _BY_STATUS.get(response.status_code, ServerError)
    return kind(
        message,
        status=response.status_code,
        title=str(fields.get("title") or response.reason_phrase),
        path=fields.get("path"),
        body=body,
    )


def check(response: httpx.Response, kind: type[MooshakError] | None = None) -> httpx.Response:
    """``response`` itself when it succeeded, else its exception is raised."""
    if response.is_success:
        return response
    raise error_for(response, kind)
