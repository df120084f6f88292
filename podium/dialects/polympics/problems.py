"""Polympics error shapes: ``{"detail": ...}`` as FastAPI 0.63 and pydantic 1 wrote them.

Validation errors, not-found records included, are 422 with a list of
``{loc, msg, type[, ctx]}`` items; every other error is ``{"detail": "<text>"}``.
Which input earns which item is decided in ``forms``; this module only shapes replies.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response

from podium.api.responses import OrjsonResponse
from podium.core.errors import Conflict, DomainError

log = logging.getLogger("podium.polympics")

Issue = dict[str, Any]

OUTSIDE_SCOPE = "Request outside of authorisation scope."


class PolympicsError(Exception):
    """An error answered as ``{"detail": detail}`` with ``status``."""

    def __init__(
        self, status: int, detail: str | list[Issue], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def forbidden(detail: str = OUTSIDE_SCOPE) -> PolympicsError:
    return PolympicsError(403, detail)


def invalid(issues: list[Issue]) -> PolympicsError:
    return PolympicsError(422, issues)


def issue(
    loc: list[str | int], msg: str, type_: str = "value_error", ctx: dict[str, Any] | None = None
) -> Issue:
    found: Issue = {"loc": loc, "msg": msg, "type": type_}
    if ctx:
        found["ctx"] = ctx
    return found


def install(app: FastAPI) -> None:
    """Answer every failure of the sub-app in the Polympics shape."""

    async def polympics(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PolympicsError)
        return OrjsonResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    async def validation(_request: Request, exc: Exception) -> Response:
        # Routes check their own input (``forms``); this only keeps the list shape.
        assert isinstance(exc, RequestValidationError)
        issues = [issue(list(e["loc"]), str(e["msg"]), str(e["type"])) for e in exc.errors()]
        return OrjsonResponse({"detail": issues}, status_code=422)

    async def http(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return OrjsonResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    async def domain(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if isinstance(exc, Conflict):
            return OrjsonResponse({"detail": exc.message}, status_code=409)
        return OrjsonResponse({"detail": exc.message}, status_code=exc.status)

    async def unexpected(_request: Request, exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc)
        return PlainTextResponse("Internal Server Error", status_code=500)

    app.add_exception_handler(PolympicsError, polympics)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(Exception, unexpected)
