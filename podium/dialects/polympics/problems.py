"""Polympics error shapes: ``{"detail": ...}`` as FastAPI 0.63 and pydantic 1 wrote them.

Validation errors, not-found records included, are 422 with a list of
``{loc, msg, type[, ctx]}`` items; every other error is ``{"detail": "<text>"}``.
Pydantic 2's error codes are translated to the pydantic 1 names clients know.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response

from podium.api.responses import OrjsonResponse
from podium.core.errors import Conflict, DomainError

log = logging.getLogger("podium.polympics")

Issue = dict[str, Any]
M = TypeVar("M", bound=BaseModel)

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


def not_found(where: str, name: str, model: str) -> Issue:
    return issue([where, name], f"{model} not found.")


# pydantic 2 type -> (pydantic 1 message template, pydantic 1 type)
_V1: dict[str, tuple[str, str]] = {
    "missing": ("field required", "value_error.missing"),
    "int_parsing": ("value is not a valid integer", "type_error.integer"),
    "int_type": ("value is not a valid integer", "type_error.integer"),
    "int_from_float": ("value is not a valid integer", "type_error.integer"),
    "string_type": ("str type expected", "type_error.str"),
    "bool_parsing": ("value could not be parsed to a boolean", "type_error.bool"),
    "bool_type": ("value could not be parsed to a boolean", "type_error.bool"),
    "list_type": ("value is not a valid list", "type_error.list"),
    "dict_type": ("value is not a valid dict", "type_error.dict"),
    "model_type": ("value is not a valid dict", "type_error.dict"),
    "model_attributes_type": ("value is not a valid dict", "type_error.dict"),
    "string_too_long": (
        "ensure this value has at most {max_length} characters",
        "value_error.any_str.max_length",
    ),
    "string_too_short": (
        "ensure this value has at least {min_length} characters",
        "value_error.any_str.min_length",
    ),
    "greater_than_equal": (
        "ensure this value is greater than or equal to {ge}",
        "value_error.number.not_ge",
    ),
    "less_than_equal": (
        "ensure this value is less than or equal to {le}",
        "value_error.number.not_le",
    ),
    "enum": ("value is not a valid enumeration member", "type_error.enum"),
}


def _v1_ctx(kind: str, ctx: dict[str, Any]) -> dict[str, Any]:
    if kind in ("string_too_long", "string_too_short"):
        return {"limit_value": ctx.get("max_length", ctx.get("min_length"))}
    if kind in ("greater_than_equal", "less_than_equal"):
        return {"limit_value": ctx.get("ge", ctx.get("le"))}
    return {k: v for k, v in ctx.items() if isinstance(v, str | int | float | bool | list)}


def translate(errors: list[Any], where: str) -> list[Issue]:
    """Pydantic 2 errors as pydantic 1 issues, each ``loc`` prefixed by ``where``."""
    out = []
    for error in errors:
        kind = str(error["type"])
        ctx = dict(error.get("ctx") or {})
        template, v1_type = _V1.get(kind, (str(error["msg"]), "value_error"))
        try:
            msg = template.format(**ctx)
        except (KeyError, IndexError):
            msg = template
        extra = _v1_ctx(kind, ctx) if ctx else {}
        out.append(issue([where, *error["loc"]], msg, v1_type, extra or None))
    return out


def parse_json(raw: bytes) -> Any:
    """The request body as JSON (an empty body is ``{}``), else a jsondecode 422."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        ctx = {"msg": exc.msg, "pos": exc.pos, "lineno": exc.lineno, "colno": exc.colno}
        raise invalid([issue(["body", exc.pos], exc.msg, "value_error.jsondecode", ctx)]) from exc
    except UnicodeDecodeError as exc:
        raise PolympicsError(400, "There was an error parsing the body") from exc


def validate(model: type[M], data: Any, where: str = "body") -> tuple[M | None, list[Issue]]:
    """The parsed model, or None and the issues found (so path issues can join them)."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, translate(list(exc.errors()), where)


def install(app: FastAPI) -> None:
    """Answer every failure of the sub-app in the Polympics shape."""

    async def polympics(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PolympicsError)
        return OrjsonResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    async def validation(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        issues = [
            issue(list(e["loc"]), *_V1.get(str(e["type"]), (str(e["msg"]), "value_error")))
            for e in exc.errors()
        ]
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
