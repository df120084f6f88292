"""Logging in and out, changing a password, following an invitation or a reset link.

One-use links carry their ticket in the query string (``?ticket=``), which the
access log never writes, and the page is sent without a referrer.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from podium.console import access
from podium.console import session as cookies
from podium.console.render import Ended, page, see_other
from podium.core import accounts, invitations, logins
from podium.core.errors import DomainError

router = APIRouter()


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _next(raw: str) -> str:
    """Where to go after logging in: only a console page of this site."""
    if raw.startswith("/console") and "//" not in raw and "\\" not in raw:
        return raw
    return "/console/"


async def _start(request: Request, email: str, password: str, then: str) -> Response:
    """Log in and go to ``then``; or show the login page with the reason."""
    db = access.database(request)
    async with db.read() as session:
        attempt = await logins.check(session, email, password, _address(request))
    async with db.write() as session:
        hours = access.settings(request).console_session_hours
        outcome = await logins.record(session, attempt, timedelta(hours=hours))
    if not outcome.ok:
        context = {"title": "Log in", "email": email, "next": then, "error": outcome.refusal}
        return page(request, "login.html", context, None, 429 if outcome.throttled else 401)
    response = see_other(_next(then))
    cookies.set_session(request, response, access.settings(request), outcome.ticket)
    return response


@router.get("/login")
async def login_page(request: Request, next: str = "/console/") -> Response:
    active = await cookies.current(request)
    if active is not None:
        return see_other(_next(next))
    return page(request, "login.html", {"title": "Log in", "next": next}, None)


@router.post("/login")
async def login(request: Request) -> Response:
    data = await access.form(request, None)
    email, password = access.text(data, "email"), access.text(data, "password")
    return await _start(request, email, password, access.text(data, "next"))


@router.post("/logout")
async def logout(request: Request) -> Response:
    active = await cookies.current(request)
    if active is not None:
        await access.form(request, active)
        async with access.database(request).write() as session:
            await logins.logout(session, active.session_id)
    response = see_other("/console/login")
    cookies.clear_session(request, response)
    return response


@router.get("/account")
async def account_page(request: Request) -> Response:
    active = await access.visitor(request)
    return page(request, "account.html", {"title": "Your account"}, active)


@router.post("/account/password")
async def change_password(request: Request) -> Response:
    active = await access.visitor(request)
    data = await access.form(request, active)
    new, again = access.text(data, "new"), access.text(data, "again")
    error = ""
    if new != again:
        error = "The two new passwords differ."
    else:
        try:
            async with access.database(request).write() as session:
                user = await accounts.get_user(session, active.user.id)
                current = access.text(data, "current")
                if user is None or not await logins.change_password(session, user, current, new):
                    error = "The current password is not right."
        except DomainError as exc:
            error = exc.message
    if error:
        return page(request, "account.html", {"title": "Your account", "error": error}, active, 400)
    # Every session ended with the old password, this one too: start a new one.
    return await _start(request, active.user.identifier, new, "/console/account?changed=1")


@router.get("/reset")
async def reset_page(request: Request, ticket: str = "") -> Response:
    async with access.database(request).read() as session:
        user = await logins.reset_target(session, ticket)
    if user is None:
        raise Ended(404, "This password reset link is not valid: it was used or has expired.")
    context = {"title": "Choose a new password", "ticket": ticket, "email": user.identifier}
    return page(request, "reset.html", context, None)


@router.post("/reset")
async def reset(request: Request) -> Response:
    data = await access.form(request, None)
    ticket, new = access.text(data, "ticket"), access.text(data, "new")
    context = {"title": "Choose a new password", "ticket": ticket}
    if new != access.text(data, "again"):
        return page(
            request, "reset.html", {**context, "error": "The two passwords differ."}, None, 400
        )
    try:
        async with access.database(request).write() as session:
            user = await logins.complete_reset(session, ticket, new)
    except DomainError as exc:
        return page(request, "reset.html", {**context, "error": exc.message}, None, 400)
    if user is None:
        raise Ended(404, "This password reset link is not valid: it was used or has expired.")
    return await _start(request, user.identifier, new, "/console/")


@router.get("/invite")
async def invitation_page(request: Request, ticket: str = "") -> Response:
    try:
        async with access.database(request).read() as session:
            opened = await invitations.open_ticket(session, ticket)
    except DomainError as exc:
        raise Ended(404, exc.message) from None
    context = {"title": f"Join {opened.organization}", "ticket": ticket, "invitation": opened}
    return page(request, "invitation.html", context, None)


@router.post("/invite")
async def accept_invitation(request: Request) -> Response:
    data = await access.form(request, None)
    ticket, password = access.text(data, "ticket"), access.text(data, "password")
    async with access.database(request).read() as session:
        try:
            opened = await invitations.open_ticket(session, ticket)
        except DomainError as exc:
            raise Ended(404, exc.message) from None
    context = {"title": f"Join {opened.organization}", "ticket": ticket, "invitation": opened}
    if not opened.has_account and password != access.text(data, "again"):
        context["error"] = "The two passwords differ."
        return page(request, "invitation.html", context, None, 400)
    try:
        async with access.database(request).write() as session:
            user, _member = await invitations.accept(
                session, ticket, password, access.text(data, "name")
            )
    except DomainError as exc:
        context["error"] = exc.message
        return page(request, "invitation.html", context, None, exc.status)
    return await _start(request, user.identifier, password, "/console/")
