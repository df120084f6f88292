"""What the RunSignup client raises when the server says no.

RunSignup answers most errors in band, as HTTP 200 with
``{"error": {"error_code", "error_msg"}, "error_details": [...]}``, so the class is
chosen by ``error_code``, not by the HTTP status:

RunSignupError              any answer that is an error; ``error_code``, ``error_msg``, ``details``
├── AuthenticationError     6 (key authentication failed), 17 (bad caller registration)
├── PermissionDeniedError   7 (permission denied), 13 (must be logged in as a user)
├── LoginError              101, 102, 103, 151: ``login()`` was refused
├── InvalidRequestError     2, 3, 9, 10, 11, 12, 115, 116: the request itself is wrong
├── NotFoundError           1, 15, 201, 223: no such method, id, race or event
├── ThrottledError          14
└── ServerError             4, 5 and bodies that are not RunSignup answers (code 4)

Network failures (refused, timed out) are not answers, so they stay ``httpx`` errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podium.dialects.runsignup import wire

__all__ = [
    "AuthenticationError",
    "ErrorDetail",
    "InvalidRequestError",
    "LoginError",
    "NotFoundError",
    "PermissionDeniedError",
    "RunSignupError",
    "ServerError",
    "ThrottledError",
    "error_from_body",
]


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One item of ``error_details``: which submitted row (0-based ``index``) and why."""

    error_msg: str
    index: int | None = None


class RunSignupError(Exception):
    """The base class: catch this to handle every error a RunSignup server can answer with.

    ``http_status`` is the status the answer came with: usually 200, since RunSignup
    reports errors in the body.
    """

    def __init__(
        self,
        error_code: int,
        error_msg: str,
        details: list[ErrorDetail] | None = None,
        *,
        http_status: int = 200,
    ) -> None:
        super().__init__(error_code, error_msg)
        self.error_code = error_code
        self.error_msg = error_msg
        self.details: list[ErrorDetail] = list(details or [])
        self.http_status = http_status

    def __str__(self) -> str:
        text = f"RunSignup error {self.error_code}: {self.error_msg}"
        if self.details:
            text += "; " + "; ".join(detail.error_msg for detail in self.details[:5])
            if len(self.details) > 5:
                text += f"; … ({len(self.details) - 5} more)"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(error_code={self.error_code}, error_msg={self.error_msg!r})"


class AuthenticationError(RunSignupError):
    """The credentials were not accepted (or a temporary key expired): log in again."""


class PermissionDeniedError(RunSignupError):
    """The credentials are valid but do not open this race or method."""


class LoginError(RunSignupError):
    """``login()`` failed: unknown user, wrong password, locked account."""


class InvalidRequestError(RunSignupError):
    """Missing or malformed parameters, or rows the server rejected (see ``details``)."""


class NotFoundError(RunSignupError):
    """The method, race, event or id does not exist (or is not visible to the caller)."""


class ThrottledError(RunSignupError):
    """Too many requests; retrying later may help."""


class ServerError(RunSignupError):
    """The server failed, or sent something that is not a RunSignup answer."""


_FAMILIES: dict[int, type[RunSignupError]] = {
    wire.KEY_AUTH_FAILED: AuthenticationError,
    17: AuthenticationError,
    wire.PERMISSION_DENIED: PermissionDeniedError,
    13: PermissionDeniedError,
    wire.USER_NOT_FOUND: LoginError,
    wire.BAD_LOGIN: LoginError,
    103: LoginError,
    wire.TMP_CREDENTIALS_FAILED: LoginError,
    wire.METHOD_NOT_SUPPORTED: InvalidRequestError,
    wire.INVALID_PARAMETERS: InvalidRequestError,
    9: InvalidRequestError,
    wire.FORMAT_NOT_SUPPORTED: InvalidRequestError,
    wire.INVALID_SUBMISSION: InvalidRequestError,
    12: InvalidRequestError,
    115: InvalidRequestError,
    116: InvalidRequestError,
    wire.UNKNOWN_METHOD: NotFoundError,
    wire.INVALID_ID: NotFoundError,
    wire.RACE_NOT_FOUND: NotFoundError,
    wire.EVENT_NOT_VALID: NotFoundError,
    14: ThrottledError,
    wire.UNKNOWN_ERROR: ServerError,
    5: ServerError,
}


def error_class(error_code: int) -> type[RunSignupError]:
    """The most specific class for a code; unknown codes get the base class."""
    return _FAMILIES.get(error_code, RunSignupError)


def _details(value: Any) -> list[ErrorDetail]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    out = []
    for item in items:
        if isinstance(item, dict):
            index = item.get("index")
            out.append(
                ErrorDetail(
                    str(item.get("error_msg", "")),
                    int(index) if isinstance(index, int | str) and str(index).isdigit() else None,
                )
            )
        else:
            out.append(ErrorDetail(str(item)))
    return out


def error_from_body(body: Any, http_status: int = 200) -> RunSignupError | None:
    """The error a response body carries, or None when it is not an error envelope.

    Besides RunSignup's ``{"error": {...}}``, the OAuth endpoints' flat
    ``{"error": "invalid_client", "error_description": ...}`` is read as code 6 when
    it comes with 401/403 (the credentials were refused), else as code 4.
    """
    if not isinstance(body, dict) or "error" not in body:
        return None
    error = body["error"]
    if isinstance(error, dict):
        raw_code = error.get("error_code")
        try:
            code = int(raw_code) if raw_code is not None else wire.UNKNOWN_ERROR
        except (TypeError, ValueError):
            code = wire.UNKNOWN_ERROR
        message = str(error.get("error_msg") or "")
        details = _details(body.get("error_details", error.get("error_details")))
    elif isinstance(error, str):
        refused = http_status in (401, 403)
        code = wire.KEY_AUTH_FAILED if refused else wire.UNKNOWN_ERROR
        description = body.get("error_description")
        message = f"{error}: {description}" if description else error
        details = []
    else:
        return None
    return error_class(code)(code, message, details, http_status=http_status)
