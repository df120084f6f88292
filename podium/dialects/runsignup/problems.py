"""RunSignup's in-band errors: HTTP 200 with ``{"error": {"error_code", "error_msg"}}``.

The body is JSON or XML (``<error>``) as the caller's ``format`` asks; a bad row of a
submission is named, with its 0-based index, in ``error_details``.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from podium.dialects.runsignup import wire


class RsuError(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        details: list[dict[str, Any]] | None = None,
        *,
        http_status: int = 200,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []
        self.http_status = http_status

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": {"error_code": self.code, "error_msg": self.message}}
        if self.details:
            out["error_details"] = self.details
        return out


def invalid(message: str, details: list[dict[str, Any]] | None = None) -> RsuError:
    return RsuError(wire.INVALID_PARAMETERS, message, details)


def denied(message: str = "Permission denied.") -> RsuError:
    return RsuError(wire.PERMISSION_DENIED, message)


def render(data: Any, fmt: str, root: str, status: int = 200) -> Response:
    """``data`` in the asked format: JSON as is, XML under ``root``."""
    if fmt == "xml":
        return Response(wire.to_xml(root, data), status_code=status, media_type="application/xml")
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def render_error(error: RsuError, fmt: str) -> Response:
    if fmt == "xml":
        body: dict[str, Any] = {"error_code": error.code, "error_msg": error.message}
        if error.details:
            body["error_details"] = error.details
        return render(body, fmt, "error", error.http_status)
    return render(error.body(), fmt, "error", error.http_status)
