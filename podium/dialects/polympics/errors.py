"""What the Polympics client raises when the server says no.

PolympicsError            any error status; ``code`` is the HTTP status
├── ServerError           5xx: the server failed, retrying later may help
├── DataError             422: bad input, and also "no such account/team/award"
├── ClientError           any other 4xx (401, 403, 404, 409, ...); ``detail`` says why
└── ResponseError         a success status whose body is not what the route returns

Network failures (refused, timed out) are not answers, so they stay ``httpx`` errors.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ClientError", "DataError", "PolympicsError", "ResponseError", "ServerError"]

# One item of a 422's ``detail``: {"loc": [...], "msg": str, "type": str, "ctx"?: {...}}.
Issue = dict[str, Any]


class PolympicsError(Exception):
    """The base class: catch this to handle every error the API can answer with."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"HTTP {self.code}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code})"


class ServerError(PolympicsError):
    """The server failed (5xx); ``detail`` is whatever text it sent."""

    def __init__(self, code: int = 500, detail: str = "") -> None:
        super().__init__(code)
        self.detail = detail

    def __str__(self) -> str:
        return f"HTTP {self.code}: {self.detail}" if self.detail else f"HTTP {self.code}"


def _describe(issue: Any) -> str:
    # Issues come from pydantic and are usually well formed, but an error's str() must
    # never raise: loc items may be ints, keys may be missing, an issue may be a string.
    if not isinstance(issue, dict):
        return str(issue)
    loc = issue.get("loc")
    where = " -> ".join(str(part) for part in loc) if isinstance(loc, list | tuple) else ""
    text = str(issue.get("msg", ""))
    if issue.get("type"):
        text = f"{text} ({issue['type']})"
    return f"{where}: {text}" if where else text


class DataError(PolympicsError):
    """The request was understood but its data was refused (422).

    The server answers 422, not 404, when a path or body names a record that does not
    exist. ``issues`` is the response's ``detail``: normally a list of ``{loc, msg,
    type}`` items, but a few routes send a plain string, which is kept as it is.
    """

    def __init__(self, code: int = 422, issues: list[Issue] | str | None = None) -> None:
        super().__init__(code)
        self.issues: list[Issue] | str = [] if issues is None else issues

    def __str__(self) -> str:
        if isinstance(self.issues, str):
            described = self.issues
        else:
            described = "; ".join(_describe(issue) for issue in self.issues)
        return f"HTTP {self.code}: {described}" if described else f"HTTP {self.code}"

    def __repr__(self) -> str:
        return f"DataError(code={self.code}, issues={self.issues!r})"


class ClientError(PolympicsError):
    """The request was refused for a reason other than its data, e.g. 401, 403, 404, 409."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code)
        self.detail = detail

    def __str__(self) -> str:
        return f"HTTP {self.code}: {self.detail}" if self.detail else f"HTTP {self.code}"

    def __repr__(self) -> str:
        return f"ClientError(code={self.code}, detail={self.detail!r})"


class ResponseError(PolympicsError):
    """A 2xx response the client cannot read: usually a server of another version."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code)
        self.message = message

    def __str__(self) -> str:
        return f"HTTP {self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"ResponseError(code={self.code}, message={self.message!r})"
