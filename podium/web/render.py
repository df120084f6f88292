"""Shared page plumbing: the template environment, ids from URLs, and 404 pages.

Every page is rendered here so all of them get the same escaping (Jinja autoescape
is on) and the same not-found page instead of the API's JSON errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from podium import __version__
from podium.proxy import root_of
from podium.ranking.times import format_time

HERE = Path(__file__).parent


def site_root(request: Request) -> dict[str, Any]:
    """``root``: the prefix the site is served under (``/podium``, usually empty).

    Every link, form, script and feed URL in a template starts with ``{{ root }}/``, so
    pages work behind a proxy that serves Podium under a path (``podium.proxy``).
    """
    return {"root": root_of(request.scope)}


def view_mode(request: Request) -> dict[str, Any]:
    """``view``: ``"projector"`` for ``?view=projector`` (big-screen styles and scrolling).

    A context processor, so any page can be put on a projector without each route
    passing the mode along; anything else is the normal page.
    """
    return {"view": "projector" if request.query_params.get("view") == "projector" else None}


templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    ),
    context_processors=[site_root, view_mode],
)
MAX_ID = 2**63 - 1
DASH = "\u2013"  # an en dash: "no value" in tables


def clock(ms: int | None) -> str:
    """A duration as the ranking engine writes times (``1:02:03.456``), or a dash."""
    return DASH if ms is None else format_time(ms)


def minutes_clock(seconds: int | None) -> str:
    """Contest time in whole seconds as ``h:mm:ss`` (Mooshak shows seconds)."""
    if seconds is None:
        return DASH
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


templates.env.filters["clock"] = clock
templates.env.filters["contest_clock"] = minutes_clock
templates.env.globals["version"] = __version__


def parse_id(raw: str) -> int | None:
    """An object id from the URL; anything else is simply not found."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def not_found(request: Request, what: str) -> HTMLResponse:
    """The 404 page: says what was missing and where to go instead."""
    return page(request, "not_found.html", {"title": "Not found", "what": what}, 404)
