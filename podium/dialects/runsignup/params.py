"""A RunSignup call's parameters: query and body merged, and the ``request`` payload.

Real clients put ids in the query or in a form (urlencoded or multipart) body, and
the payload is the form field ``request`` holding JSON or XML as text; some send the
payload as the raw body instead. All of that lands in one ``Params``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from podium.core import limits
from podium.core.errors import Invalid
from podium.dialects.runsignup import wire
from podium.dialects.runsignup.problems import RsuError, invalid

FORMATS = ("json", "xml")


@dataclass
class Params:
    values: dict[str, str]
    headers: dict[str, str]
    raw_body: bytes = b""
    fmt: str = "xml"
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if value not in (None, "") else None

    def int_param(self, name: str, *, required: bool = False) -> int | None:
        """A non-negative integer parameter within 64 bits (ASCII digits), or None."""
        value = self.get(name)
        if value is None:
            if required:
                raise invalid(f"Missing required parameter: {name}.")
            return None
        try:
            return limits.bounded_int(value, name, 0, limits.INT64_MAX)
        except Invalid:
            shown = value if len(value) <= 40 else f"{value[:40]}…"
            raise invalid(f"Invalid {name}: {shown!r} is not a positive integer.") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        return default if value is None else wire.is_true(value)

    def payload(self) -> Any:
        """The parsed ``request``: a dict from JSON or XML (``request_format``, default xml)."""
        text = self.get("request")
        if text is None and self.raw_body.strip():
            text = self.raw_body.decode("utf-8", "replace")  # a payload sent as the body
        if text is None:
            raise invalid("Missing required parameter: request.")
        request_format = (self.get("request_format") or "xml").lower()
        if request_format == "json":
            try:
                return limits.loads(text)
            except limits.PayloadError as exc:
                raise invalid(f"The JSON request could not be read: {exc.message}") from exc
        if request_format == "xml":
            try:
                root = wire.parse_xml(text)
            except wire.XmlError as exc:
                raise invalid(str(exc)) from exc
            return {root.tag: wire.element_value(root)}
        raise RsuError(
            wire.FORMAT_NOT_SUPPORTED, f"Request format {request_format!r} is not supported."
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refusing (without buffering it) one larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RsuError(
            wire.INVALID_PARAMETERS, f"The request exceeds {limit} bytes.", http_status=413
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RsuError(
                wire.INVALID_PARAMETERS, f"The request exceeds {limit} bytes.", http_status=413
            )
        chunks.append(chunk)
    return b"".join(chunks)


async def collect(request: Request, limit: int) -> Params:
    values: dict[str, str] = dict(request.query_params)
    fmt = (values.get("format") or "xml").lower()
    params = Params(values, {k.lower(): v for k, v in request.headers.items()}, fmt=fmt)
    if fmt not in FORMATS:
        params.fmt = "xml"
        raise RsuError(wire.FORMAT_NOT_SUPPORTED, f"Response format {fmt!r} is not supported.")
    if request.method in ("POST", "PUT"):
        body = await read_body(request, limit)
        content_type = request.headers.get("content-type", "").lower()
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            # The body is already read and bounded; let Starlette parse the copy it caches.
            request._body = body
            try:
                form = await request.form(max_part_size=limit)
            except HTTPException as exc:  # multipart without a boundary, cut short, ...
                raise invalid(f"The form body could not be read: {exc.detail}") from None
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    value = (await value.read()).decode("utf-8", "replace")
                values.setdefault(key, value)
        else:
            params.raw_body = body
        if values.get("format"):
            params.fmt = values["format"].lower() if values["format"].lower() in FORMATS else "xml"
    return params
