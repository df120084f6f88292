"""The web front end: server-rendered pages, one module per page, and their static files.

Pages need no JavaScript; ``static/live.js`` only makes the leaderboard follow the
event feed without a reload.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from podium.web import awards, competitions, home, organizations, people, runners
from podium.web.render import HERE

router = APIRouter(include_in_schema=False)
for module in (home, organizations, competitions, awards, people, runners):
    router.include_router(module.router)


def static_files() -> StaticFiles:
    """``/static``: the stylesheet and live.js, served as they are (no build step)."""
    return StaticFiles(directory=HERE / "static")
