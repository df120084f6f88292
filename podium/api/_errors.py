"""Everything ``podium.api.Client`` raises, as one tree so callers catch at the depth they need.

PodiumError
├── APIConnectionError            no HTTP response: refused, reset, DNS, protocol failure
│   └── APITimeoutError           connect, read, write or pool timeout
├── APIResponseValidationError    a 2xx whose body is not the documented model
└── APIStatusError                the server answered 4xx/5xx (RFC 9457 problem details)
    ├── BadRequestError           400  malformed JSON
    ├── AuthenticationError       401  missing, unknown, expired or revoked token
    ├── PermissionDeniedError     403  the token lacks the scope or organization
    ├── NotFoundError             404  no such object, or not visible to this token
    ├── ConflictError             409  duplicate key, object in use
    ├── PayloadTooLargeError      413  body over the server's size limit
    ├── UnprocessableEntityError  422  input breaks a rule; ``errors`` lists each field or row
    ├── RateLimitError            429
    └── InternalServerError       5xx

Errors are raised after retries are spent (see ``RetryPolicy``). Arguments a command model
rejects (an unknown keyword, a bad value) raise ``pydantic.ValidationError`` before any
request is sent: that is a bug in the calling code, not an answer from the API.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PodiumError",
    "RateLimitError",
    "UnprocessableEntityError",
]


class PodiumError(Exception):
    """Base of every error the client raises."""


class APIConnectionError(PodiumError):
    """The request got no HTTP response; ``__cause__`` holds the httpx error."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (the client's ``timeout`` applies to each phase)."""


class APIResponseValidationError(PodiumError):
    """A success response whose body does not parse as the expected model.

    Usually a client older or newer than the server, or a proxy answering instead.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = body


class APIStatusError(PodiumError):
    """The server answered with an error status.

    ``title``, ``detail`` and ``errors`` come from the problem document when there is
    one; ``body`` is the whole decoded document (or the raw text when it is not JSON),
    so extension members such as ``field`` stay reachable.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        title: str,
        detail: str,
        errors: list[dict[str, Any]],
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.title = title
        self.detail = detail
        self.errors = errors


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class PayloadTooLargeError(APIStatusError):
    pass


class UnprocessableEntityError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response) -> APIStatusError:
    """The exception for an error response, filled from its problem document if it has one."""
    status = response.status_code
    body: object
    try:
        body = response.json()
    except ValueError:
        body = response.text
    problem: dict[str, Any] = body if isinstance(body, dict) else {}
    title = problem.get("title")
    title = title if isinstance(title, str) else response.reason_phrase
    detail = problem.get("detail")
    if not isinstance(detail, str):
        detail = body[:500] if isinstance(body, str) else ""
    raw_errors = problem.get("errors")
    errors = [e for e in raw_errors if isinstance(e, dict)] if isinstance(raw_errors, list) else []
    message = f"{status} {title}: {detail}" if detail else f"{status} {title}"
    cls = _BY_STATUS.get(status, InternalServerError if status >= 500 else APIStatusError)
    return cls(message, response=response, body=body, title=title, detail=detail, errors=errors)
