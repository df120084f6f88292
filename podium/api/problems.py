"""Errors as RFC 9457 ``application/problem+json`` documents."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from podium.core.errors import DomainError, Unauthenticated
from podium.core.limits import PayloadError

PROBLEM_TYPE = "https://podium.invalid/problems/"
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("podium.api")


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extensions.items() if v is not None})
    return Response(orjson.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _validation_errors(exc: RequestValidationError) -> tuple[str, str, list[dict[str, Any]]]:
    errors = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            detail = error.get("ctx", {}).get("error", "invalid JSON")
            return "Malformed JSON", f"The request body is not valid JSON: {detail}.", []
        errors.append(
            {
                "loc": [part for part in error.get("loc", ()) if part != "body"],
                "message": error.get("msg", ""),
                "type": error.get("type", ""),
            }
        )
    first = errors[0] if errors else {"loc": [], "message": "invalid input"}
    where = ".".join(str(part) for part in first["loc"]) or "request"
    return "Invalid input", f"{where}: {first['message']}", errors


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str | None:
    """Every method some route of this path takes; Starlette's 405 names one route's only."""
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed) or None


def install(app: FastAPI) -> None:
    async def domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        headers = (
            {"WWW-Authenticate": 'Bearer realm="podium"'}
            if isinstance(exc, Unauthenticated)
            else None
        )
        errors = exc.details.pop("errors", None)
        return problem(
            exc.status,
            exc.title,
            exc.message,
            instance=request.url.path,
            headers=headers,
            errors=errors,
            **exc.details,
        )

    async def validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        cause = exc.__cause__
        if isinstance(cause, PayloadError) and not cause.malformed:
            # Well-formed JSON beyond the limits (NUL, 64-bit integers, depth).
            return problem(422, "Invalid input", cause.message, instance=request.url.path)
        title, detail, errors = _validation_errors(exc)
        status = 400 if title == "Malformed JSON" else 422
        return problem(status, title, detail, instance=request.url.path, errors=errors or None)

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        titles = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}
        title = titles.get(exc.status_code, "Error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and (allowed := _allowed_methods(request)):
            headers["Allow"] = allowed
        return problem(
            exc.status_code,
            title,
            str(exc.detail),
            instance=request.url.path,
            headers=headers,
        )

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
        return problem(
            500,
            "Internal error",
            "The server failed to handle this request.",
            instance=request.url.path,
        )

    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
