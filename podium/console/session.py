"""The console's cookies: the login session, and CSRF tokens on every form.

The session cookie holds the session ticket (``podium.core.logins``) and an HMAC of it
under the instance secret key: a signed, HttpOnly, SameSite=Lax cookie whose row is
read on every request, so logging out or losing a role applies at once on every
worker. Forms of a logged-in page carry the session's CSRF token; forms shown before
login (login, invitation, reset) carry a random token that must equal the one in a
separate SameSite=Strict cookie (double submit). Any state-changing request without
a matching token is refused with 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import Response

from podium.config import Settings
from podium.core import logins
from podium.proxy import root_of
from podium.store.database import Database

SESSION_COOKIE = "podium_console"
FORM_COOKIE = "podium_form"
PATH = "/console"


def _path(request: Request) -> str:
    """The console's cookie path, under the site's prefix (``/podium/console``)."""
    return root_of(request.scope) + PATH


def _key(settings: Settings) -> bytes:
    return hashlib.sha256(b"console-cookie\0" + settings.resolved_secret_key().encode()).digest()


def _sign(settings: Settings, ticket: str) -> str:
    mac = hmac.new(_key(settings), ticket.encode(), hashlib.sha256).hexdigest()
    return f"{ticket}~{mac}"


def _unsign(settings: Settings, value: str | None) -> str | None:
    if not value or "~" not in value or len(value) > 400:
        return None
    ticket, _, mac = value.rpartition("~")
    wanted = hmac.new(_key(settings), ticket.encode(), hashlib.sha256).hexdigest()
    return ticket if hmac.compare_digest(mac, wanted) else None


def _secure(request: Request) -> bool:
    # The scheme is the trusted proxy's X-Forwarded-Proto, else the connection's own.
    return request.url.scheme == "https"


def set_session(request: Request, response: Response, settings: Settings, ticket: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        _sign(settings, ticket),
        max_age=int(settings.console_session_hours * 3600),
        path=_path(request),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=_path(request))


async def current(request: Request) -> logins.Active | None:
    """The request's live session, if its cookie is good and the session still is."""
    settings: Settings = request.app.state.settings
    ticket = _unsign(settings, request.cookies.get(SESSION_COOKIE))
    if ticket is None:
        return None
    database: Database = request.app.state.database
    async with database.read() as session:
        return await logins.resolve(session, ticket)


@dataclass(frozen=True)
class FormToken:
    """The CSRF token a page's forms carry, and whether a cookie must be set for it."""

    value: str
    new_cookie: bool


def form_token(request: Request, active: logins.Active | None) -> FormToken:
    if active is not None:
        return FormToken(active.csrf, False)
    existing = request.cookies.get(FORM_COOKIE)
    if existing and 20 <= len(existing) <= 100:
        return FormToken(existing, False)
    return FormToken(secrets.token_urlsafe(32), True)


def remember_form_token(request: Request, response: Response, token: FormToken) -> None:
    if token.new_cookie:
        response.set_cookie(
            FORM_COOKIE,
            token.value,
            path=_path(request),
            httponly=True,
            samesite="strict",
            secure=_secure(request),
        )


def csrf_ok(request: Request, form: FormData, active: logins.Active | None) -> bool:
    """Whether the form's token matches the session's (or, before login, the cookie's)."""
    sent = form.get("csrf")
    if not isinstance(sent, str) or not sent:
        return False
    expected = active.csrf if active is not None else request.cookies.get(FORM_COOKIE, "")
    return bool(expected) and hmac.compare_digest(sent, expected)
