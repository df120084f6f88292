"""The organizer console at ``/console``: accounts, members, credentials and set-up.

It sits where a dialect sits, above the core: forms become the same core commands
the native API runs (each recording its event), domain errors become messages, and
a console user acts through the core's ``Principal``. It owns no data of its own.
Pages are server-rendered and work without JavaScript; ``/static/console.js`` only
adds conveniences (copying a secret).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from podium.config import Settings
from podium.console import (
    competitions,
    contests,
    credentials,
    heats,
    logins,
    organizations,
    participants,
    results,
)
from podium.console import session as cookies
from podium.console.render import Ended, page, private, see_other
from podium.core.errors import DomainError
from podium.store.database import Database

TITLES = {400: "Not done", 403: "Not allowed", 404: "Not found", 413: "Too large"}


def create_console(settings: Settings, database: Database) -> FastAPI:
    app = FastAPI(title="Podium console", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.database = database
    modules = (logins, organizations, credentials, competitions, participants, results)
    for module in (*modules, contests, heats):
        app.include_router(module.router)

    async def ended(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Ended)
        if exc.location:
            return see_other(exc.location)
        return await _error(request, exc.status, exc.message)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        # A refusal is a page with its message: missing, forbidden, or not done.
        status = exc.status if exc.status in (403, 404) else 400
        return await _error(request, status, exc.message)

    async def unreadable(request: Request, _exc: Exception) -> Response:
        return await _error(request, 404, "There is no such page in the console.")

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return private(Response("Method not allowed.", status_code=405))
        return await _error(request, exc.status_code, "There is no such page in the console.")

    app.add_exception_handler(Ended, ended)
    app.add_exception_handler(DomainError, refused)
    app.add_exception_handler(RequestValidationError, unreadable)
    app.add_exception_handler(HTTPException, http)
    return app


async def _error(request: Request, status: int, message: str) -> Response:
    active = await cookies.current(request)
    context = {"title": TITLES.get(status, "Not done"), "status": status, "message": message}
    return page(request, "error.html", context, active, status)
