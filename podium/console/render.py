"""Console pages: the template environment, the page response, and the ways a page ends.

Console templates extend the public site's ``base.html`` (one look, one stylesheet).
Every console response is private: not cached, not framed, and sent without a
referrer, since some console URLs carry one-use links.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from podium import __version__
from podium.console import session as cookies
from podium.core import logins
from podium.proxy import app_path
from podium.web.render import HERE as WEB
from podium.web.render import site_root

HERE = Path(__file__).parent
templates = Jinja2Templates(
    env=jinja2.Environment(
        # Console templates are "console/<name>"; they extend the public "base.html".
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PrefixLoader({"console": jinja2.FileSystemLoader(HERE / "templates")}),
                jinja2.FileSystemLoader(WEB / "templates"),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    ),
    context_processors=[site_root],
)
templates.env.globals["version"] = __version__

PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def private(response: Response) -> Response:
    response.headers.update(PRIVATE)
    return response


def page(
    request: Request,
    name: str,
    context: dict[str, Any],
    active: logins.Active | None,
    status_code: int = 200,
) -> HTMLResponse:
    """A console page; its forms carry the CSRF token (and its cookie before login)."""
    token = cookies.form_token(request, active)
    full = {"csrf": token.value, "me": active.user if active else None, **context}
    response = templates.TemplateResponse(request, f"console/{name}", full, status_code=status_code)
    cookies.remember_form_token(request, response, token)
    private(response)
    return response


def see_other(url: str) -> Response:
    """After a successful form: go to the page that shows the result (POST/redirect/GET).

    ``url`` is a path of the site without its prefix; ``podium.proxy`` adds the prefix.
    """
    return private(RedirectResponse(url, status_code=303))


class Ended(Exception):
    """A page that cannot go on: a redirect to log in, a refusal, or a missing object."""

    def __init__(self, status: int, message: str = "", location: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.location = location


def login_first(request: Request) -> Ended:
    # ``next`` names the page without the site's prefix, as every redirect here does.
    wanted = app_path(request.scope) + (f"?{request.url.query}" if request.url.query else "")
    return Ended(303, location=f"/console/login?next={_quote(wanted)}")


def forbidden(message: str) -> Ended:
    return Ended(403, message)


def missing(message: str) -> Ended:
    return Ended(404, message)


def _quote(path: str) -> str:
    return quote(path, safe="/")
